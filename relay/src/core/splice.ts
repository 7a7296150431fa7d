// Owns the splice: forwards frames between a phone socket and a daemon socket untouched, with limits and backpressure.
import { CloseCode, closeReason, isApplicationCloseCode } from './close-codes.js';
import { MAX_DATA_FRAME, utf8ByteLength } from './protocol.js';

/** The little a host's socket must offer; Node `ws` and Workers' WebSocket both fit behind an adapter. */
export interface SpliceSocket {
  send(data: Uint8Array | string): void;
  close(code: number, reason: string): void;
  readonly bufferedAmount: number;
  /** Stops reading from the socket (Node); hosts without it get no backpressure on that side. */
  pause?(): void;
  resume?(): void;
}

export type SpliceSide = 'a' | 'b';
export type SpliceFrame = Uint8Array | string;

export interface SpliceTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

export interface SpliceCloseEvent {
  /** The code both sides ended with. */
  code: number;
  reason: string;
  /** The side whose close ended the splice, or `relay` when the relay ended it. */
  by: SpliceSide | 'relay';
}

export interface SpliceOptions {
  maxFrame?: number;
  /** Pause the sender when the receiver has more than this many bytes queued (default 1 MiB). */
  highWaterMark?: number;
  /** Resume the sender once the receiver's queue is below this (default 256 KiB). */
  lowWaterMark?: number;
  /** How often a paused direction re-checks the receiver's queue (default 10 ms). */
  pollMs?: number;
  timers?: SpliceTimers;
  onClose?: (event: SpliceCloseEvent) => void;
}

export interface Splice {
  /** A frame arrived on `side`: it goes to the other side exactly as it came. */
  receive(side: SpliceSide, frame: SpliceFrame): void;
  /** `side` closed: the other side is closed with the same code (GOING_AWAY for non-application codes). */
  closed(side: SpliceSide, code: number, reason?: string): void;
  /** Ends both sides with one code (revocation, oversize, shutdown). */
  close(code: number, reason?: string): void;
  /** Re-checks backpressure now, for hosts that get a drain event. */
  drained(): void;
  readonly isClosed: boolean;
  isPaused(side: SpliceSide): boolean;
}

const DEFAULT_TIMERS: SpliceTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export function createSplice(a: SpliceSocket, b: SpliceSocket, opts: SpliceOptions = {}): Splice {
  const maxFrame = opts.maxFrame ?? MAX_DATA_FRAME;
  const high = opts.highWaterMark ?? 1024 * 1024;
  const low = opts.lowWaterMark ?? 256 * 1024;
  const pollMs = opts.pollMs ?? 10;
  const timers = opts.timers ?? DEFAULT_TIMERS;
  const sockets = { a, b };
  const paused = { a: false, b: false };
  let poll: unknown;
  let ended = false;

  const other = (side: SpliceSide): SpliceSide => (side === 'a' ? 'b' : 'a');

  function checkBackpressure(): void {
    for (const side of ['a', 'b'] as const) {
      if (paused[side] && sockets[other(side)].bufferedAmount < low) {
        paused[side] = false;
        sockets[side].resume?.();
      }
    }
    if ((paused.a || paused.b) && poll === undefined && !ended) {
      poll = timers.set(() => {
        poll = undefined;
        checkBackpressure();
      }, pollMs);
    }
  }

  function finish(event: SpliceCloseEvent, targets: SpliceSide[]): void {
    ended = true;
    if (poll !== undefined) timers.clear(poll);
    poll = undefined;
    // A paused socket would never read the peer's close frame, so the close handshake could not finish.
    for (const side of ['a', 'b'] as const) {
      if (paused[side]) {
        paused[side] = false;
        safely(() => sockets[side].resume?.());
      }
    }
    for (const side of targets) safely(() => sockets[side].close(event.code, event.reason));
    safely(() => opts.onClose?.(event));
  }

  return {
    receive(side, frame) {
      if (ended) return;
      if (frameSize(frame, maxFrame) > maxFrame) {
        finish(
          {
            code: CloseCode.FRAME_TOO_LARGE,
            reason: closeReason(CloseCode.FRAME_TOO_LARGE),
            by: 'relay',
          },
          ['a', 'b'],
        );
        return;
      }
      const to = sockets[other(side)];
      try {
        to.send(frame);
      } catch {
        finish({ code: CloseCode.INTERNAL, reason: closeReason(CloseCode.INTERNAL), by: 'relay' }, [
          'a',
          'b',
        ]);
        return;
      }
      const from = sockets[side];
      if (!paused[side] && from.pause && to.bufferedAmount > high) {
        paused[side] = true;
        from.pause();
        checkBackpressure();
      }
    },
    closed(side, code, reason) {
      if (ended) return;
      const forwarded = isApplicationCloseCode(code) ? code : CloseCode.GOING_AWAY;
      const text =
        forwarded === code && reason !== undefined && utf8ByteLength(reason) <= 123
          ? reason
          : closeReason(forwarded);
      finish({ code: forwarded, reason: text, by: side }, [other(side)]);
    },
    close(code, reason) {
      if (ended) return;
      const text =
        reason !== undefined && utf8ByteLength(reason) <= 123 ? reason : closeReason(code);
      finish({ code, reason: text, by: 'relay' }, ['a', 'b']);
    },
    drained() {
      if (!ended) checkBackpressure();
    },
    get isClosed() {
      return ended;
    },
    isPaused(side) {
      return paused[side];
    },
  };
}

/** Exact size up to the limit; stops counting text once it is clearly over. */
function frameSize(frame: SpliceFrame, limit: number): number {
  if (typeof frame !== 'string') return frame.byteLength;
  if (frame.length > limit) return frame.length;
  if (frame.length * 3 <= limit) return frame.length;
  return utf8ByteLength(frame);
}

function safely(fn: () => void): void {
  try {
    fn();
  } catch {
    // A socket that is already gone cannot be closed or resumed again; the splice is over either way.
  }
}
