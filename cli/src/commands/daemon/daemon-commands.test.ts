import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runInProcess } from '../../test-support/run-cli.js';

let home: string;
let env: Record<string, string | undefined>;
beforeEach(() => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-cli-'));
  env = { LOOPSY_HOME: home };
});
afterEach(() => fs.rmSync(home, { recursive: true, force: true }));

describe('init, key and status in-process', () => {
  it('init writes a private config and key, and refuses to overwrite without --force', async () => {
    const first = await runInProcess(['init', '--json'], env);
    expect(first.code).toBe(0);
    const result = JSON.parse(first.stdout) as {
      created: boolean;
      config: string;
      apiKeyFile: string;
    };
    expect(result.created).toBe(true);
    expect(fs.statSync(result.config).mode & 0o777).toBe(0o600);
    expect(fs.statSync(result.apiKeyFile).mode & 0o777).toBe(0o600);

    const key = JSON.parse((await runInProcess(['key', 'show', '--json'], env)).stdout) as {
      apiKey: string;
    };
    expect(key.apiKey).toMatch(/^lsk_/);

    const again = await runInProcess(['init'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already set up.*--force/);

    const forced = await runInProcess(['init', '--force', '--json'], env);
    expect(forced.code).toBe(0);
    const rotated = JSON.parse((await runInProcess(['key', 'show', '--json'], env)).stdout) as {
      apiKey: string;
    };
    expect(rotated.apiKey).not.toBe(key.apiKey);
  });

  it('--home wins over LOOPSY_HOME', async () => {
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-cli-other-'));
    try {
      expect((await runInProcess(['init', '--home', other], env)).code).toBe(0);
      expect(fs.existsSync(path.join(other, 'config.yaml'))).toBe(true);
      expect(fs.existsSync(path.join(home, 'config.yaml'))).toBe(false);
    } finally {
      fs.rmSync(other, { recursive: true, force: true });
    }
  });

  it('key show without a setup says to run init', async () => {
    const res = await runInProcess(['key', 'show', '--json'], env);
    expect(res.code).toBe(1);
    expect(JSON.parse(res.stdout)).toEqual({
      error: { message: expect.stringMatching(/loopsy init/) },
    });
  });

  it('status reports a stopped daemon with exit 3 and cleans a stale record', async () => {
    await runInProcess(['init'], env);
    fs.writeFileSync(
      path.join(home, 'daemon.json'),
      JSON.stringify({
        pid: 2 ** 22 + 12345,
        port: 1,
        host: '127.0.0.1',
        url: 'http://127.0.0.1:1',
        nodeId: 'x',
        version: '0',
        startedAt: new Date().toISOString(),
      }),
    );
    const res = await runInProcess(['status', '--json'], env);
    expect(res.code).toBe(3);
    expect(JSON.parse(res.stdout)).toMatchObject({ running: false });
    expect(fs.existsSync(path.join(home, 'daemon.json'))).toBe(false);
  });

  it('logs prints an empty trail as JSON', async () => {
    const res = await runInProcess(['logs', '--json'], env);
    expect(res.code).toBe(0);
    expect(JSON.parse(res.stdout)).toEqual([]);
  });

  it('start refuses a malformed config, naming the field and file, and starts nothing', async () => {
    await runInProcess(['init'], env);
    fs.writeFileSync(path.join(home, 'config.yaml'), 'server:\n  port: -5\n');
    const res = await runInProcess(['start', '--port', '0'], env);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('server.port');
    expect(res.stderr).toContain(path.join(home, 'config.yaml'));
    expect(fs.existsSync(path.join(home, 'daemon.json'))).toBe(false);
  });
});
