import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { createContextInner } from '../context.js';
import { openServices, type OpenedServices } from '../services.js';
import { makeTempHome, type TempHome } from '../test-support/index.js';
import { createCallerFactory } from '../trpc.js';
import { appRouter } from './index.js';

const createCaller = createCallerFactory(appRouter);
let temp: TempHome;
let opened: OpenedServices;
let clock: number;
let host: string;

beforeEach(() => {
  temp = makeTempHome((c) => {
    c.server.hostname = 'leo';
  });
  clock = 1_771_732_800_000;
  opened = openServices({
    home: temp.home,
    config: loadConfig(temp.home),
    now: () => clock,
    sweepIntervalMs: 0,
  });
  host = 'leo';
});
afterEach(() => {
  opened.close();
  temp.cleanup();
});

const owner = (signal?: AbortSignal) =>
  createCaller(
    createContextInner({ services: opened.services, transport: 'in-process', token: temp.apiKey }),
    signal ? { signal } : {},
  );

async function errorOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
    return { code: 'ok', message: '' };
  } catch (err) {
    if (err instanceof TRPCError) return { code: err.code, message: err.message };
    throw err;
  }
}

type StreamEvent = { type: string; id?: string; message?: { id: string; body: string } };

/** Opens onMessage (reading its `ready` first when not resuming) and returns a reader of the next n events. */
async function watch(input: { as?: string; lastEventId?: string } = {}) {
  const controller = new AbortController();
  const stream = await owner(controller.signal).messages.onMessage(input);
  const iterator = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const take = async (n: number): Promise<Array<[string, StreamEvent]>> => {
    const out: Array<[string, StreamEvent]> = [];
    while (out.length < n) {
      const next = await iterator.next();
      if (next.done) throw new Error(`stream ended after ${out.length} of ${n} events`);
      out.push(next.value as [string, StreamEvent]);
    }
    return out;
  };
  if (input.lastEventId === undefined) expect((await take(1))[0]?.[1]).toEqual({ type: 'ready' });
  return {
    take,
    async close() {
      controller.abort();
      await iterator.return?.();
    },
  };
}

describe('messages: the agents protocol on one daemon', () => {
  it('round trip: send → inbox → onMessage → ack → checkAck, and the message is no longer pending', async () => {
    expect(await owner().messages.whoami()).toEqual({ host, address: host });
    const stream = await watch();

    const sent = await owner().messages.send({ to: 'local', body: 'Hello Leo!' });
    expect(sent).toEqual({
      id: expect.stringMatching(/^1771732800000-leo-[0-9a-f]{4}$/),
      from: host,
      to: host,
      ts: clock,
      type: 'chat',
      body: 'Hello Leo!',
    });
    // The wire format: a JSON string in the reference's field order, in inbox:<recipient>:<id> and outbox:<id>.
    const inboxEntry = await owner().context.get({ key: `inbox:${host}:${sent.id}` });
    expect(inboxEntry.value).toBe(
      `{"from":"leo","to":"leo","ts":${clock},"id":"${sent.id}","type":"chat","body":"Hello Leo!"}`,
    );
    expect(inboxEntry.expiresAt).toBe(clock + 3600_000);
    expect((await owner().context.get({ key: `outbox:${sent.id}` })).value).toBe(inboxEntry.value);

    const [[, arrived]] = (await stream.take(1)) as [[string, StreamEvent]];
    expect(arrived).toMatchObject({
      type: 'message',
      message: { id: sent.id, body: 'Hello Leo!' },
    });

    const inbox = await owner().messages.inbox();
    expect(inbox).toEqual({
      messages: [
        { ...sent, key: `inbox:leo:${sent.id}`, readAt: null, expiresAt: clock + 3600_000 },
      ],
      hasMore: false,
      skipped: [],
    });
    expect(await owner().messages.checkAck({ id: sent.id })).toEqual({
      id: sent.id,
      to: host,
      acked: false,
    });

    clock += 2000;
    const acked = await owner().messages.ack({ id: sent.id });
    expect(acked).toEqual({
      id: sent.id,
      readAt: clock,
      alreadyRead: false,
      receipt: { stored: true, on: host },
    });
    expect(await owner().messages.checkAck({ id: sent.id })).toEqual({
      id: sent.id,
      to: host,
      acked: true,
      ackedAt: clock,
    });
    expect((await owner().messages.inbox()).messages).toEqual([]);
    expect((await owner().messages.inbox({ includeRead: true })).messages).toEqual([
      expect.objectContaining({ id: sent.id, key: `read:leo:${sent.id}`, readAt: clock }),
    ]);
    // The reference's receipt key (the newest id processed) and our per-message one, on the sender.
    expect((await owner().context.get({ key: `ack:${host}` })).value).toBe(sent.id);
    expect((await owner().context.get({ key: `ack:${host}` })).expiresAt).toBe(clock + 7200_000);
    expect(
      JSON.parse((await owner().context.get({ key: `ack:${host}:${sent.id}` })).value),
    ).toEqual({ id: sent.id, by: host, ackedAt: clock });
    expect((await owner().messages.outbox()).messages).toEqual([
      expect.objectContaining({ id: sent.id, acked: true, ackedAt: clock }),
    ]);

    const events = await stream.take(3);
    expect(events.map(([, e]) => e.type)).toEqual(['read', 'removed', 'acked']);
    expect(events[2]?.[1]).toEqual({ type: 'acked', id: sent.id, by: host, ackedAt: clock });
    await stream.close();

    const again = await owner().messages.ack({ id: sent.id });
    expect(again).toEqual({ ...acked, alreadyRead: true });
  });

  it('addresses agents on this machine as <host>/<agent>, each with its own inbox', async () => {
    const sent = await owner().messages.send({
      as: 'claude',
      to: 'local/codex',
      type: 'request',
      body: 'run the tests',
    });
    expect(sent).toMatchObject({ from: 'leo/claude', to: 'leo/codex', type: 'request' });
    expect((await owner().context.get({ key: `inbox:leo/codex:${sent.id}` })).key).toBeTruthy();
    expect((await owner().messages.inbox()).messages).toEqual([]);
    expect((await owner().messages.inbox({ as: 'codex' })).messages.map((m) => m.id)).toEqual([
      sent.id,
    ]);
    const reply = await owner().messages.send({
      as: 'codex',
      to: 'leo/claude',
      type: 'response',
      body: 'all green',
      replyTo: sent.id,
    });
    expect(reply.replyTo).toBe(sent.id);
    await owner().messages.ack({ as: 'codex', id: sent.id });
    expect((await owner().context.get({ key: 'ack:leo/codex' })).value).toBe(sent.id);
    expect(await owner().messages.checkAck({ id: sent.id })).toMatchObject({ acked: true });
    expect(await owner().messages.checkAck({ id: reply.id })).toMatchObject({ acked: false });
    expect(
      (await owner().messages.outbox({ from: 'leo/codex' })).messages.map((m) => m.id),
    ).toEqual([reply.id]);
    expect((await owner().messages.outbox({ from: 'leo' })).messages).toHaveLength(2);
    expect((await errorOf(owner().messages.inbox({ as: 'no/slash' }))).code).toBe('BAD_REQUEST');
  });

  it('works with agents that only use context get/set, as the reference protocol describes', async () => {
    // A reference agent on kai cannot exist yet; one on this machine writes by hand, as AGENTS.md says.
    const foreignId = `${clock - 5000}-leo-a3f2`;
    await owner().context.set({
      key: `inbox:leo:${foreignId}`,
      value: JSON.stringify({
        from: 'leo',
        to: 'leo',
        ts: clock - 5000,
        id: foreignId,
        type: 'chat',
        body: 'from a plain agent',
        extra: 'kept out',
      }),
      ttlSeconds: 3600,
    });
    await owner().context.set({ key: 'inbox:leo:garbage', value: 'not json' });
    const ours = await owner().messages.send({ to: 'leo', body: 'from us' });
    const inbox = await owner().messages.inbox();
    expect(inbox.messages.map((m) => m.body)).toEqual(['from a plain agent', 'from us']);
    expect(inbox.skipped).toEqual([{ key: 'inbox:leo:garbage', reason: 'the value is not JSON' }]);

    // A plain agent reads our message with context.list + JSON.parse, then acks the reference way.
    const listed = await owner().context.list({ prefix: 'inbox:leo:' });
    const parsed = JSON.parse(
      listed.entries.find((e) => e.key.endsWith(ours.id))?.value ?? '{}',
    ) as object;
    expect(Object.keys(parsed)).toEqual(['from', 'to', 'ts', 'id', 'type', 'body']);
    await owner().context.set({ key: 'ack:leo', value: ours.id, ttlSeconds: 7200 });
    expect(await owner().messages.checkAck({ id: ours.id })).toMatchObject({ acked: true });

    // `ack:<r>` means "processed up to this id": an older message counts as acked, a newer one does not.
    clock += 1000;
    const newer = await owner().messages.send({ to: 'leo', body: 'later' });
    expect(await owner().messages.checkAck({ id: newer.id })).toMatchObject({ acked: false });
  });

  it('filters the inbox by type and sender, oldest first, with a limit', async () => {
    const ids: string[] = [];
    for (const [type, as] of [
      ['chat', undefined],
      ['request', 'claude'],
      ['chat', 'claude'],
      ['broadcast', undefined],
    ] as const) {
      clock += 10;
      ids.push((await owner().messages.send({ to: 'leo', type, body: type, as })).id);
    }
    expect((await owner().messages.inbox()).messages.map((m) => m.id)).toEqual(ids);
    expect((await owner().messages.inbox({ type: 'chat' })).messages.map((m) => m.id)).toEqual([
      ids[0],
      ids[2],
    ]);
    expect(
      (await owner().messages.inbox({ from: 'leo/claude' })).messages.map((m) => m.id),
    ).toEqual([ids[1], ids[2]]);
    expect((await owner().messages.inbox({ from: 'local' })).messages).toHaveLength(4);
    const limited = await owner().messages.inbox({ limit: 2 });
    expect(limited.messages.map((m) => m.id)).toEqual(ids.slice(0, 2));
    expect(limited.hasMore).toBe(true);
  });

  it('expires messages after their TTL and resumes the message stream by event id', async () => {
    const stream = await watch();
    const first = await owner().messages.send({ to: 'leo', body: 'one', ttlSeconds: 60 });
    const [[firstId]] = (await stream.take(1)) as [[string, StreamEvent]];
    await stream.close();
    const second = await owner().messages.send({ to: 'leo', body: 'two' });
    const resumed = await watch({ lastEventId: firstId });
    const [[, next]] = (await resumed.take(1)) as [[string, StreamEvent]];
    expect(next).toMatchObject({ type: 'message', message: { id: second.id } });

    clock += 60_000;
    expect((await owner().messages.inbox()).messages.map((m) => m.id)).toEqual([second.id]);
    opened.services.context.sweep();
    const [[, removed]] = (await resumed.take(1)) as [[string, StreamEvent]];
    expect(removed).toEqual({ type: 'removed', id: first.id, reason: 'expired' });
    await resumed.close();
    expect((await errorOf(owner().messages.ack({ id: first.id }))).code).toBe('NOT_FOUND');
  });

  it('refuses what it cannot do, saying why', async () => {
    const remote = await errorOf(owner().messages.send({ to: 'kai', body: 'hi' }));
    expect(remote.code).toBe('BAD_REQUEST');
    expect(remote.message).toMatch(/Cannot reach "kai": peers are not available yet/);
    expect((await errorOf(owner().messages.send({ to: 'bad address!', body: 'x' }))).code).toBe(
      'BAD_REQUEST',
    );
    const big = await errorOf(owner().messages.send({ to: 'leo', body: 'x'.repeat(1024 * 1024) }));
    expect(big.code).toBe('PAYLOAD_TOO_LARGE');
    expect(big.message).toMatch(/must fit in one context value/);
    const unknown = await errorOf(owner().messages.ack({ id: '1-leo-0000' }));
    expect(unknown.code).toBe('NOT_FOUND');
    expect(unknown.message).toMatch(/No message "1-leo-0000" in the inbox of leo/);
    expect((await errorOf(owner().messages.checkAck({ id: '1-leo-0000' }))).code).toBe('NOT_FOUND');
    expect((await errorOf(owner().messages.inbox({ peer: 'kai' }))).code).toBe('BAD_REQUEST');
  });
});

describe('messages: the task queue', () => {
  it('moves a task pending → running → done and refuses every other move', async () => {
    const task = await owner().messages.postTask({ description: 'List top 5 processes by memory' });
    expect(task).toEqual({
      id: expect.stringMatching(/^1771732800000-leo-[0-9a-f]{4}$/),
      from: 'leo',
      assignee: 'leo',
      description: 'List top 5 processes by memory',
      status: 'pending',
      result: null,
      createdAt: clock,
      updatedAt: clock,
      expiresAt: clock + 86_400_000,
    });
    const refusedDone = await errorOf(
      owner().messages.completeTask({ id: task.id, status: 'done', result: 'x' }),
    );
    expect(refusedDone.code).toBe('CONFLICT');
    expect(refusedDone.message).toMatch(/is pending, so it cannot become done/);

    clock += 1000;
    const running = await owner().messages.claimTask({ id: task.id, as: 'worker' });
    expect(running).toMatchObject({
      status: 'running',
      claimedBy: 'leo/worker',
      claimedAt: clock,
      expiresAt: clock + 86_400_000,
    });
    const second = await errorOf(owner().messages.claimTask({ id: task.id }));
    expect(second.code).toBe('CONFLICT');
    expect(second.message).toMatch(/is running \(claimed by leo\/worker\)/);

    const done = await owner().messages.completeTask({
      id: task.id,
      status: 'done',
      result: 'node 393MB',
    });
    expect(done).toMatchObject({ status: 'done', result: 'node 393MB', finishedAt: clock });
    for (const attempt of [
      owner().messages.claimTask({ id: task.id }),
      owner().messages.completeTask({ id: task.id, status: 'failed', result: null }),
    ]) {
      expect((await errorOf(attempt)).code).toBe('CONFLICT');
    }
    expect(await owner().messages.getTask({ id: task.id })).toEqual(done);

    const failed = await owner().messages.postTask({ description: 'flaky', id: 'job-2' });
    await owner().messages.claimTask({ id: failed.id });
    await owner().messages.completeTask({ id: failed.id, status: 'failed', result: 'exit 1' });
    expect((await owner().messages.listTasks({ status: 'failed' })).tasks.map((t) => t.id)).toEqual(
      ['job-2'],
    );
    expect((await owner().messages.listTasks()).tasks).toHaveLength(2);
    expect((await errorOf(owner().messages.postTask({ description: 'x', id: 'job-2' }))).code).toBe(
      'CONFLICT',
    );
    expect((await errorOf(owner().messages.getTask({ id: 'nope' }))).code).toBe('NOT_FOUND');
    expect((await errorOf(owner().messages.postTask({ to: 'kai', description: 'x' }))).code).toBe(
      'BAD_REQUEST',
    );
  });

  it('reads and advances task records written by plain context agents', async () => {
    await owner().context.set({
      key: 'task:001',
      value: JSON.stringify({
        id: '001',
        from: 'leo',
        assignee: 'leo',
        description: 'Gather system metrics',
        status: 'pending',
        result: null,
      }),
      ttlSeconds: 3600,
    });
    expect(await owner().messages.getTask({ id: '001' })).toEqual({
      id: '001',
      from: 'leo',
      assignee: 'leo',
      description: 'Gather system metrics',
      status: 'pending',
      result: null,
      expiresAt: clock + 3600_000,
    });
    await owner().messages.claimTask({ id: '001' });
    const stored = JSON.parse((await owner().context.get({ key: 'task:001' })).value);
    expect(stored).toMatchObject({ id: '001', status: 'running', claimedBy: 'leo' });

    await owner().context.set({ key: 'task:broken', value: '{"id":"broken","status":"weird"}' });
    const broken = await errorOf(owner().messages.getTask({ id: 'broken' }));
    expect(broken.code).toBe('BAD_REQUEST');
    expect(broken.message).toMatch(/task:broken is not a task record/);
    expect((await owner().messages.listTasks()).skipped).toEqual([
      { key: 'task:broken', reason: expect.stringMatching(/not a task record/) },
    ]);
  });
});
