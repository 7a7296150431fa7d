import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { createContextInner, type Context } from '../context.js';
import { dataPaths } from '../paths.js';
import { readAuditTail } from '../services/audit-log.js';
import type { JobEvent } from '../services/exec/job-manager.js';
import { openServices, type OpenedServices } from '../services.js';
import { makeTempHome, type TempHome } from '../test-support/index.js';
import { createCallerFactory } from '../trpc.js';
import { appRouter } from './index.js';

const createCaller = createCallerFactory(appRouter);
let temp: TempHome;
let opened: OpenedServices;

beforeEach(() => {
  temp = makeTempHome((c) => {
    c.rateLimits.execute = 2;
  });
  opened = openServices({ home: temp.home, config: loadConfig(temp.home) });
});
afterEach(() => {
  opened.close();
  temp.cleanup();
});

function ctx(token: string | undefined = temp.apiKey): Context {
  return createContextInner({ services: opened.services, transport: 'in-process', token });
}

function owner(signal?: AbortSignal) {
  return createCaller(ctx(), signal ? { signal } : {});
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
    return { code: 'ok', message: '' };
  } catch (err) {
    if (err instanceof TRPCError) return { code: err.code, message: err.message };
    throw err;
  }
}

/** Through a caller, a tracked event is the envelope `[id, event, symbol]` (typed as `{ id, data }`). */
function envelope(item: unknown): [string, JobEvent] {
  const [id, event] = item as [string, JobEvent];
  return [id, event];
}

async function collect(iterable: AsyncIterable<unknown>): Promise<Array<[string, JobEvent]>> {
  const out: Array<[string, JobEvent]> = [];
  for await (const item of iterable) out.push(envelope(item));
  return out;
}

describe('exec router', () => {
  it('runs a command for the owner and audits the call', async () => {
    const out = await owner().exec.run({ command: 'sh', args: ['-c', 'printf hello; exit 7'] });
    expect(out).toMatchObject({ exitCode: 7, stdout: 'hello', stderr: '', timedOut: false });
    const trail = readAuditTail(dataPaths(temp.home).audit, 5);
    expect(trail.at(-1)).toMatchObject({
      procedure: 'exec.run',
      outcome: 'ok',
      caller: 'owner:owner',
    });
    expect(JSON.stringify(trail)).not.toContain('printf hello');
  });

  it('refuses callers without a key', async () => {
    expect((await failure(createCaller(ctx('')).exec.run({ command: 'true' }))).code).toBe(
      'UNAUTHORIZED',
    );
    expect((await failure(createCaller(ctx('')).exec.jobs())).code).toBe('UNAUTHORIZED');
  });

  it('validates inputs', async () => {
    const caller = owner();
    const bad = [
      caller.exec.run({ command: '' }),
      caller.exec.run({ command: 'ls', cwd: 'relative/dir' }),
      caller.exec.run({ command: 'ls', env: { 'BAD-NAME': 'x' } }),
      caller.exec.run({ command: 'ls', args: new Array<string>(1001).fill('x') }),
      caller.exec.run({ command: 'ls', args: ['a\0b'] }),
      caller.exec.run({ command: 'ls', timeoutMs: 0 }),
      caller.exec.run({ command: 'ls', timeoutMs: 24 * 3600 * 1000 + 1 }),
      caller.exec.onStream({ jobId: '../x' }),
    ];
    for (const p of bad) expect((await failure(p)).code).toBe('BAD_REQUEST');
  });

  it('runs on this machine only: another peer is refused', async () => {
    const caller = owner();
    expect((await caller.exec.run({ command: 'true', peer: 'local' })).exitCode).toBe(0);
    const refused = await failure(caller.exec.run({ command: 'true', peer: 'laptop-b' }));
    expect(refused).toEqual({
      code: 'BAD_REQUEST',
      message: expect.stringContaining('peers are not available yet') as string,
    });
    expect((await failure(caller.exec.jobs({ peer: 'laptop-b' }))).code).toBe('BAD_REQUEST');
  });

  it('refuses denied commands with FORBIDDEN and the rule', async () => {
    const denied = await failure(
      owner().exec.run({ command: 'bash', args: ['-c', 'rm -rf /tmp/x'] }),
    );
    expect(denied.code).toBe('FORBIDDEN');
    expect(denied.message).toMatch(
      /^Command "rm" is denied by execution\.denylist \(found inside "bash -c …"\)/,
    );
  });

  it('rate-limits peers on run and start, never the owner', async () => {
    const peer = opened.services.credentials.issue('peer', 'laptop-b');
    const asPeer = createCaller(ctx(peer.token));
    expect((await asPeer.exec.run({ command: 'true' })).exitCode).toBe(0);
    await asPeer.exec.start({ command: 'true' });
    expect((await failure(asPeer.exec.run({ command: 'true' }))).code).toBe('TOO_MANY_REQUESTS');
    for (let i = 0; i < 3; i++)
      expect((await owner().exec.run({ command: 'true' })).exitCode).toBe(0);
  });

  it('starts a job and streams tracked events, resuming after an id', async () => {
    const caller = owner();
    const { jobId } = await caller.exec.start({
      command: 'sh',
      args: ['-c', 'echo one; sleep 0.1; echo two >&2; exit 2'],
    });
    const events = await collect(await caller.exec.onStream({ jobId }));
    expect(events.map(([, e]) => e.type)).toEqual(['stdout', 'stderr', 'exit']);
    expect(events.at(-1)?.[1]).toMatchObject({ type: 'exit', exitCode: 2 });
    const [firstId] = events[0] ?? [];
    const resumed = await collect(await caller.exec.onStream({ jobId, lastEventId: firstId }));
    expect(resumed.map(([id]) => id)).toEqual(events.slice(1).map(([id]) => id));
    expect((await failure(caller.exec.onStream({ jobId: 'abcdef' }))).code).toBe('NOT_FOUND');
  });

  it('leaves the job running when a subscriber leaves, unless cancelOnClose', async () => {
    const caller = owner();
    const { jobId } = await caller.exec.start({
      command: 'sh',
      args: ['-c', 'echo hi; exec sleep 30'],
    });
    for await (const item of await caller.exec.onStream({ jobId })) {
      expect(envelope(item)).toEqual(['1', { type: 'stdout', data: 'hi\n' }]);
      break;
    }
    expect((await caller.system.status()).jobs).toBe(1);
    expect((await caller.exec.jobs()).jobs).toEqual([
      expect.objectContaining({ jobId, state: 'running', mode: 'stream', command: 'sh' }),
    ]);

    for await (const item of await caller.exec.onStream({ jobId, cancelOnClose: true })) {
      expect(envelope(item)[0]).toBe('1');
      break;
    }
    const rest = await collect(await caller.exec.onStream({ jobId, lastEventId: '1' }));
    expect(rest.at(-1)?.[1]).toMatchObject({ type: 'exit', cancelled: true });
    expect((await caller.system.status()).jobs).toBe(0);
  });

  it('ends a subscription when the caller aborts, without stopping the job', async () => {
    const controller = new AbortController();
    const { jobId } = await owner().exec.start({ command: 'sleep', args: ['30'] });
    const reading = owner(controller.signal).exec.onStream({ jobId }).then(collect);
    setTimeout(() => controller.abort(), 50);
    expect(await reading).toEqual([]);
    expect(await owner().exec.cancel({ jobId })).toEqual({ jobId, cancelled: true });
  });

  it('cancels a running command and lists it as finished', async () => {
    const caller = owner();
    const running = caller.exec.run({ command: 'sleep', args: ['30'] });
    let jobId: string | undefined;
    for (let i = 0; i < 200 && !jobId; i++) {
      jobId = (await caller.exec.jobs()).jobs[0]?.jobId;
      if (!jobId) await new Promise((r) => setTimeout(r, 10));
    }
    expect(await caller.exec.cancel({ jobId: jobId ?? '' })).toEqual({ jobId, cancelled: true });
    expect(await running).toMatchObject({ cancelled: true, signal: 'SIGTERM', exitCode: null });
    expect(await caller.exec.cancel({ jobId: jobId ?? '' })).toEqual({ jobId, cancelled: false });
    expect((await caller.exec.jobs()).jobs[0]).toMatchObject({ jobId, state: 'exited' });
    expect((await failure(caller.exec.cancel({ jobId: 'abcdef' }))).code).toBe('NOT_FOUND');
  });
});
