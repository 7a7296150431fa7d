// Test helpers for the relay host: a relay on 127.0.0.1 port 0 and scripted phone/daemon WebSocket clients.
import { WebSocket, type ClientOptions } from 'ws';
import {
  RelayToDaemonSchema,
  bearerProtocols,
  parseControlFrame,
  type DaemonToRelay,
  type RelayToDaemon,
} from '../core/index.js';
import { startRelayServer, type RelayServer, type RelayServerOptions } from '../node/index.js';

export interface Frame {
  binary: boolean;
  data: Buffer;
}

export interface Closed {
  code: number;
  reason: string;
}

/** A WebSocket client that records every frame and its close, and hands frames out in order. */
export class TestClient {
  readonly ws: WebSocket;
  readonly frames: Frame[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<Closed>;
  /** Headers of the server's 101 answer. */
  upgradeHeaders: Record<string, string | string[] | undefined> = {};
  private cursor = 0;
  private waiters: Array<() => void> = [];

  constructor(url: string, protocols: string[] | undefined, options: ClientOptions = {}) {
    this.ws = new WebSocket(url, protocols, { maxPayload: 64 * 1024 * 1024, ...options });
    this.ws.on('upgrade', (res) => (this.upgradeHeaders = res.headers));
    this.ws.on('error', () => {});
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('close', () => reject(new Error('closed before open')));
    });
    this.opened.catch(() => {});
    this.closed = new Promise((resolve) => {
      this.ws.once('close', (code, reason) => {
        resolve({ code, reason: reason.toString('utf8') });
        this.wake();
      });
    });
    this.ws.on('message', (data, isBinary) => {
      const buf = Array.isArray(data)
        ? Buffer.concat(data)
        : Buffer.isBuffer(data)
          ? data
          : Buffer.from(data);
      this.frames.push({ binary: isBinary, data: buf });
      this.wake();
    });
  }

  /** The next frame not yet handed out; fails if the socket closes or nothing comes in time. */
  async next(timeoutMs = 5000): Promise<Frame> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const frame = this.frames[this.cursor];
      if (frame) {
        this.cursor++;
        return frame;
      }
      if (this.ws.readyState === WebSocket.CLOSED) throw new Error('socket closed');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error('no frame in time');
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits until `count` frames in total have arrived. */
  async receivedCount(count: number, timeoutMs = 10_000): Promise<Frame[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length < count) {
      if (this.ws.readyState === WebSocket.CLOSED || Date.now() > deadline) {
        throw new Error(`got ${this.frames.length} of ${count} frames`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.frames.slice(0, count);
  }

  send(data: Uint8Array | string): void {
    this.ws.send(data, { binary: typeof data !== 'string' });
  }

  close(code?: number, reason?: string): void {
    this.ws.close(code, reason);
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}

/** The daemon's side: a control socket that speaks the JSON control protocol. */
export class TestControl extends TestClient {
  private pending: RelayToDaemon[] = [];

  request(frame: DaemonToRelay): void {
    this.send(JSON.stringify(frame));
  }

  /** The next control frame of `type`, skipping none: frames of other types stay queued for later. */
  async nextOf<T extends RelayToDaemon['type']>(
    type: T,
    timeoutMs = 5000,
  ): Promise<Extract<RelayToDaemon, { type: T }>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.pending.findIndex((f) => f.type === type);
      if (i >= 0) return this.pending.splice(i, 1)[0] as Extract<RelayToDaemon, { type: T }>;
      const frame = await this.next(Math.max(1, deadline - Date.now()));
      if (frame.binary) throw new Error('binary frame on the control socket');
      const parsed = parseControlFrame(frame.data.toString('utf8'), RelayToDaemonSchema);
      if (!parsed.ok) throw new Error(`relay sent an invalid control frame: ${parsed.message}`);
      this.pending.push(parsed.value);
    }
  }
}

export interface TestRelay {
  server: RelayServer;
  http: string;
  ws: string;
  dataDir: string | undefined;
  clients: TestClient[];
  register(headers?: Record<string, string>): Promise<{ deviceId: string; deviceSecret: string }>;
  client(pathname: string, bearer?: string, options?: ClientOptions): TestClient;
  control(deviceId: string, deviceSecret: string, options?: ClientOptions): Promise<TestControl>;
  stop(): Promise<void>;
}

/** A relay on 127.0.0.1 port 0; `dataDir`, when given, belongs to the caller (stop() leaves it). */
export async function startTestRelay(opts: RelayServerOptions = {}): Promise<TestRelay> {
  const dataDir = opts.dataDir;
  const server = await startRelayServer({ ...opts, port: 0, host: '127.0.0.1' });
  const ws = server.url.replace(/^http/, 'ws');
  const clients: TestClient[] = [];
  const relay: TestRelay = {
    server,
    http: server.url,
    ws,
    dataDir,
    clients,
    async register(headers = {}) {
      const res = await fetch(`${server.url}/relay/v1/devices`, { method: 'POST', headers });
      if (res.status !== 201) throw new Error(`register: ${res.status} ${await res.text()}`);
      return (await res.json()) as { deviceId: string; deviceSecret: string };
    },
    client(pathname, bearer, options) {
      const c = new TestClient(
        `${ws}${pathname}`,
        bearer === undefined ? undefined : bearerProtocols(bearer),
        options,
      );
      clients.push(c);
      return c;
    },
    async control(deviceId, deviceSecret, options) {
      const c = new TestControl(
        `${ws}/relay/v1/devices/${deviceId}/control`,
        bearerProtocols(deviceSecret),
        options,
      );
      clients.push(c);
      await c.opened;
      return c;
    },
    async stop() {
      for (const c of clients) c.ws.terminate();
      await server.close();
    },
  };
  return relay;
}
