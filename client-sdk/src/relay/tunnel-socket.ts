// Owns the phone end of the tunnel: a WebSocket-shaped class that dials the relay, runs the E2E handshake,
// and carries tRPC's text frames sealed, so `createWSClient` works through a relay it cannot read.
import { CONNECT_PSK, fromBase64Url, Initiator, type SecureChannel } from '@loopsy/relay/e2e';
import type { WebSocketLike } from '../client.js';
import type { PhoneCredentials } from './credentials.js';

type Listener = (this: TunnelWebSocket, event: Record<string, unknown>) => void;

const CONNECTING = 0;
const OPEN = 1;
const CLOSING = 2;
const CLOSED = 3;

/** Close codes the tunnel itself uses (relay codes are 44xx). */
export const TunnelClose = { HANDSHAKE_FAILED: 4601, DECRYPT_FAILED: 4602 } as const;

export interface TunnelWebSocket {
  readonly readyState: number;
  binaryType: string;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: string, listener: Listener): void;
  removeEventListener(type: string, listener: Listener): void;
}

/** Returns a WebSocket class for `createWSClient` that reaches the paired daemon through the relay. */
export function tunnelWebSocketClass(creds: PhoneCredentials, Base: WebSocketLike): WebSocketLike {
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  class Tunnel implements TunnelWebSocket {
    static readonly CONNECTING = CONNECTING;
    static readonly OPEN = OPEN;
    static readonly CLOSING = CLOSING;
    static readonly CLOSED = CLOSED;
    readonly CONNECTING = CONNECTING;
    readonly OPEN = OPEN;
    readonly CLOSING = CLOSING;
    readonly CLOSED = CLOSED;
    readyState = CONNECTING;
    binaryType = 'arraybuffer';
    onopen: Listener | null = null;
    onmessage: Listener | null = null;
    onclose: Listener | null = null;
    onerror: Listener | null = null;
    private readonly listeners = new Map<string, Set<Listener>>();
    private readonly socket: InstanceType<WebSocketLike>;
    private channel: SecureChannel | undefined;

    constructor() {
      const url = `${creds.relayUrl.replace(/^http/, 'ws')}/relay/v1/devices/${creds.deviceId}/connect`;
      this.socket = new Base(url, ['loopsy.v1', `loopsy.bearer.${creds.phoneSecret}`]);
      this.socket.binaryType = 'arraybuffer';
      const initiator = new Initiator({
        staticKeys: {
          publicKey: fromBase64Url(creds.phonePublicKey),
          privateKey: fromBase64Url(creds.phonePrivateKey),
        },
        remoteStatic: fromBase64Url(creds.daemonPublicKey),
        psk: CONNECT_PSK,
      });
      this.socket.addEventListener('open', () => {
        this.socket.send(sendable(initiator.writeMessage1(encoder.encode('{}'))));
      });
      this.socket.addEventListener('message', (event: MessageEvent) => {
        const frame = toBytes(event.data);
        if (!frame) return this.fail(TunnelClose.DECRYPT_FAILED, 'unexpected text frame');
        try {
          if (!this.channel) {
            this.channel = initiator.readMessage2(frame).channel;
            this.readyState = OPEN;
            this.emit('open', {});
            return;
          }
          const plain = this.channel.open(frame);
          if (plain) this.emit('message', { data: decoder.decode(plain) });
        } catch {
          this.fail(
            this.channel ? TunnelClose.DECRYPT_FAILED : TunnelClose.HANDSHAKE_FAILED,
            this.channel ? 'a frame failed to decrypt' : 'the laptop did not prove its key',
          );
        }
      });
      this.socket.addEventListener('close', (event: CloseEvent) => {
        // Like a browser WebSocket, a tunnel that never opened reports an error before it closes.
        if (this.readyState === CONNECTING)
          this.emit('error', { message: `tunnel refused (${event.code})` });
        this.finish(event.code, event.reason);
      });
      this.socket.addEventListener('error', () =>
        this.emit('error', { message: 'relay connection error' }),
      );
    }

    send(data: string): void {
      if (this.readyState !== OPEN || !this.channel) throw new Error('The tunnel is not open.');
      this.socket.send(sendable(this.channel.seal(encoder.encode(data))));
    }

    close(code?: number, reason?: string): void {
      if (this.readyState === CLOSED) return;
      // Reported closed at once: on a dead network (a phone waking up) the relay would never answer the
      // closing handshake, and the client must not wait for it before it reconnects.
      this.finish(code ?? 1000, reason ?? '');
      this.socket.close(code ?? 1000, reason);
    }

    private finish(code: number, reason: string): void {
      if (this.readyState === CLOSED) return;
      this.readyState = CLOSED;
      this.emit('close', { code, reason, wasClean: code < 4000 });
    }

    addEventListener(type: string, listener: Listener): void {
      let set = this.listeners.get(type);
      if (!set) this.listeners.set(type, (set = new Set()));
      set.add(listener);
    }

    removeEventListener(type: string, listener: Listener): void {
      this.listeners.get(type)?.delete(listener);
    }

    private fail(code: number, reason: string): void {
      this.emit('error', { message: reason });
      this.socket.close(code, reason);
    }

    private emit(type: string, event: Record<string, unknown>): void {
      const handler = {
        open: this.onopen,
        message: this.onmessage,
        close: this.onclose,
        error: this.onerror,
      }[type];
      handler?.call(this, event);
      for (const l of [...(this.listeners.get(type) ?? [])]) l.call(this, event);
    }
  }
  return Tunnel as unknown as WebSocketLike;
}

function toBytes(data: unknown): Uint8Array | undefined {
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  if (ArrayBuffer.isView(data))
    return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  return undefined;
}

/** The E2E code returns plain Uint8Arrays over ArrayBuffers; the DOM typing wants that spelled out. */
export function sendable(bytes: Uint8Array): Uint8Array<ArrayBuffer> {
  return bytes as Uint8Array<ArrayBuffer>;
}
