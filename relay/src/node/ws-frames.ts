// Owns the seam between Node `ws` sockets and the runtime-neutral splice: frame conversion and the socket adapter.
import { WebSocket, type RawData } from 'ws';
import { closeReason, type SpliceFrame, type SpliceSocket } from '../core/index.js';

/** A received frame as the splice sees it: bytes for binary frames, a string for text frames. */
export function toSpliceFrame(data: RawData, isBinary: boolean): SpliceFrame {
  const bytes = rawBytes(data);
  return isBinary ? bytes : bytes.toString('utf8');
}

export function rawBytes(data: RawData): Buffer {
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.isBuffer(data) ? data : Buffer.from(data);
}

export function spliceSocket(ws: WebSocket): SpliceSocket {
  return {
    send: (data) => ws.send(data, { binary: typeof data !== 'string' }),
    close: (code, reason) => closeSocket(ws, code, reason),
    get bufferedAmount() {
      return ws.bufferedAmount;
    },
    pause: () => ws.pause(),
    resume: () => ws.resume(),
  };
}

/** Closes with a relay close code; a socket already closing keeps the code it has. */
export function closeSocket(ws: WebSocket, code: number, reason: string = closeReason(code)): void {
  if (ws.readyState !== WebSocket.OPEN && ws.readyState !== WebSocket.CONNECTING) return;
  try {
    ws.close(code, reason);
  } catch {
    ws.terminate();
  }
}

/** `ws` reports a frame over maxPayload as an error (and has already closed the socket with 1009). */
export function isTooLarge(err: unknown): boolean {
  return (err as { code?: unknown } | null)?.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH';
}
