// Owns what a viewer receives: a snapshot or resumed bytes, then live output by offset, within a bounded backlog.
import { setTimeout as sleep } from 'node:timers/promises';
import { BadInput } from '../../errors.js';
import type { TerminalSession } from './terminal-session.js';

export type OutputEvent =
  | {
      type: 'snapshot';
      offset: number;
      data: string;
      cols: number;
      rows: number;
      skippedBytes: number;
    }
  | { type: 'data'; offset: number; data: string }
  | { type: 'exit'; exitCode: number; signal: number | null };

const CHUNK_BYTES = 64 * 1024;
/** Bytes a transport may hold unsent for one viewer before the stream waits (keeps memory bounded). */
const HIGH_WATER_BYTES = 512 * 1024;

export interface OutputStreamOptions {
  /** The last id this viewer saw (an offset), to resume without loss or repetition. */
  lastEventId?: string | null | undefined;
  signal?: AbortSignal | undefined;
  /** Bytes waiting to be sent on the viewer's socket. */
  backlog?: (() => number) | undefined;
}

export async function* streamOutput(
  session: TerminalSession,
  opts: OutputStreamOptions,
): AsyncGenerator<{ id: string; event: OutputEvent }> {
  const { signal } = opts;
  let pos: number;
  if (opts.lastEventId === undefined || opts.lastEventId === null) {
    const snap = await session.snapshot();
    yield { id: String(snap.offset), event: { type: 'snapshot', ...snap, skippedBytes: 0 } };
    pos = snap.offset;
  } else {
    pos = parseOffset(opts.lastEventId, session.buffer.end);
  }
  while (!signal?.aborted) {
    const read = session.buffer.read(pos, CHUNK_BYTES);
    if (read.kind === 'gap') {
      // The viewer fell further behind than the buffer holds: redraw from the screen mirror instead.
      const snap = await session.snapshot();
      yield {
        id: String(snap.offset),
        event: { type: 'snapshot', ...snap, skippedBytes: Math.max(0, read.available - pos) },
      };
      pos = snap.offset;
      continue;
    }
    if (read.kind === 'data') {
      while (opts.backlog && opts.backlog() > HIGH_WATER_BYTES && !signal?.aborted) await sleep(5);
      pos += read.data.length;
      yield {
        id: String(pos),
        event: { type: 'data', offset: read.offset, data: read.data.toString('base64') },
      };
      continue;
    }
    const exit = session.exitInfo;
    if (exit) {
      yield { id: String(pos), event: { type: 'exit', exitCode: exit.code, signal: exit.signal } };
      return;
    }
    await session.waitForOutput(pos, signal);
  }
}

function parseOffset(id: string, end: number): number {
  const n = Number(id);
  if (!Number.isSafeInteger(n) || n < 0 || n > end) {
    throw new BadInput(
      `"${id}" is not an output position of this session; subscribe without lastEventId.`,
    );
  }
  return n;
}
