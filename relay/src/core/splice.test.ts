import { describe, expect, it, vi } from 'vitest';
import { CloseCode } from './close-codes.js';
import { MAX_DATA_FRAME } from './protocol.js';
import { createSplice, type SpliceFrame, type SpliceSocket, type SpliceTimers } from './splice.js';

class FakeSocket implements SpliceSocket {
  sent: SpliceFrame[] = [];
  closes: Array<[number, string]> = [];
  bufferedAmount = 0;
  paused = false;
  pauses = 0;
  resumes = 0;
  send(data: SpliceFrame): void {
    this.sent.push(data);
  }
  close(code: number, reason: string): void {
    this.closes.push([code, reason]);
  }
  pause(): void {
    this.paused = true;
    this.pauses++;
  }
  resume(): void {
    this.paused = false;
    this.resumes++;
  }
}

/** Timers the test fires by hand, so backpressure is checked without waiting. */
function manualTimers(): SpliceTimers & { fire(): void; pending(): number } {
  const queue = new Map<number, () => void>();
  let next = 0;
  return {
    set(fn) {
      queue.set(++next, fn);
      return next;
    },
    clear(handle) {
      queue.delete(handle as number);
    },
    fire() {
      const fns = [...queue.values()];
      queue.clear();
      for (const fn of fns) fn();
    },
    pending: () => queue.size,
  };
}

describe('splice', () => {
  it('forwards binary and text frames untouched, both ways, in order', () => {
    const a = new FakeSocket();
    const b = new FakeSocket();
    const splice = createSplice(a, b);
    const bin = new Uint8Array([0, 1, 2, 255]);
    const empty = new Uint8Array();
    splice.receive('a', bin);
    splice.receive('a', 'héllo 😀');
    splice.receive('a', empty);
    splice.receive('a', '');
    splice.receive('b', 'reply');
    splice.receive('b', new Uint8Array([9]));
    expect(b.sent).toEqual([bin, 'héllo 😀', empty, '']);
    expect(b.sent[0]).toBe(bin);
    expect(typeof b.sent[1]).toBe('string');
    expect(a.sent).toEqual(['reply', new Uint8Array([9])]);
  });

  it('forwards a frame of exactly the limit and closes both sides on a larger one', () => {
    const a = new FakeSocket();
    const b = new FakeSocket();
    const onClose = vi.fn();
    const splice = createSplice(a, b, { onClose });
    splice.receive('a', new Uint8Array(MAX_DATA_FRAME));
    expect(b.sent).toHaveLength(1);
    splice.receive('b', new Uint8Array(MAX_DATA_FRAME + 1));
    expect(a.sent).toHaveLength(0);
    expect(a.closes).toEqual([[CloseCode.FRAME_TOO_LARGE, 'frame-too-large']]);
    expect(b.closes).toEqual([[CloseCode.FRAME_TOO_LARGE, 'frame-too-large']]);
    expect(onClose).toHaveBeenCalledWith({
      code: CloseCode.FRAME_TOO_LARGE,
      reason: 'frame-too-large',
      by: 'relay',
    });
    splice.receive('a', 'after');
    expect(b.sent).toHaveLength(1);
    expect(splice.isClosed).toBe(true);
  });

  it('measures text frames in UTF-8 bytes', () => {
    const limit = 30;
    const a = new FakeSocket();
    const b = new FakeSocket();
    const splice = createSplice(a, b, { maxFrame: limit });
    splice.receive('a', 'é'.repeat(15));
    expect(b.sent).toHaveLength(1);
    splice.receive('a', 'é'.repeat(16));
    expect(b.closes[0]?.[0]).toBe(CloseCode.FRAME_TOO_LARGE);
  });

  it.each([
    [4321, 'app says bye', 4321, 'app says bye'],
    [CloseCode.REVOKED, 'revoked', CloseCode.REVOKED, 'revoked'],
    [3000, 'x', 3000, 'x'],
    [1000, 'normal', CloseCode.GOING_AWAY, 'going-away'],
    [1001, '', CloseCode.GOING_AWAY, 'going-away'],
    [1005, '', CloseCode.GOING_AWAY, 'going-away'],
    [1006, '', CloseCode.GOING_AWAY, 'going-away'],
    [1009, '', CloseCode.GOING_AWAY, 'going-away'],
  ])('closes the other side with %i → %i', (code, reason, expectedCode, expectedReason) => {
    const a = new FakeSocket();
    const b = new FakeSocket();
    const onClose = vi.fn();
    const splice = createSplice(a, b, { onClose });
    splice.closed('a', code, reason);
    expect(b.closes).toEqual([[expectedCode, expectedReason]]);
    expect(a.closes).toEqual([]);
    expect(onClose).toHaveBeenCalledWith({ code: expectedCode, reason: expectedReason, by: 'a' });
    splice.closed('b', 1000, '');
    splice.close(CloseCode.INTERNAL);
    expect(b.closes).toHaveLength(1);
    expect(onClose).toHaveBeenCalledTimes(1);
  });

  it('does not forward an over-long close reason', () => {
    const a = new FakeSocket();
    const b = new FakeSocket();
    createSplice(a, b).closed('b', 4000, 'x'.repeat(200));
    expect(a.closes).toEqual([[4000, 'code-4000']]);
  });

  it('closes both sides on request (revocation)', () => {
    const a = new FakeSocket();
    const b = new FakeSocket();
    createSplice(a, b).close(CloseCode.REVOKED, 'phone removed');
    expect(a.closes).toEqual([[CloseCode.REVOKED, 'phone removed']]);
    expect(b.closes).toEqual([[CloseCode.REVOKED, 'phone removed']]);
  });

  it('ends with INTERNAL when a send throws', () => {
    const a = new FakeSocket();
    const b = new FakeSocket();
    b.send = () => {
      throw new Error('gone');
    };
    createSplice(a, b).receive('a', 'x');
    expect(a.closes[0]?.[0]).toBe(CloseCode.INTERNAL);
  });

  it('pauses the sender above 1 MiB queued at the receiver and resumes below 256 KiB', () => {
    const a = new FakeSocket();
    const b = new FakeSocket();
    const timers = manualTimers();
    const splice = createSplice(a, b, { timers });
    b.bufferedAmount = 1024 * 1024;
    splice.receive('a', 'x');
    expect(a.paused).toBe(false);
    b.bufferedAmount = 1024 * 1024 + 1;
    splice.receive('a', 'x');
    expect(a.paused).toBe(true);
    expect(splice.isPaused('a')).toBe(true);
    expect(b.paused).toBe(false);
    // Frames already read still go through; pausing only stops further reads.
    splice.receive('a', 'y');
    expect(b.sent).toEqual(['x', 'x', 'y']);
    expect(a.pauses).toBe(1);

    b.bufferedAmount = 300 * 1024;
    timers.fire();
    expect(a.paused).toBe(true);
    expect(timers.pending()).toBe(1);
    b.bufferedAmount = 256 * 1024 - 1;
    timers.fire();
    expect(a.paused).toBe(false);
    expect(a.resumes).toBe(1);
    expect(timers.pending()).toBe(0);
  });

  it('handles each direction on its own and resumes at once on drained()', () => {
    const a = new FakeSocket();
    const b = new FakeSocket();
    const timers = manualTimers();
    const splice = createSplice(a, b, { timers });
    a.bufferedAmount = 2 * 1024 * 1024;
    splice.receive('b', new Uint8Array(1));
    expect(b.paused).toBe(true);
    expect(a.paused).toBe(false);
    a.bufferedAmount = 0;
    splice.drained();
    expect(b.paused).toBe(false);
  });

  it('resumes a paused socket when the splice ends, so its close handshake can finish', () => {
    const a = new FakeSocket();
    const b = new FakeSocket();
    const timers = manualTimers();
    const splice = createSplice(a, b, { timers });
    b.bufferedAmount = 5 * 1024 * 1024;
    splice.receive('a', 'x');
    expect(a.paused).toBe(true);
    splice.closed('b', 1000, '');
    expect(a.paused).toBe(false);
    expect(timers.pending()).toBe(0);
  });

  it('works with sockets that cannot pause', () => {
    const a: SpliceSocket = { send: vi.fn(), close: vi.fn(), bufferedAmount: 0 };
    const send = vi.fn();
    const b: SpliceSocket = { send, close: vi.fn(), bufferedAmount: 10 * 1024 * 1024 };
    const splice = createSplice(a, b);
    splice.receive('a', 'x');
    expect(send).toHaveBeenCalledWith('x');
    expect(splice.isPaused('a')).toBe(false);
  });
});
