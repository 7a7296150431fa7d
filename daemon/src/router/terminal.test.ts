import headless from '@xterm/headless';
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

beforeEach(() => {
  temp = makeTempHome((c) => {
    c.terminal.exitedGraceSeconds = 60;
    c.terminal.idleReapSeconds = 3600;
  });
  clock = Date.now();
  opened = openServices({
    home: temp.home,
    config: loadConfig(temp.home),
    now: () => clock,
    sweepIntervalMs: 0,
  });
});
afterEach(() => {
  opened.close();
  temp.cleanup();
});

const caller = (signal?: AbortSignal) =>
  createCaller(
    createContextInner({ services: opened.services, transport: 'in-process', token: temp.apiKey }),
    signal ? { signal } : {},
  );

type OutputEvent =
  | { type: 'snapshot'; offset: number; data: string; skippedBytes: number }
  | { type: 'data'; offset: number; data: string }
  | { type: 'exit'; exitCode: number; signal: number | null };

/** Reads output events until `until` says stop; returns the ids and events seen. */
async function readOutput(
  id: string,
  until: (bytes: string, events: OutputEvent[]) => boolean,
  lastEventId?: string,
): Promise<{ lastId: string; events: OutputEvent[]; bytes: string }> {
  const controller = new AbortController();
  const stream = await caller(controller.signal).terminal.onOutput({
    id,
    ...(lastEventId ? { lastEventId } : {}),
  });
  const events: OutputEvent[] = [];
  let bytes = '';
  let lastId = lastEventId ?? '';
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, 15_000);
  for await (const envelope of stream as AsyncIterable<unknown>) {
    const [eid, event] = envelope as [string, OutputEvent];
    lastId = eid;
    events.push(event);
    if (event.type === 'data') bytes += Buffer.from(event.data, 'base64').toString('latin1');
    if (until(bytes, events)) break;
  }
  clearTimeout(timer);
  controller.abort();
  if (timedOut)
    throw new Error(
      `no match; saw ${JSON.stringify(bytes.slice(-300))} in ${events.length} events`,
    );
  return { lastId, events, bytes };
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return err instanceof TRPCError ? err.code : String(err);
  }
}

function shell(extra: Record<string, unknown> = {}) {
  return caller().terminal.create({
    agent: 'shell',
    env: { SHELL: '/bin/sh', PS1: '$ ' },
    args: [],
    cols: 80,
    rows: 24,
    ...extra,
  });
}

async function waitFor<T>(fn: () => Promise<T>, ok: (v: T) => boolean, ms = 10_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (ok(v) || Date.now() > deadline) return v;
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('terminal router', () => {
  it('runs a real shell: typed input echoes, output streams, exit is reported', async () => {
    const s = await shell({ name: 'work' });
    expect(s).toMatchObject({ name: 'work', agent: 'shell', state: 'running', cols: 80, rows: 24 });
    await caller().terminal.write({ id: 'work', data: 'echo $((6*7))\r' });
    const out = await readOutput(s.id, (bytes) => /\D42\r\n/.test(bytes));
    expect(out.events[0]?.type).toBe('snapshot');
    expect(out.bytes).toMatch(/\D42\r\n/);
    await caller().terminal.write({ id: s.id, data: 'exit 7\r' });
    const info = await waitFor(
      () => caller().terminal.get({ id: s.id }),
      (i) => i.state === 'exited',
    );
    expect(info.exitCode).toBe(7);
    const tail = await readOutput(s.id, (_b, ev) => ev.some((e) => e.type === 'exit'), out.lastId);
    expect(tail.events.at(-1)).toEqual({ type: 'exit', exitCode: 7, signal: null });
    expect(await codeOf(caller().terminal.write({ id: s.id, data: 'x' }))).toBe('CONFLICT');
  });

  it('renders escape sequences: the screen mirror and a late viewer see the same screen', async () => {
    const s = await shell();
    await caller().terminal.write({
      id: s.id,
      data: "clear; printf '\\033[?1049h\\033[2J\\033[3;5HTOP-LEFT\\033[10;20H\\033[7mINVERSE\\033[0m\\033[24;1HSTATUS'; sleep 30\r",
    });
    const screen = await waitFor(
      () => caller().terminal.screen({ id: s.id }),
      (v) => v.lines.some((l) => l.includes('STATUS')),
    );
    expect(screen.lines[2]?.slice(4, 12)).toBe('TOP-LEFT');
    expect(screen.lines[9]?.slice(19, 26)).toBe('INVERSE');
    expect(screen.lines[23]?.startsWith('STATUS')).toBe(true);

    // A viewer arriving now gets a snapshot that redraws the same screen on a fresh terminal.
    const late = await readOutput(s.id, (_b, ev) => ev.length >= 1);
    const snap = late.events[0];
    expect(snap?.type).toBe('snapshot');
    const term = new headless.Terminal({ cols: 80, rows: 24, allowProposedApi: true });
    await new Promise<void>((r) => term.write(snap?.type === 'snapshot' ? snap.data : '', r));
    const rendered = Array.from(
      { length: 24 },
      (_, y) =>
        term.buffer.active.getLine(term.buffer.active.viewportY + y)?.translateToString(true) ?? '',
    );
    expect(rendered).toEqual(screen.lines);
    term.dispose();
    await caller().terminal.kill({ id: s.id });
  });

  it('resumes from lastEventId with no byte lost or repeated', async () => {
    const s = await shell();
    await caller().terminal.write({ id: s.id, data: 'stty -echo; seq 1 20000; echo END\r' });
    const first = await readOutput(s.id, (bytes) => bytes.length > 5000);
    const rest = await readOutput(s.id, (bytes) => bytes.includes('END'), first.lastId);
    const all = first.bytes + rest.bytes;
    const expected = Array.from({ length: 20000 }, (_, i) => String(i + 1)).join('\r\n');
    expect(all).toContain(expected);
    expect(all.indexOf('\r\n1\r\n2\r\n')).toBe(all.lastIndexOf('\r\n1\r\n2\r\n'));
    await caller().terminal.kill({ id: s.id });
  });

  it('gives a viewer behind the buffer a snapshot and says how many bytes it skipped', async () => {
    opened.close();
    opened = openServices({
      home: temp.home,
      config: {
        ...loadConfig(temp.home),
        terminal: { ...loadConfig(temp.home).terminal, bufferBytes: 64 * 1024 },
      },
      now: () => clock,
      sweepIntervalMs: 0,
    });
    const s = await shell();
    await caller().terminal.write({ id: s.id, data: 'seq 1 100000; echo DONE\r' });
    await waitFor(
      () => caller().terminal.get({ id: s.id }),
      (i) => i.outputBytes > 300_000,
    );
    await waitFor(
      () => caller().terminal.screen({ id: s.id }),
      (v) => v.lines.some((l) => l.includes('DONE')),
    );
    const resumed = await readOutput(s.id, (_b, ev) => ev.length >= 1, '10');
    expect(resumed.events[0]).toMatchObject({ type: 'snapshot' });
    expect((resumed.events[0] as { skippedBytes: number }).skippedBytes).toBeGreaterThan(200_000);
    await caller().terminal.kill({ id: s.id });
  });

  it('finds sessions by id, name or prefix; renames; refuses duplicates and unknown ids', async () => {
    const a = await shell({ name: 'alpha' });
    expect((await caller().terminal.get({ id: a.id.slice(0, 8) })).id).toBe(a.id);
    expect(await codeOf(shell({ name: 'alpha' }))).toBe('CONFLICT');
    await caller().terminal.rename({ id: 'alpha', name: 'beta' });
    expect((await caller().terminal.get({ id: 'beta' })).id).toBe(a.id);
    expect(await codeOf(caller().terminal.get({ id: 'nope' }))).toBe('NOT_FOUND');
    expect(await codeOf(caller().terminal.write({ id: 'nope', data: 'x' }))).toBe('NOT_FOUND');
    expect((await caller().terminal.list()).map((s) => s.name)).toEqual(['beta']);
    await caller().terminal.remove({ id: 'beta' });
    expect(await caller().terminal.list()).toEqual([]);
  });

  it('rejects absurd sizes, relative folders and missing agents with clear errors', async () => {
    expect(await codeOf(shell({ cols: 0 }))).toBe('BAD_REQUEST');
    expect(await codeOf(shell({ cols: 100000 }))).toBe('BAD_REQUEST');
    expect(await codeOf(shell({ cwd: 'relative/dir' }))).toBe('BAD_REQUEST');
    const missing = await caller()
      .terminal.create({ agent: 'claude', env: { PATH: '/nonexistent' }, cols: 80, rows: 24 })
      .catch((e: unknown) => e as TRPCError);
    expect((missing as TRPCError).code).toBe('NOT_FOUND');
    expect((missing as TRPCError).message).toMatch(/Claude Code .* not installed/);
    const smuggled = await codeOf(
      caller().terminal.create({
        agent: 'claude',
        args: ['--dangerously-skip-permissions'],
        cols: 80,
        rows: 24,
      }),
    );
    expect(smuggled).toBe('FORBIDDEN');
  });

  it('resizes the PTY to the most recent active viewer', async () => {
    const s = await shell();
    await caller().terminal.resize({ id: s.id, cols: 100, rows: 30, viewerId: 'phone' });
    await caller().terminal.resize({ id: s.id, cols: 200, rows: 50, viewerId: 'laptop' });
    await caller().terminal.write({ id: s.id, data: 'stty size\r', viewerId: 'phone' });
    const out = await readOutput(s.id, (bytes) => bytes.includes('30 100'));
    expect(out.bytes).toContain('30 100');
    expect((await caller().terminal.get({ id: s.id })).cols).toBe(100);
    await caller().terminal.kill({ id: s.id });
  });

  it('reaps exited sessions after the grace period and idle ones nobody watches', async () => {
    const done = await shell();
    const idle = await shell();
    await caller().terminal.write({ id: done.id, data: 'exit 0\r' });
    await waitFor(
      () => caller().terminal.get({ id: done.id }),
      (i) => i.state === 'exited',
    );
    opened.services.terminals.sweep();
    expect((await caller().terminal.list()).length).toBe(2);
    clock += 61_000;
    opened.services.terminals.sweep();
    expect((await caller().terminal.list()).map((s) => s.id)).toEqual([idle.id]);
    clock += 3600_000;
    opened.services.terminals.sweep();
    expect(await caller().terminal.list()).toEqual([]);
  });

  it('streams lifecycle events, resumable by id', async () => {
    const s = await shell({ name: 'evt' });
    await caller().terminal.rename({ id: s.id, name: 'evt2' });
    await caller().terminal.remove({ id: s.id });
    const read = async (lastEventId: string) => {
      const controller = new AbortController();
      const events = await caller(controller.signal).terminal.onEvent({ lastEventId });
      const seen: Array<[string, { type: string }]> = [];
      for await (const envelope of events as AsyncIterable<unknown>) {
        seen.push(envelope as [string, { type: string }]);
        if (seen.some(([, e]) => e.type === 'removed')) break;
      }
      controller.abort();
      return seen;
    };
    const all = await read('0');
    expect(all.map(([, e]) => e.type)).toEqual(['created', 'renamed', 'removed']);
    const resumed = await read(all[0]?.[0] ?? '');
    expect(resumed.map(([, e]) => e.type)).toEqual(['renamed', 'removed']);
  });
});
