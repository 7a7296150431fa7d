// The CLI as a user runs it: real processes, a real detached daemon, a temp LOOPSY_HOME.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess } from '../../test-support/run-cli.js';

let home: string;
let env: Record<string, string>;
beforeAll(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-life-'));
  env = { LOOPSY_HOME: home };
});
afterAll(async () => {
  await runProcess(['stop'], env);
  fs.rmSync(home, { recursive: true, force: true });
});

async function statusCall(url: string, key: string): Promise<number> {
  return (await fetch(`${url}/trpc/system.status`, { headers: { authorization: `Bearer ${key}` } }))
    .status;
}

describe('daemon lifecycle through the real CLI', () => {
  it('init → start → status → key rotate → second start → stop → restart keeps the node id', async () => {
    expect((await runProcess(['init', '--json'], env)).code).toBe(0);

    const start = await runProcess(['start', '--port', '0', '--json'], env);
    expect(start.code, start.stderr).toBe(0);
    const started = JSON.parse(start.stdout) as { pid: number; url: string; nodeId: string };
    expect(started.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);

    const state = JSON.parse(fs.readFileSync(path.join(home, 'daemon.json'), 'utf8')) as {
      pid: number;
    };
    expect(state.pid).toBe(started.pid);
    expect(fs.statSync(path.join(home, 'daemon.json')).mode & 0o777).toBe(0o600);

    const status = await runProcess(['status', '--json'], env);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      running: true,
      nodeId: started.nodeId,
      pid: started.pid,
    });

    const oldKey = (
      JSON.parse((await runProcess(['key', 'show', '--json'], env)).stdout) as { apiKey: string }
    ).apiKey;
    expect(await statusCall(started.url, oldKey)).toBe(200);
    const rotated = await runProcess(['key', 'generate', '--json'], env);
    const newKey = (JSON.parse(rotated.stdout) as { apiKey: string }).apiKey;
    expect(await statusCall(started.url, oldKey)).toBe(401);
    expect(await statusCall(started.url, newKey)).toBe(200);
    expect((await runProcess(['status', '--json'], env)).code).toBe(0);

    const second = await runProcess(['start', '--port', '0'], env);
    expect(second.code).toBe(0);
    expect(second.stdout).toContain('already running');

    const logs = await runProcess(['logs', '--json', '-n', '500'], env);
    const trail = JSON.parse(logs.stdout) as Array<{ procedure: string; outcome: string }>;
    expect(trail).toContainEqual(
      expect.objectContaining({ procedure: 'system.status', outcome: 'UNAUTHORIZED' }),
    );

    const stop = await runProcess(['stop', '--json'], env);
    expect(JSON.parse(stop.stdout)).toEqual({ stopped: true, pid: started.pid });
    expect(fs.existsSync(path.join(home, 'daemon.json'))).toBe(false);
    expect((await runProcess(['status'], env)).code).toBe(3);

    const restart = await runProcess(['start', '--port', '0', '--json'], env);
    expect((JSON.parse(restart.stdout) as { nodeId: string }).nodeId).toBe(started.nodeId);
    expect((await runProcess(['stop'], env)).code).toBe(0);
  });

  it('logs -f follows new entries', async () => {
    const start = await runProcess(['start', '--port', '0', '--json'], env);
    const { url } = JSON.parse(start.stdout) as { url: string };
    const { spawn } = await import('node:child_process');
    const { LOOPSY_BIN } = await import('../../test-support/run-cli.js');
    const follower = spawn(process.execPath, [LOOPSY_BIN, 'logs', '-f', '-n', '1', '--json'], {
      env: { ...process.env, ...env },
    });
    try {
      let out = '';
      follower.stdout.on('data', (c: Buffer) => (out += c.toString()));
      // The last existing entry shows the follower has read the file; only then make a new one.
      const ready = Date.now() + 10_000;
      while (!out.includes('\n') && Date.now() < ready) await new Promise((r) => setTimeout(r, 50));
      await fetch(`${url}/trpc/system.identity`);
      const deadline = Date.now() + 10_000;
      while (!out.includes('system.identity') && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 100));
      expect(out).toContain('"procedure":"system.identity"');
    } finally {
      follower.kill('SIGTERM');
      await runProcess(['stop'], env);
    }
  });
});
