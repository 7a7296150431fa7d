import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig, inheritedEnvironment, type Config } from '../../config.js';
import { BadInput, CommandDenied, NotFound, QuotaExceeded, Unavailable } from '../../errors.js';
import { JobManager, type JobManagerOptions, type JobStreamItem } from './job-manager.js';

let execution: Config['execution'];
let clock: number;
let dir: string;
const managers: JobManager[] = [];

beforeEach(() => {
  execution = defaultConfig().execution;
  clock = 1_000_000;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-jobs-'));
});
afterEach(() => {
  for (const m of managers.splice(0)) m.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function manager(extra: Partial<JobManagerOptions> = {}): JobManager {
  const m = new JobManager({
    config: () => execution,
    env: () => ({ ...inheritedEnvironment(), BASE: 'from-daemon' }),
    now: () => clock,
    ...extra,
  });
  managers.push(m);
  return m;
}

async function collect(items: AsyncIterable<JobStreamItem>): Promise<JobStreamItem[]> {
  const out: JobStreamItem[] = [];
  for await (const item of items) out.push(item);
  return out;
}

function textOf(items: JobStreamItem[], type: 'stdout' | 'stderr'): string {
  return items.map((i) => (i.event.type === type ? i.event.data : '')).join('');
}

async function rejection(p: Promise<unknown>): Promise<unknown> {
  return p.then(
    () => 'resolved',
    (err: unknown) => err,
  );
}

describe('JobManager.run', () => {
  it('runs a program without a shell and returns its output and exit code', async () => {
    const jobs = manager();
    const out = await jobs.run({ command: 'printf', args: ['%s|%s', 'a b', '$HOME;'] });
    expect(out).toMatchObject({ exitCode: 0, signal: null, stdout: 'a b|$HOME;', stderr: '' });
    expect(out.stdoutBytes).toBe(10);
    expect(out.truncated).toEqual({ stdout: false, stderr: false });
    expect(out.timedOut).toBe(false);
    expect(out.jobId).toMatch(/^[0-9a-f]{12}$/);

    const failed = await jobs.run({ command: 'sh', args: ['-c', 'echo oops >&2; exit 3'] });
    expect(failed).toMatchObject({ exitCode: 3, stderr: 'oops\n', stdout: '' });
  });

  it('runs a shell script with shell: true, args appended', async () => {
    const jobs = manager();
    const out = await jobs.run({ command: 'echo $((1 + 2)) &&', args: ['exit', '4'], shell: true });
    expect(out).toMatchObject({ exitCode: 4, stdout: '3\n' });
  });

  it('writes stdin and closes it', async () => {
    const jobs = manager();
    const out = await jobs.run({ command: 'cat', stdin: 'line one\nline two\n' });
    expect(out.stdout).toBe('line one\nline two\n');
    // Without stdin input, stdin is empty rather than inherited, so cat ends at once.
    expect((await jobs.run({ command: 'cat' })).stdout).toBe('');
  });

  it('gives the program the daemon environment plus the input env, in the given folder', async () => {
    const jobs = manager();
    const out = await jobs.run({
      command: 'sh',
      args: ['-c', 'printf "%s %s %s" "$BASE" "$EXTRA" "$(pwd -P)"'],
      env: { EXTRA: 'from-input' },
      cwd: dir,
    });
    expect(out.stdout).toBe(`from-daemon from-input ${fs.realpathSync(dir)}`);
  });

  it('refuses denied commands before spawning anything', async () => {
    execution.denylist = ['touch'];
    const jobs = manager();
    const marker = path.join(dir, 'marker');
    const err = await rejection(jobs.run({ command: 'touch', args: [marker] }));
    expect(err).toBeInstanceOf(CommandDenied);
    expect((err as Error).message).toMatch(/"touch" is denied by execution\.denylist/);
    const viaShell = await rejection(jobs.run({ command: `true; touch ${marker}`, shell: true }));
    expect((viaShell as Error).message).toMatch(/found inside "sh -c …"/);
    expect(fs.existsSync(marker)).toBe(false);
    expect(jobs.list()).toEqual([]);
  });

  it('caps output per stream, keeping the head and counting every byte', async () => {
    execution.maxOutputBytes = 1024;
    const jobs = manager();
    const out = await jobs.run({ command: 'sh', args: ['-c', 'yes | head -c 5000; echo err >&2'] });
    expect(out.stdout).toBe('y\n'.repeat(512));
    expect(out.stdoutBytes).toBe(5000);
    expect(out.truncated).toEqual({ stdout: true, stderr: false });
    expect(out.stderr).toBe('err\n');
  });

  it('does not cut a multi-byte character in half at the cap', async () => {
    execution.maxOutputBytes = 1024;
    const jobs = manager();
    // 1023 ASCII bytes, then "é" (2 bytes) straddling the cap.
    const out = await jobs.run({
      command: 'sh',
      args: ['-c', "head -c 1023 /dev/zero | tr '\\0' a; printf 'é tail'"],
    });
    expect(out.truncated.stdout).toBe(true);
    expect(out.stdout).toBe('a'.repeat(1023));
    // Ending exactly at the cap, the character is kept whole.
    const whole = await jobs.run({
      command: 'sh',
      args: ['-c', "head -c 1022 /dev/zero | tr '\\0' a; printf 'é tail'"],
    });
    expect(whole.stdout).toBe(`${'a'.repeat(1022)}é`);
  });

  it('times out with SIGTERM, and escalates to SIGKILL when that is ignored', async () => {
    const jobs = manager({ killGraceMs: 200 });
    const polite = await jobs.run({ command: 'sleep', args: ['30'], timeoutMs: 100 });
    expect(polite).toMatchObject({ timedOut: true, signal: 'SIGTERM', exitCode: null });

    const stubborn = await jobs.run({
      command: 'sh',
      args: ['-c', 'trap "" TERM; while :; do sleep 0.05; done'],
      timeoutMs: 100,
    });
    expect(stubborn).toMatchObject({ timedOut: true, signal: 'SIGKILL' });
  });

  it('uses the configured default timeout', async () => {
    execution.defaultTimeoutMs = 100;
    const out = await manager().run({ command: 'sleep', args: ['30'] });
    expect(out.timedOut).toBe(true);
  });

  it('cancels when the caller aborts', async () => {
    const jobs = manager();
    const controller = new AbortController();
    const pending = jobs.run({ command: 'sleep', args: ['30'] }, controller.signal);
    await waitFor(() => jobs.count() === 1);
    controller.abort();
    expect(await pending).toMatchObject({ cancelled: true, signal: 'SIGTERM' });
  });

  it('maps spawn failures to clear errors and frees the slot', async () => {
    const jobs = manager();
    const missing = await rejection(jobs.run({ command: 'no-such-program-loopsy' }));
    expect(missing).toBeInstanceOf(NotFound);
    expect((missing as Error).message).toBe('No program "no-such-program-loopsy" on PATH.');

    const gone = path.join(dir, 'gone');
    const badCwd = await rejection(jobs.run({ command: 'ls', cwd: gone }));
    expect(badCwd).toBeInstanceOf(NotFound);
    expect((badCwd as Error).message).toBe(`Working folder ${gone} does not exist.`);

    const file = path.join(dir, 'file.txt');
    fs.writeFileSync(file, 'x');
    expect(await rejection(jobs.run({ command: 'ls', cwd: file }))).toBeInstanceOf(BadInput);

    const notExecutable = await rejection(jobs.run({ command: file }));
    expect(notExecutable).toBeInstanceOf(BadInput);
    expect((notExecutable as Error).message).toMatch(/not executable/);
    expect(jobs.count()).toBe(0);
    expect(jobs.list()).toEqual([]);
  });
});

describe('JobManager concurrency', () => {
  it('refuses a job beyond maxConcurrent, counting streamed and buffered jobs', async () => {
    execution.maxConcurrent = 2;
    const jobs = manager();
    const streamed = await jobs.start({ command: 'sleep', args: ['30'] });
    const buffered = jobs.run({ command: 'sleep', args: ['30'] });
    await waitFor(() => jobs.count() === 2);
    const err = await rejection(jobs.run({ command: 'true' }));
    expect(err).toBeInstanceOf(QuotaExceeded);
    expect((err as Error).message).toBe(
      '2 commands are already running (execution.maxConcurrent); wait for one to finish or cancel one with `loopsy exec --cancel <job>`/exec.cancel.',
    );
    expect(await rejection(jobs.start({ command: 'true' }))).toBeInstanceOf(QuotaExceeded);

    expect(jobs.cancel(streamed)).toBe(true);
    await waitFor(() => jobs.count() === 1);
    expect((await jobs.run({ command: 'true' })).exitCode).toBe(0);
    const running = jobs.list().find((j) => j.state === 'running');
    expect(running).toBeDefined();
    jobs.cancel(running?.jobId ?? '');
    expect((await buffered).cancelled).toBe(true);
  });
});

describe('JobManager streamed jobs', () => {
  it('streams stdout, stderr and the exit event with increasing ids', async () => {
    const jobs = manager();
    const id = await jobs.start({
      command: 'sh',
      args: ['-c', 'printf out; sleep 0.1; printf err >&2; exit 5'],
    });
    const items = await collect(jobs.subscribe(id));
    expect(textOf(items, 'stdout')).toBe('out');
    expect(textOf(items, 'stderr')).toBe('err');
    const last = items.at(-1);
    expect(last?.event).toMatchObject({
      type: 'exit',
      exitCode: 5,
      signal: null,
      stdoutBytes: 3,
      stderrBytes: 3,
    });
    const ids = items.map((i) => Number(i.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);

    // A finished job replays after the given id, and ends.
    const resumed = await collect(jobs.subscribe(id, items[0]?.id));
    expect(resumed.map((i) => i.id)).toEqual(items.slice(1).map((i) => i.id));
    expect(await collect(jobs.subscribe(id, last?.id))).toEqual([]);
  });

  it('follows live output', async () => {
    const jobs = manager();
    const id = await jobs.start({ command: 'sh', args: ['-c', 'sleep 0.2; echo late'] });
    const items = await collect(jobs.subscribe(id));
    expect(textOf(items, 'stdout')).toBe('late\n');
    expect(items.at(-1)?.event.type).toBe('exit');
  });

  it('keeps only the newest events and tells a reader what it missed', async () => {
    const jobs = manager({ eventLogBytes: 100 });
    const id = await jobs.start({
      command: 'sh',
      args: ['-c', 'for i in 1 2 3 4 5 6 7 8; do echo line-$i; sleep 0.02; done'],
    });
    await waitFor(() => jobs.count() === 0);
    const items = await collect(jobs.subscribe(id));
    expect(items[0]?.event.type).toBe('gap');
    expect(items[0]?.event).toMatchObject({ missedEvents: expect.any(Number) });
    expect(items.at(-1)?.event).toMatchObject({ type: 'exit', exitCode: 0 });
    expect(textOf(items, 'stdout')).not.toContain('line-1\n');
    // Resuming from the gap's id does not repeat the gap.
    const again = await collect(jobs.subscribe(id, items[0]?.id));
    expect(again.map((i) => i.event.type)).not.toContain('gap');
  });

  it('never stops a job when a reader goes away, and ends the reader on abort', async () => {
    const jobs = manager();
    const id = await jobs.start({ command: 'sh', args: ['-c', 'echo hi; exec sleep 30'] });
    for await (const item of jobs.subscribe(id)) {
      expect(item.event).toEqual({ type: 'stdout', data: 'hi\n' });
      break;
    }
    expect(jobs.count()).toBe(1);

    const controller = new AbortController();
    const reading = collect(jobs.subscribe(id, null, controller.signal));
    controller.abort();
    expect((await reading).map((i) => i.event.type)).toEqual(['stdout']);
    expect(jobs.count()).toBe(1);

    expect(jobs.cancel(id)).toBe(true);
    const rest = await collect(jobs.subscribe(id, '1'));
    expect(rest.at(-1)?.event).toMatchObject({ type: 'exit', cancelled: true, signal: 'SIGTERM' });
    expect(jobs.cancel(id)).toBe(false);
  });

  it('refuses bad ids and streaming a buffered job', async () => {
    const jobs = manager();
    expect(() => jobs.subscribe('nope')).toThrow(NotFound);
    expect(() => jobs.cancel('nope')).toThrow(/No job "nope"/);
    const out = await jobs.run({ command: 'true' });
    expect(() => jobs.subscribe(out.jobId)).toThrow(/only jobs started with exec\.start stream/);
    const id = await jobs.start({ command: 'true' });
    expect(() => jobs.subscribe(id, 'abc')).toThrow(BadInput);
  });
});

describe('JobManager bookkeeping', () => {
  it('lists running and finished jobs, and forgets finished ones after the grace period', async () => {
    const jobs = manager({ finishedGraceMs: 60_000 });
    const done = await jobs.run({ command: 'echo', args: ['x'] });
    const live = await jobs.start({ command: 'sleep', args: ['30'], cwd: dir });
    const list = jobs.list();
    expect(list).toHaveLength(2);
    expect(list.find((j) => j.jobId === done.jobId)).toMatchObject({
      command: 'echo',
      args: ['x'],
      state: 'exited',
      mode: 'run',
      exitCode: 0,
      startedAt: new Date(clock).toISOString(),
    });
    const running = list.find((j) => j.jobId === live);
    expect(running).toMatchObject({ state: 'running', mode: 'stream', cwd: dir, finishedAt: null });
    expect(running?.pid).toEqual(expect.any(Number));
    expect(jobs.count()).toBe(1);

    clock += 59_999;
    expect(jobs.list()).toHaveLength(2);
    clock += 1;
    expect(jobs.list().map((j) => j.jobId)).toEqual([live]);
    expect(() => jobs.cancel(done.jobId)).toThrow(NotFound);

    jobs.cancel(live);
    await waitFor(() => jobs.count() === 0);
    clock += 60_000;
    expect(jobs.list()).toEqual([]);
  });

  it('kills everything on close and refuses new jobs', async () => {
    const jobs = manager();
    const id = await jobs.start({ command: 'sh', args: ['-c', 'sleep 30 & sleep 30'] });
    const pending = jobs.run({ command: 'sleep', args: ['30'] });
    await waitFor(() => jobs.count() === 2);
    jobs.close();
    expect((await pending).signal).toBe('SIGKILL');
    const items = await collect(jobs.subscribe(id));
    expect(items.at(-1)?.event).toMatchObject({ type: 'exit', signal: 'SIGKILL', cancelled: true });
    expect(await rejection(jobs.run({ command: 'true' }))).toBeInstanceOf(Unavailable);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(condition()).toBe(true);
}
