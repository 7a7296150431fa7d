import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connectLocal } from '@loopsy/client-sdk/node';
import { startTestDaemon, type TestDaemon } from '@loopsy/daemon/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOOPSY_BIN, runInProcess } from '../../test-support/run-cli.js';

let d: TestDaemon;
let env: Record<string, string>;
beforeAll(async () => {
  d = await startTestDaemon();
  // What `loopsy start` records, and what connectLocal reads.
  fs.writeFileSync(
    path.join(d.home, 'daemon.json'),
    JSON.stringify({ pid: process.pid, url: d.url, port: d.daemon.port }),
  );
  env = { LOOPSY_HOME: d.home };
});
afterAll(() => d.stop());

function exec(...argv: string[]) {
  return runInProcess(['exec', ...argv], env);
}

describe('loopsy exec', () => {
  it('passes output through and exits with the command exit code', async () => {
    const res = await exec('--', 'sh', '-c', 'echo out; echo err >&2; exit 3');
    expect(res).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
  });

  it('hands everything after the command to the command, options included', async () => {
    const res = await exec('printf', '%s|%s', '-x', '--json');
    expect(res).toEqual({ code: 0, stdout: '-x|--json', stderr: '' });
  });

  it('exits with 128 + the signal number when the command is killed', async () => {
    expect((await exec('--', 'sh', '-c', 'kill -TERM $$')).code).toBe(128 + 15);
  });

  it('says why a denied command was refused', async () => {
    const res = await exec('--', 'rm', '-rf', path.join(d.home, 'nothing'));
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/^loopsy: Command "rm" is denied by execution\.denylist/);
  });

  it('prints the result object with --json', async () => {
    const res = await exec('--json', '--', 'sh', '-c', 'printf hi; exit 2');
    expect(res.code).toBe(2);
    expect(JSON.parse(res.stdout)).toMatchObject({
      exitCode: 2,
      stdout: 'hi',
      stderr: '',
      truncated: { stdout: false, stderr: false },
      timedOut: false,
      jobId: expect.any(String),
    });
  });

  it('runs in the given folder, and in the current one by default', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-exec-cwd-'));
    try {
      expect((await exec('--cwd', dir, '--', 'pwd', '-P')).stdout).toBe(
        `${fs.realpathSync(dir)}\n`,
      );
      expect((await exec('--', 'pwd', '-P')).stdout).toBe(`${fs.realpathSync(process.cwd())}\n`);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs a shell script with --shell and stops it at --timeout', async () => {
    expect((await exec('--shell', '--', 'echo $((6 * 7))')).stdout).toBe('42\n');
    const res = await exec('--timeout', '0.2', '--', 'sleep', '30');
    expect(res.code).toBe(128 + 15);
    expect(res.stderr).toMatch(/timed out/);
  });

  it('streams output with --stream and exits with the code', async () => {
    const res = await exec('--stream', '--', 'sh', '-c', 'echo a; sleep 0.1; echo b >&2; exit 4');
    expect(res).toEqual({ code: 4, stdout: 'a\n', stderr: 'b\n' });

    const json = await exec('--stream', '--json', '--', 'sh', '-c', 'echo a; exit 5');
    expect(json.code).toBe(5);
    const events = json.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { id: string; type: string });
    expect(events[0]).toMatchObject({ type: 'stdout', data: 'a\n' });
    expect(events.at(-1)).toMatchObject({ type: 'exit', exitCode: 5 });
  });

  it('lists and cancels jobs', async () => {
    const client = connectLocal({ home: d.home });
    try {
      const { jobId } = await client.exec.start.mutate({ command: 'sleep', args: ['30'] });
      const list = await exec('--list', '--json');
      expect(JSON.parse(list.stdout)).toMatchObject({
        jobs: expect.arrayContaining([expect.objectContaining({ jobId, state: 'running' })]),
      });
      expect((await exec('--list')).stdout).toMatch(new RegExp(`${jobId}\\s+running`));
      expect(await exec('--cancel', jobId)).toEqual({
        code: 0,
        stdout: `Cancelled job ${jobId}.\n`,
        stderr: '',
      });
    } finally {
      await client.close();
    }
  });

  it('refuses a missing command and unknown peers', async () => {
    const none = await exec();
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/Name a command to run/);
    const peer = await exec('--peer', 'laptop-b', '--', 'true');
    expect(peer.code).toBe(1);
    expect(peer.stderr).toMatch(/peers are not available yet/);
  });
});

describe('loopsy exec as a real process', () => {
  it('cancels the streamed job on Ctrl-C and exits 130', async () => {
    const child = spawn(
      process.execPath,
      [LOOPSY_BIN, 'exec', '--stream', '--', 'sh', '-c', 'echo started; exec sleep 30'],
      { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      let out = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          out += chunk.toString();
          if (out.includes('started')) resolve();
        });
        child.once('exit', () => reject(new Error(`loopsy exec ended early: ${out}`)));
      });
      const code = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGINT');
      expect(await code).toBe(130);
      const job = d.daemon.services.jobs.list().find((j) => j.args[1]?.includes('echo started'));
      expect(job).toMatchObject({ state: 'exited', cancelled: true, signal: 'SIGTERM' });
    } finally {
      child.kill('SIGKILL');
    }
  });
});
