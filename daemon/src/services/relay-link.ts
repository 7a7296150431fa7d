// Owns the daemon's one outbound control socket to its relay: connect, heartbeat, capped backoff with jitter,
// request/answer for pairing tokens and phones, and dial requests handed to the tunnel acceptor.
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import type { z } from 'zod';
import { MAX_CONTROL_FRAME, RelayToDaemonSchema } from '@loopsy/relay/core';
import type { RelaySettings } from './relay-settings.js';

type RelayMessage = z.infer<typeof RelayToDaemonSchema>;
export type DialRequest = Extract<RelayMessage, { type: 'dial' }>;

export interface RelayLinkStatus {
  state: 'connecting' | 'connected' | 'backoff' | 'stopped';
  url: string;
  deviceId: string;
  embedded: boolean;
  connectedSince: number | null;
  reconnects: number;
  lastError: string | null;
}

export interface RelayLinkOptions {
  settings: RelaySettings;
  onDial: (dial: DialRequest) => void;
  now?: () => number;
  random?: () => number;
  heartbeatMs?: number;
  requestTimeoutMs?: number;
}

const MAX_BACKOFF_MS = 30_000;

export class RelayLink {
  private socket: WebSocket | undefined;
  private state: RelayLinkStatus['state'] = 'stopped';
  private attempt = 0;
  private reconnects = 0;
  private connectedSince: number | null = null;
  private lastError: string | null = null;
  private retryTimer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private awaitingPong = false;
  private readonly pending = new Map<
    string,
    { resolve: (m: RelayMessage) => void; reject: (e: Error) => void; timer: NodeJS.Timeout }
  >();
  private readonly now: () => number;

  constructor(private readonly opts: RelayLinkOptions) {
    this.now = opts.now ?? Date.now;
  }

  get settings(): RelaySettings {
    return this.opts.settings;
  }

  start(): void {
    if (this.state !== 'stopped') return;
    this.connect();
  }

  stop(): void {
    this.state = 'stopped';
    clearTimeout(this.retryTimer);
    clearInterval(this.heartbeat);
    this.socket?.close(1000, 'daemon stopping');
    this.socket = undefined;
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(new Error('The relay link stopped.'));
    }
    this.pending.clear();
  }

  status(): RelayLinkStatus {
    return {
      state: this.state,
      url: this.opts.settings.url,
      deviceId: this.opts.settings.deviceId,
      embedded: this.opts.settings.embedded,
      connectedSince: this.connectedSince,
      reconnects: this.reconnects,
      lastError: this.lastError,
    };
  }

  /** Subprotocols that carry the device credential (never the URL). */
  protocols(): string[] {
    return ['loopsy.v1', `loopsy.bearer.${this.opts.settings.deviceSecret}`];
  }

  dataUrl(connectionId: string): string {
    return `${this.wsBase()}/relay/v1/devices/${this.opts.settings.deviceId}/data/${connectionId}`;
  }

  /** Sends a control request and resolves with the relay's answer of type `answer` (or rejects on `error`). */
  request<T extends RelayMessage['type']>(
    message: Record<string, unknown> & { type: string },
    answer: T,
  ): Promise<Extract<RelayMessage, { type: T }>> {
    const socket = this.socket;
    if (!socket || this.state !== 'connected') {
      return Promise.reject(
        new Error(
          `Not connected to the relay at ${this.opts.settings.url}${this.lastError ? ` (${this.lastError})` : ''}; try again shortly.`,
        ),
      );
    }
    const requestId = randomUUID();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(requestId);
        reject(new Error('The relay did not answer in time.'));
      }, this.opts.requestTimeoutMs ?? 10_000);
      this.pending.set(requestId, {
        resolve: (m) => {
          if (m.type === answer) resolve(m as Extract<RelayMessage, { type: T }>);
          else
            reject(
              new Error(
                m.type === 'error'
                  ? `The relay refused: ${m.message}`
                  : `Unexpected relay answer ${m.type}.`,
              ),
            );
        },
        reject,
        timer,
      });
      socket.send(JSON.stringify({ ...message, requestId }));
    });
  }

  private wsBase(): string {
    return this.opts.settings.url.replace(/\/$/, '').replace(/^http/, 'ws');
  }

  private connect(): void {
    this.state = 'connecting';
    const socket = new WebSocket(
      `${this.wsBase()}/relay/v1/devices/${this.opts.settings.deviceId}/control`,
      this.protocols(),
      {
        handshakeTimeout: 15_000,
        maxPayload: MAX_CONTROL_FRAME,
      },
    );
    this.socket = socket;
    socket.on('message', (data, isBinary) => {
      if (isBinary) return;
      let parsed: ReturnType<typeof RelayToDaemonSchema.safeParse>;
      try {
        parsed = RelayToDaemonSchema.safeParse(JSON.parse(rawText(data)));
      } catch {
        return;
      }
      if (parsed.success) this.onMessage(parsed.data);
    });
    socket.on('pong', () => (this.awaitingPong = false));
    socket.on('error', (err) => (this.lastError = err.message));
    socket.on('unexpected-response', (_req, res) => {
      this.lastError = `relay answered HTTP ${res.statusCode}`;
    });
    socket.on('close', (code, reason) => {
      if (this.socket !== socket) return;
      clearInterval(this.heartbeat);
      this.connectedSince = null;
      if (code >= 4000)
        this.lastError = `relay closed the link (${code}${reason.length ? ` ${reason.toString()}` : ''})`;
      for (const [id, p] of this.pending) {
        clearTimeout(p.timer);
        p.reject(new Error('The relay link dropped.'));
        this.pending.delete(id);
      }
      if (this.state !== 'stopped') this.scheduleReconnect();
    });
  }

  private onMessage(message: RelayMessage): void {
    switch (message.type) {
      case 'hello':
        this.state = 'connected';
        this.connectedSince = this.now();
        this.attempt = 0;
        this.lastError = null;
        this.startHeartbeat();
        return;
      case 'dial':
        this.opts.onDial(message);
        return;
      case 'pong':
        this.awaitingPong = false;
        return;
      case 'pair.created':
      case 'phone.added':
      case 'phone.removed':
      case 'error': {
        const id = message.requestId;
        const waiter = id === undefined ? undefined : this.pending.get(id);
        if (!waiter || id === undefined) return;
        clearTimeout(waiter.timer);
        this.pending.delete(id);
        waiter.resolve(message);
        return;
      }
      default: {
        const unknown: never = message;
        void unknown;
      }
    }
  }

  private startHeartbeat(): void {
    clearInterval(this.heartbeat);
    this.awaitingPong = false;
    this.heartbeat = setInterval(() => {
      const socket = this.socket;
      if (!socket) return;
      if (this.awaitingPong) {
        // A link stuck half-open is worse than a reconnect.
        this.lastError = 'relay stopped answering heartbeats';
        socket.terminate();
        return;
      }
      this.awaitingPong = true;
      socket.ping();
    }, this.opts.heartbeatMs ?? 25_000);
    this.heartbeat.unref();
  }

  private scheduleReconnect(): void {
    this.state = 'backoff';
    this.reconnects++;
    const ceiling = Math.min(MAX_BACKOFF_MS, 1000 * 2 ** this.attempt);
    this.attempt = Math.min(this.attempt + 1, 10);
    const delay = ceiling / 2 + (this.opts.random ?? Math.random)() * (ceiling / 2);
    this.retryTimer = setTimeout(() => this.connect(), delay);
    this.retryTimer.unref();
  }
}

function rawText(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString('utf8');
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return Buffer.from(data).toString('utf8');
}
