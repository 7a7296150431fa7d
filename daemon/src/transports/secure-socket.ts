// Owns the daemon end of an E2E channel as a socket tRPC's WebSocket handler accepts: it seals what tRPC sends
// and opens what arrives, closing the tunnel on any frame that fails to authenticate.
import { EventEmitter } from 'node:events';
import type WebSocket from 'ws';
import type { SecureChannel } from '@loopsy/relay/e2e';

export const DECRYPT_FAILED_CLOSE = 4602;

export class SecureSocket extends EventEmitter {
  constructor(
    private readonly socket: WebSocket,
    private readonly channel: SecureChannel,
    onDecryptFailure: () => void,
    /** Called once, on the first frame that authenticates: the phone is really there (message 1 can be replayed). */
    onFirstFrame: () => void,
  ) {
    super();
    let proven = false;
    socket.on('message', (data, isBinary) => {
      if (!isBinary) {
        onDecryptFailure();
        socket.close(DECRYPT_FAILED_CLOSE, 'plaintext frame on an encrypted tunnel');
        return;
      }
      let plain: Uint8Array | null;
      try {
        plain = channel.open(toBytes(data));
      } catch {
        onDecryptFailure();
        socket.close(DECRYPT_FAILED_CLOSE, 'frame failed to authenticate');
        return;
      }
      if (!proven) {
        proven = true;
        onFirstFrame();
      }
      if (plain)
        this.emit('message', Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength), false);
    });
    socket.on('close', (code, reason) => this.emit('close', code, reason));
    socket.on('error', (err) => this.emit('error', err));
  }

  get readyState(): number {
    return this.socket.readyState;
  }

  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  send(data: string | Buffer): void {
    const bytes = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    this.socket.send(this.channel.seal(bytes), { binary: true });
  }

  close(code?: number, reason?: string): void {
    this.socket.close(code, reason);
  }

  terminate(): void {
    this.socket.terminate();
  }
}

export function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Buffer.isBuffer(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (Array.isArray(data)) return new Uint8Array(Buffer.concat(data));
  return new Uint8Array(data);
}
