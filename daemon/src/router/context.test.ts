import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../config.js';
import { createContextInner } from '../context.js';
import { openServices, type OpenedServices } from '../services.js';
import { makeTempHome, type TempHome } from '../test-support/index.js';
import { createCallerFactory } from '../trpc.js';
import { appRouter } from './index.js';

const createCaller = createCallerFactory(appRouter);
const MiB = 1024 * 1024;
let temp: TempHome;
let opened: OpenedServices;
let clock: number;

function open(): void {
  opened = openServices({
    home: temp.home,
    config: loadConfig(temp.home),
    now: () => clock,
    sweepIntervalMs: 0,
  });
}

function setup(edit?: (c: Config) => void): void {
  temp = makeTempHome(edit);
  clock = 1_700_000_000_000;
  open();
}

beforeEach(() => setup());
afterEach(() => {
  opened.close();
  temp.cleanup();
});

const owner = (signal?: AbortSignal) =>
  createCaller(
    createContextInner({ services: opened.services, transport: 'in-process', token: temp.apiKey }),
    signal ? { signal } : {},
  );

function asCredential(kind: 'phone' | 'peer', name: string) {
  const { token } = opened.services.credentials.issue(kind, name);
  return createCaller(
    createContextInner({ services: opened.services, transport: 'in-process', token }),
  );
}

async function errorOf(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
    return { code: 'ok', message: '' };
  } catch (err) {
    if (err instanceof TRPCError) return { code: err.code, message: err.message };
    throw err;
  }
}

type Change = { type: string; key?: string; reason?: string; entry?: { value: string } };

/**
 * Opens onChange and returns a reader of the next n events (id, event); `close` ends the subscription. Without
 * a lastEventId the stream starts where it is first read, so this reads its `ready` event before returning.
 */
async function subscribe(input: { prefix?: string; lastEventId?: string } = {}) {
  const controller = new AbortController();
  const stream = await owner(controller.signal).context.onChange(input);
  const iterator = (stream as AsyncIterable<unknown>)[Symbol.asyncIterator]();
  const reader = {
    ready: undefined as [string, Change] | undefined,
    async take(n: number): Promise<Array<[string, Change]>> {
      const out: Array<[string, Change]> = [];
      while (out.length < n) {
        const next = await iterator.next();
        if (next.done) throw new Error(`stream ended after ${out.length} of ${n} events`);
        const [id, event] = next.value as [string, Change];
        out.push([id, event]);
      }
      return out;
    },
    async close(): Promise<void> {
      controller.abort();
      await iterator.return?.();
    },
  };
  if (input.lastEventId === undefined) {
    const [ready] = await reader.take(1);
    expect(ready?.[1]).toEqual({ type: 'ready' });
    reader.ready = ready;
  }
  return reader;
}

describe('context store procedures', () => {
  it('sets, gets, lists and deletes entries, recording who wrote them and when', async () => {
    const entry = await owner().context.set({ key: 'build:status', value: 'green' });
    expect(entry).toEqual({
      key: 'build:status',
      value: 'green',
      createdAt: clock,
      updatedAt: clock,
      expiresAt: null,
      updatedBy: 'owner',
    });
    expect(await owner().context.get({ key: 'build:status' })).toEqual(entry);

    clock += 1000;
    const phone = asCredential('phone', 'pixel');
    const updated = await phone.context.set({ key: 'build:status', value: 'red', ttlSeconds: 60 });
    expect(updated).toMatchObject({
      createdAt: entry.createdAt,
      updatedAt: clock,
      expiresAt: clock + 60_000,
      updatedBy: 'phone:pixel',
    });
    expect(await owner().context.set({ key: 'empty', value: '' })).toMatchObject({ value: '' });

    expect((await owner().context.list()).entries.map((e) => e.key)).toEqual([
      'build:status',
      'empty',
    ]);
    expect(await owner().context.delete({ key: 'build:status' })).toEqual({ deleted: true });
    const gone = await errorOf(owner().context.get({ key: 'build:status' }));
    expect(gone.code).toBe('NOT_FOUND');
    expect(gone.message).toMatch(/No context entry "build:status".*loopsy context list/);
    expect((await errorOf(owner().context.delete({ key: 'build:status' }))).code).toBe('NOT_FOUND');
  });

  it('accepts keys of the documented charset up to 256 characters and refuses the rest', async () => {
    const good = [
      'a',
      'inbox:kai/claude:1771732800000-kai-a3f2',
      'ack:leo',
      'user@host+tag',
      'A.b_c-D:9/8',
      'k'.repeat(256),
    ];
    for (const key of good) {
      expect(await errorOf(owner().context.set({ key, value: 'v' })), key).toEqual({
        code: 'ok',
        message: '',
      });
    }
    const bad: Array<[string, RegExp]> = [
      ['', /cannot be empty/],
      ['k'.repeat(257), /at most 256/],
      ['has space', /only these characters/],
      ['ümlaut', /only these characters/],
      ['semi;colon', /only these characters/],
      ['new\nline', /only these characters/],
      ['star*', /only these characters/],
      ['hash#tag', /only these characters/],
      ['back\\slash', /only these characters/],
      ['percent%20', /only these characters/],
    ];
    for (const [key, message] of bad) {
      const err = await errorOf(owner().context.set({ key, value: 'v' }));
      expect(err.code, JSON.stringify(key)).toBe('BAD_REQUEST');
      expect(err.message).toMatch(message);
      expect((await errorOf(owner().context.get({ key }))).code).toBe('BAD_REQUEST');
    }
    expect((await errorOf(owner().context.list({ prefix: 'bad prefix' }))).code).toBe(
      'BAD_REQUEST',
    );
  });

  it('limits values to 1 MiB of UTF-8 bytes, not characters', async () => {
    const exact = 'a'.repeat(MiB);
    expect((await owner().context.set({ key: 'big', value: exact })).value.length).toBe(MiB);
    expect((await owner().context.get({ key: 'big' })).value).toBe(exact);

    const over = await errorOf(owner().context.set({ key: 'big', value: exact + 'a' }));
    expect(over.code).toBe('BAD_REQUEST');
    expect(over.message).toMatch(/at most 1 MiB/);

    // Fewer than 1 Mi characters, but more than 1 MiB once encoded: the reference would have taken it.
    const wide = 'é'.repeat(MiB / 2 + 1);
    const tooWide = await errorOf(owner().context.set({ key: 'wide', value: wide }));
    expect(tooWide.code).toBe('PAYLOAD_TOO_LARGE');
    expect(tooWide.message).toContain(`is ${MiB + 2} bytes of UTF-8; the limit is ${MiB} bytes`);
    expect((await owner().context.set({ key: 'wide', value: 'é'.repeat(MiB / 2) })).key).toBe(
      'wide',
    );

    const lone = await errorOf(owner().context.set({ key: 'lone', value: 'a\uD800b' }));
    expect(lone.code).toBe('BAD_REQUEST');
    expect(lone.message).toMatch(/lone surrogate/);
    expect((await owner().context.set({ key: 'emoji', value: 'ok \u{1F600}' })).value.length).toBe(
      5,
    );
  });

  it('refuses new keys beyond context.maxEntries with a clear error; updates and expired room are fine', async () => {
    opened.close();
    temp.cleanup();
    setup((c) => {
      c.context.maxEntries = 3;
    });
    await owner().context.set({ key: 'a', value: '1' });
    await owner().context.set({ key: 'b', value: '1' });
    await owner().context.set({ key: 'c', value: '1', ttlSeconds: 5 });
    const full = await errorOf(owner().context.set({ key: 'd', value: '1' }));
    expect(full.code).toBe('TOO_MANY_REQUESTS');
    expect(full.message).toMatch(
      /context store is full \(3 entries, context\.maxEntries\).*loopsy context delete/,
    );
    expect((await owner().context.set({ key: 'a', value: '2' })).value).toBe('2');

    // An expired entry does not hold a place: the write sweeps it and says so on the change stream.
    const changes = await subscribe();
    clock += 5000;
    expect((await owner().context.set({ key: 'd', value: '1' })).key).toBe('d');
    const [expired, set] = await changes.take(2);
    expect(expired?.[1]).toEqual({ type: 'expire', key: 'c' });
    expect(set?.[1]).toMatchObject({ type: 'set', key: 'd' });
    await changes.close();

    await owner().context.delete({ key: 'b' });
    expect((await owner().context.set({ key: 'e', value: '1' })).key).toBe('e');
    expect((await owner().system.status()).context).toEqual({ entries: 3 });
  });

  it('never returns an expired entry, and the sweep deletes it and emits expire', async () => {
    await owner().context.set({ key: 'lease:a', value: 'x', ttlSeconds: 10 });
    await owner().context.set({ key: 'lease:b', value: 'y' });
    const changes = await subscribe({ prefix: 'lease:' });
    const ready = changes.ready;

    clock += 9_999;
    expect((await owner().context.get({ key: 'lease:a' })).value).toBe('x');
    expect((await owner().system.status()).context.entries).toBe(2);
    clock += 1;
    expect((await errorOf(owner().context.get({ key: 'lease:a' }))).code).toBe('NOT_FOUND');
    expect((await owner().context.list({ prefix: 'lease:' })).entries.map((e) => e.key)).toEqual([
      'lease:b',
    ]);
    expect((await errorOf(owner().context.delete({ key: 'lease:a' }))).code).toBe('NOT_FOUND');
    expect((await owner().system.status()).context.entries).toBe(1);

    expect(opened.services.context.sweep()).toBe(1);
    expect(opened.services.context.sweep()).toBe(0);
    const [expired] = await changes.take(1);
    expect(expired?.[1]).toEqual({ type: 'expire', key: 'lease:a' });
    expect(Number(expired?.[0])).toBeGreaterThan(Number(ready?.[0]));
    await changes.close();

    // A key written again after it expired starts afresh.
    const again = await owner().context.set({ key: 'lease:a', value: 'z' });
    expect(again).toMatchObject({ createdAt: clock, expiresAt: null });
  });

  it('lists in key order, page by page, by prefix', async () => {
    for (let i = 0; i < 250; i++) {
      await owner().context.set({ key: `job:${String(i).padStart(3, '0')}`, value: String(i) });
    }
    await owner().context.set({ key: 'other', value: '-' });
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await owner().context.list({
        prefix: 'job:',
        ...(cursor ? { cursor } : {}),
      });
      seen.push(...page.entries.map((e) => e.key));
      cursor = page.nextCursor;
      pages++;
    } while (cursor);
    expect(pages).toBe(3);
    expect(seen).toEqual(
      Array.from({ length: 250 }, (_, i) => `job:${String(i).padStart(3, '0')}`),
    );
    const all = await owner().context.list({ limit: 1000 });
    expect(all.entries).toHaveLength(251);
    expect(all.nextCursor).toBeUndefined();
    for (const limit of [0, 1001, 1.5]) {
      expect((await errorOf(owner().context.list({ limit }))).code).toBe('BAD_REQUEST');
    }
    expect((await errorOf(owner().context.list({ cursor: 'not a cursor!' }))).code).toBe(
      'BAD_REQUEST',
    );
  });

  it('pages by value size too, so a list of large values stays bounded', async () => {
    const value = 'v'.repeat(MiB);
    for (const key of ['a', 'b', 'c', 'd', 'e']) await owner().context.set({ key, value });
    const first = await owner().context.list();
    expect(first.entries.map((e) => e.key)).toEqual(['a', 'b', 'c', 'd']);
    const rest = await owner().context.list({ cursor: first.nextCursor ?? '' });
    expect(rest.entries.map((e) => e.key)).toEqual(['e']);
    expect(rest.nextCursor).toBeUndefined();
  });

  it('broadcasts: writes locally and reports one row per online peer (none yet)', async () => {
    const result = await owner().context.broadcast({
      key: 'release',
      value: '1.2',
      ttlSeconds: 60,
    });
    expect(result).toEqual({
      local: expect.objectContaining({ key: 'release', value: '1.2', expiresAt: clock + 60_000 }),
      peers: [],
    });
    expect((await owner().context.get({ key: 'release' })).value).toBe('1.2');
  });

  it('acts on this machine only until peers exist, and counts against the context rate limit', async () => {
    expect((await owner().context.set({ key: 'k', value: 'v', peer: 'local' })).key).toBe('k');
    const remote = await errorOf(owner().context.get({ key: 'k', peer: 'kai' }));
    expect(remote.code).toBe('BAD_REQUEST');
    expect(remote.message).toMatch(/peers are not available yet/);

    opened.close();
    temp.cleanup();
    setup((c) => {
      c.rateLimits.context = 3;
    });
    const phone = asCredential('phone', 'pixel');
    for (let i = 0; i < 3; i++) await phone.context.set({ key: `p${i}`, value: 'v' });
    expect((await errorOf(phone.context.get({ key: 'p0' }))).code).toBe('TOO_MANY_REQUESTS');
    for (let i = 0; i < 5; i++) await owner().context.get({ key: 'p0' });
  });
});

describe('context.onChange', () => {
  it('streams set, delete and expire with increasing ids, filtered by prefix', async () => {
    const all = await subscribe();
    const jobs = await subscribe({ prefix: 'job:' });
    await owner().context.set({ key: 'job:1', value: 'a', ttlSeconds: 1 });
    await owner().context.set({ key: 'note', value: 'b' });
    await owner().context.delete({ key: 'note' });
    clock += 1000;
    opened.services.context.sweep();

    const events = [all.ready!, ...(await all.take(4))];
    expect(events.map(([, e]) => [e.type, e.key])).toEqual([
      ['ready', undefined],
      ['set', 'job:1'],
      ['set', 'note'],
      ['delete', 'note'],
      ['expire', 'job:1'],
    ]);
    expect(events[1]?.[1].entry).toMatchObject({ value: 'a', updatedBy: 'owner' });
    const ids = events.map(([id]) => Number(id));
    expect(ids.slice(1)).toEqual([ids[0]! + 1, ids[0]! + 2, ids[0]! + 3, ids[0]! + 4]);
    expect((await jobs.take(2)).map(([, e]) => [e.type, e.key])).toEqual([
      ['set', 'job:1'],
      ['expire', 'job:1'],
    ]);
    await all.close();
    await jobs.close();
  });

  it('resumes from lastEventId with exactly the missed events, in order', async () => {
    const first = await subscribe();
    for (let i = 0; i < 5; i++) await owner().context.set({ key: `k${i}`, value: String(i) });
    const seen = await first.take(3); // k0, k1, k2: then the reader drops
    await first.close();
    const lastEventId = seen.at(-1)?.[0] ?? '';
    await owner().context.delete({ key: 'k0' });

    const resumed = await subscribe({ lastEventId });
    await owner().context.set({ key: 'live', value: 'x' });
    const rest = await resumed.take(4);
    expect(rest.map(([, e]) => [e.type, e.key])).toEqual([
      ['set', 'k3'],
      ['set', 'k4'],
      ['delete', 'k0'],
      ['set', 'live'],
    ]);
    expect(rest.map(([id]) => Number(id))).toEqual(
      [1, 2, 3, 4].map((n) => Number(lastEventId) + n),
    );
    await resumed.close();
  });

  it('says reset when the reader is further behind than the bounded log, then carries on', async () => {
    opened.close();
    temp.cleanup();
    setup((c) => {
      c.context.changeLogEvents = 10;
    });
    const first = await subscribe();
    const readyId = first.ready?.[0] ?? '';
    await first.close();
    for (let i = 0; i < 25; i++) await owner().context.set({ key: `k${i}`, value: String(i) });

    const behind = await subscribe({ lastEventId: readyId });
    const [reset] = await behind.take(1);
    await owner().context.set({ key: 'after', value: 'x' });
    const [next] = await behind.take(1);
    expect(reset?.[1]).toMatchObject({ type: 'reset', reason: 'behind' });
    expect(reset?.[1]).toHaveProperty('message', expect.stringMatching(/list the entries again/));
    expect(Number(reset?.[0])).toBe(Number(readyId) + 25);
    expect(next?.[1]).toMatchObject({ type: 'set', key: 'after' });
    await behind.close();

    // Just inside the log: no reset, the last ten changes exactly.
    const inside = await subscribe({ lastEventId: String(Number(readyId) + 16) });
    expect((await inside.take(10)).map(([, e]) => e.key)).toEqual([
      ...Array.from({ length: 9 }, (_, i) => `k${i + 16}`),
      'after',
    ]);
    await inside.close();

    const unknown = await subscribe({ lastEventId: '999999' });
    const [[, e]] = (await unknown.take(1)) as [[string, Change]];
    expect(e).toMatchObject({ type: 'reset', reason: 'unknown-id' });
    await unknown.close();
    expect((await errorOf(owner().context.onChange({ lastEventId: 'abc' }))).code).toBe(
      'BAD_REQUEST',
    );
  });

  it('keeps event ids across a restart: a caught-up reader resumes without a reset', async () => {
    const first = await subscribe();
    await owner().context.set({ key: 'before', value: '1' });
    const [[lastId = '']] = (await first.take(1)) as [[string, Change]];
    await first.close();

    opened.close();
    open();
    expect((await owner().context.get({ key: 'before' })).value).toBe('1');
    const resumed = await subscribe({ lastEventId: lastId });
    await owner().context.set({ key: 'after', value: '2' });
    const [[id, event]] = (await resumed.take(1)) as [[string, Change]];
    expect(event).toMatchObject({ type: 'set', key: 'after' });
    expect(Number(id)).toBe(Number(lastId) + 1);
    await resumed.close();

    // A reader that had not seen the last change before the restart cannot be served exactly: reset.
    const stale = await subscribe({ lastEventId: String(Number(lastId) - 1) });
    const [[, staleEvent]] = (await stale.take(1)) as [[string, Change]];
    expect(staleEvent).toMatchObject({ type: 'reset', reason: 'behind' });
    await stale.close();
  });
});
