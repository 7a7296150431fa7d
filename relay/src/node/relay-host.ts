// Owns the Node relay host: its HTTP routes and WebSocket upgrades, control sockets, dials and tunnels.
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import {
  CloseCode,
  ControlErrorCode,
  DaemonToRelaySchema,
  FixedWindowRateLimiter,
  type RateLimitBucket,
  type RateLimitRule,
  ID_PATTERN,
  MAX_CONTROL_FRAME,
  MAX_DATA_FRAME,
  bearerFromProtocols,
  createPairToken,
  createSplice,
  hashSecret,
  parseControlFrame,
  randomId,
  secretMatches,
  selectProtocol,
  verifyPairToken,
  type ControlErrorCodeValue,
  type DaemonToRelay,
  type RelayToDaemon,
  type Splice,
  type SpliceFrame,
} from '../core/index.js';
import { rateLimitKey } from './client-address.js';
import { createStaticApp, type StaticApp } from './static-files.js';
import { openRelayStore, type RelayStore } from './store.js';
import { closeSocket, isTooLarge, rawBytes, spliceSocket, toSpliceFrame } from './ws-frames.js';

export interface RelayHostOptions {
  /** Folder for the relay's database and key; undefined keeps them in memory (embedded relay, tests). */
  dataDir?: string | undefined;
  /** Serves this folder at /app when set. */
  appDir?: string | undefined;
  /** When set, registering a device needs header `x-loopsy-registration` with this value. */
  registrationSecret?: string | undefined;
  now?: () => number;
  /** How long a phone waits for the daemon's data socket (default 10 s). */
  dialTimeoutMs?: number;
  /** WebSocket ping interval; a socket that misses two pongs is dropped (default 25 s). */
  heartbeatMs?: number;
  /** Per-IP limits that differ from RATE_LIMITS (e.g. many phones behind one address). */
  rateLimits?: Partial<Record<RateLimitBucket, RateLimitRule>>;
}

export interface RelayStats {
  devicesOnline: number;
  tunnels: number;
  pendingDials: number;
}

export interface RelayHost {
  /** Handles relay HTTP routes (and GET /app static files when appDir is set); returns false when the path is not the relay's. */
  handleRequest(req: http.IncomingMessage, res: http.ServerResponse): boolean;
  /** Handles relay WebSocket upgrades; returns false when the path is not the relay's. */
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): boolean;
  stats(): RelayStats;
  close(): Promise<void>;
}

const PREFIX = '/relay/v1/';
/** Frames a phone may send before the daemon answers its dial (a handshake message or two). */
const MAX_DIAL_QUEUE_BYTES = 2 * MAX_DATA_FRAME;
const MAX_DIAL_QUEUE_FRAMES = 64;
/** Unreadable control frames tolerated per minute before the socket is closed. */
const MAX_STRIKES_PER_MINUTE = 10;
/** A daemon that stops reading its control socket is dropped before the relay buffers without bound. */
const MAX_CONTROL_BACKLOG = 1024 * 1024;

interface ControlConn {
  deviceId: string;
  ws: WebSocket;
  strikes: number;
  strikeWindowStart: number;
}

interface PhoneLink {
  connectionId: string;
  deviceId: string;
  purpose: 'connect' | 'pair';
  /** The phone on the link: known at connect, set by phone.add on a pair tunnel. */
  phoneId: string | undefined;
  phone: WebSocket;
  state: 'dialing' | 'spliced' | 'closed';
  queue: SpliceFrame[];
  queuedBytes: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  splice: Splice | undefined;
}

type Route =
  | { kind: 'control'; deviceId: string }
  | { kind: 'connect'; deviceId: string }
  | { kind: 'data'; deviceId: string; connectionId: string }
  | { kind: 'pair' }
  | { kind: 'bad-id' }
  | { kind: 'unknown' };

export function createRelayHost(opts: RelayHostOptions = {}): RelayHost {
  const now = opts.now ?? Date.now;
  const dialTimeoutMs = opts.dialTimeoutMs ?? 10_000;
  const heartbeatMs = opts.heartbeatMs ?? 25_000;
  const store: RelayStore = openRelayStore({ dataDir: opts.dataDir, now });
  const limiter = new FixedWindowRateLimiter({
    now,
    ...(opts.rateLimits ? { rules: opts.rateLimits } : {}),
  });
  const app: StaticApp | undefined =
    opts.appDir !== undefined ? createStaticApp(opts.appDir) : undefined;
  const registrationHash =
    opts.registrationSecret !== undefined && opts.registrationSecret !== ''
      ? hashSecret(opts.registrationSecret)
      : undefined;

  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_DATA_FRAME,
    // The bearer rides in the offered subprotocols; answering anything but loopsy.v1 would echo it.
    handleProtocols: (protocols) => selectProtocol(protocols),
  });
  const controls = new Map<string, ControlConn>();
  const dials = new Map<string, PhoneLink>();
  const tunnels = new Map<string, PhoneLink>();
  /** Every live socket and the pongs it has missed in a row. */
  const missedPongs = new Map<WebSocket, number>();
  let closing: Promise<void> | undefined;

  const heartbeat = setInterval(() => {
    for (const [ws, missed] of missedPongs) {
      // A socket paused for backpressure cannot read its pongs; its peer's pace is not its fault.
      if (ws.isPaused) continue;
      if (missed >= 2) {
        ws.terminate();
        continue;
      }
      missedPongs.set(ws, missed + 1);
      try {
        ws.ping();
      } catch {
        ws.terminate();
      }
    }
  }, heartbeatMs);
  heartbeat.unref();

  // ---- HTTP ----

  function handleRequest(req: http.IncomingMessage, res: http.ServerResponse): boolean {
    const rawPath = pathOf(req.url);
    if (app && (rawPath === '/app' || rawPath.startsWith('/app/'))) {
      if (closing) sendError(res, 503, 'unavailable', 'The relay is shutting down.');
      else app.serve(rawPath, req, res);
      return true;
    }
    if (!isRelayPath(rawPath)) return false;
    req.resume();
    if (closing) {
      sendError(res, 503, 'unavailable', 'The relay is shutting down.');
      return true;
    }
    try {
      routeHttp(rawPath, req, res);
    } catch {
      if (!res.headersSent) sendError(res, 500, 'internal', 'The relay failed to handle this.');
      else res.destroy();
    }
    return true;
  }

  function routeHttp(rawPath: string, req: http.IncomingMessage, res: http.ServerResponse): void {
    if (rawPath === `${PREFIX}devices`) {
      if (req.method !== 'POST') {
        res.setHeader('allow', 'POST');
        sendError(res, 405, 'method-not-allowed', 'Register a device with POST.');
        return;
      }
      register(req, res);
      return;
    }
    if (rawPath === `${PREFIX}health`) {
      sendJson(res, 200, { status: 'ok' });
      return;
    }
    const route = parseRoute(rawPath);
    if (route.kind !== 'unknown' && route.kind !== 'bad-id') {
      sendError(res, 426, 'upgrade-required', 'This is a WebSocket endpoint.');
      return;
    }
    sendError(res, 404, 'not-found', 'No such relay route.');
  }

  function register(req: http.IncomingMessage, res: http.ServerResponse): void {
    const wait = limiter.take('register', rateKey(req));
    if (wait > 0) {
      res.setHeader('retry-after', String(wait));
      sendError(
        res,
        429,
        'rate-limited',
        `Too many device registrations from this address; try again in ${wait} s.`,
      );
      return;
    }
    if (registrationHash !== undefined) {
      const presented = req.headers['x-loopsy-registration'];
      if (typeof presented !== 'string' || !secretMatches(presented, registrationHash)) {
        sendError(
          res,
          401,
          'unauthorized',
          'This relay needs its registration secret in the x-loopsy-registration header.',
        );
        return;
      }
    }
    sendJson(res, 201, store.createDevice());
  }

  // ---- WebSocket upgrades ----

  function handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): boolean {
    const rawPath = pathOf(req.url);
    if (!isRelayPath(rawPath)) return false;
    if (closing) {
      socket.destroy();
      return true;
    }
    try {
      wss.handleUpgrade(req, socket, head, (ws) => accept(ws, req, rawPath));
    } catch {
      socket.destroy();
    }
    return true;
  }

  function accept(ws: WebSocket, req: http.IncomingMessage, rawPath: string): void {
    // Without a listener, an 'error' event would be thrown and take the process down.
    ws.on('error', () => {});
    missedPongs.set(ws, 0);
    ws.on('pong', () => {
      if (missedPongs.has(ws)) missedPongs.set(ws, 0);
    });
    ws.on('close', () => missedPongs.delete(ws));
    if (closing) {
      closeSocket(ws, CloseCode.GOING_AWAY, 'relay shutting down');
      return;
    }
    try {
      const route = parseRoute(rawPath);
      switch (route.kind) {
        case 'control':
          acceptControl(ws, req, route.deviceId);
          return;
        case 'connect':
          acceptConnect(ws, req, route.deviceId);
          return;
        case 'data':
          acceptData(ws, req, route.deviceId, route.connectionId);
          return;
        case 'pair':
          acceptPair(ws, req);
          return;
        case 'bad-id':
          closeSocket(ws, CloseCode.BAD_REQUEST, 'malformed id in path');
          return;
        case 'unknown':
          closeSocket(ws, CloseCode.NOT_FOUND, 'no such relay endpoint');
          return;
      }
    } catch {
      closeSocket(ws, CloseCode.INTERNAL);
    }
  }

  function acceptControl(ws: WebSocket, req: http.IncomingMessage, deviceId: string): void {
    const secret = bearerOf(req);
    if (secret === undefined || !store.authenticateDevice(deviceId, secret)) {
      closeSocket(ws, CloseCode.UNAUTHORIZED, 'unknown device or wrong device secret');
      return;
    }
    const conn: ControlConn = { deviceId, ws, strikes: 0, strikeWindowStart: now() };
    const previous = controls.get(deviceId);
    controls.set(deviceId, conn);
    if (previous) closeSocket(previous.ws, CloseCode.REPLACED, 'a newer control socket took over');
    ws.on('close', () => {
      if (controls.get(deviceId) === conn) controls.delete(deviceId);
    });
    ws.on('message', (data, isBinary) => {
      try {
        onControlFrame(conn, data, isBinary);
      } catch {
        sendControlError(conn, ControlErrorCode.INTERNAL, 'The relay failed to handle that frame.');
      }
    });
    sendControl(conn, { type: 'hello', deviceId });
  }

  function onControlFrame(conn: ControlConn, data: RawData, isBinary: boolean): void {
    const bytes = rawBytes(data);
    if (isBinary) {
      strike(conn, ControlErrorCode.BAD_REQUEST, 'Control frames are JSON text frames.');
      return;
    }
    if (bytes.length > MAX_CONTROL_FRAME) {
      strike(
        conn,
        ControlErrorCode.FRAME_TOO_LARGE,
        `Control frames are at most ${MAX_CONTROL_FRAME} bytes.`,
      );
      return;
    }
    const parsed = parseControlFrame(bytes.toString('utf8'), DaemonToRelaySchema);
    if (!parsed.ok) {
      strike(conn, parsed.code, parsed.message, parsed.requestId);
      return;
    }
    handleControl(conn, parsed.value);
  }

  function handleControl(conn: ControlConn, msg: DaemonToRelay): void {
    switch (msg.type) {
      case 'ping':
        sendControl(conn, { type: 'pong', ts: msg.ts });
        return;
      case 'pair.create': {
        let minted;
        try {
          minted = createPairToken(store.pairKey, conn.deviceId, msg.ttlSeconds, now());
        } catch (err) {
          if (!(err instanceof RangeError)) throw err;
          sendControlError(conn, ControlErrorCode.BAD_REQUEST, err.message, msg.requestId);
          return;
        }
        sendControl(conn, {
          type: 'pair.created',
          requestId: msg.requestId,
          token: minted.token,
          expiresAt: minted.payload.exp * 1000,
        });
        return;
      }
      case 'phone.add': {
        const link = tunnels.get(msg.connectionId);
        if (!link || link.deviceId !== conn.deviceId) {
          sendControlError(
            conn,
            ControlErrorCode.NOT_FOUND,
            'No open tunnel of this device has that connectionId.',
            msg.requestId,
          );
          return;
        }
        if (link.purpose !== 'pair') {
          sendControlError(
            conn,
            ControlErrorCode.FORBIDDEN,
            'Phones are added only on a pair tunnel.',
            msg.requestId,
          );
          return;
        }
        if (link.phoneId !== undefined) {
          sendControlError(
            conn,
            ControlErrorCode.CONFLICT,
            'This pairing already added its phone.',
            msg.requestId,
          );
          return;
        }
        const { phoneId, phoneSecret } = store.createPhone(conn.deviceId);
        link.phoneId = phoneId;
        sendControl(conn, { type: 'phone.added', requestId: msg.requestId, phoneId, phoneSecret });
        return;
      }
      case 'phone.remove': {
        store.removePhone(conn.deviceId, msg.phoneId);
        for (const link of [...dials.values(), ...tunnels.values()]) {
          if (link.deviceId === conn.deviceId && link.phoneId === msg.phoneId) revoke(link);
        }
        // Idempotent, so a daemon that lost the first answer can simply ask again.
        sendControl(conn, {
          type: 'phone.removed',
          requestId: msg.requestId,
          phoneId: msg.phoneId,
        });
        return;
      }
    }
  }

  function strike(
    conn: ControlConn,
    code: ControlErrorCodeValue,
    message: string,
    requestId?: string,
  ): void {
    const t = now();
    if (t - conn.strikeWindowStart >= 60_000) {
      conn.strikeWindowStart = t;
      conn.strikes = 0;
    }
    conn.strikes++;
    sendControlError(conn, code, message, requestId);
    if (conn.strikes > MAX_STRIKES_PER_MINUTE) {
      closeSocket(
        conn.ws,
        code === ControlErrorCode.FRAME_TOO_LARGE
          ? CloseCode.FRAME_TOO_LARGE
          : CloseCode.BAD_REQUEST,
        'too many unreadable control frames',
      );
    }
  }

  function sendControlError(
    conn: ControlConn,
    code: ControlErrorCodeValue,
    message: string,
    requestId?: string,
  ): void {
    sendControl(conn, {
      type: 'error',
      code,
      message,
      ...(requestId !== undefined ? { requestId } : {}),
    });
  }

  function sendControl(conn: ControlConn, frame: RelayToDaemon): boolean {
    if (conn.ws.readyState !== WebSocket.OPEN) return false;
    if (conn.ws.bufferedAmount > MAX_CONTROL_BACKLOG) {
      closeSocket(conn.ws, CloseCode.RATE_LIMITED, 'control socket not read');
      return false;
    }
    conn.ws.send(JSON.stringify(frame));
    return true;
  }

  function acceptPair(ws: WebSocket, req: http.IncomingMessage): void {
    if (limiter.take('redeem', rateKey(req)) > 0) {
      closeSocket(ws, CloseCode.RATE_LIMITED, 'too many pairing attempts');
      return;
    }
    const token = bearerOf(req);
    if (token === undefined) {
      closeSocket(ws, CloseCode.UNAUTHORIZED, 'missing pair token');
      return;
    }
    const verified = verifyPairToken(store.pairKey, token, now());
    if (!verified.ok) {
      closeSocket(ws, CloseCode.UNAUTHORIZED, `pair token ${verified.reason}`);
      return;
    }
    const { d: deviceId, n: nonce, exp } = verified.payload;
    if (!store.deviceExists(deviceId)) {
      closeSocket(ws, CloseCode.UNAUTHORIZED, 'pair token of an unknown device');
      return;
    }
    // Marked before anything else can fail, so a token is spent by its first presentation.
    if (!store.useNonce(nonce, exp)) {
      closeSocket(ws, CloseCode.UNAUTHORIZED, 'pair token already used');
      return;
    }
    dial(ws, deviceId, 'pair', { pairNonce: nonce });
  }

  function acceptConnect(ws: WebSocket, req: http.IncomingMessage, deviceId: string): void {
    if (limiter.take('connect', rateKey(req)) > 0) {
      closeSocket(ws, CloseCode.RATE_LIMITED, 'too many connects');
      return;
    }
    const secret = bearerOf(req);
    const phone = secret === undefined ? undefined : store.phoneBySecret(secret);
    if (!phone) {
      closeSocket(ws, CloseCode.UNAUTHORIZED, 'unknown or removed phone');
      return;
    }
    if (phone.deviceId !== deviceId) {
      closeSocket(ws, CloseCode.FORBIDDEN, 'this phone is not paired with that device');
      return;
    }
    dial(ws, deviceId, 'connect', { phoneId: phone.phoneId });
  }

  function dial(
    phone: WebSocket,
    deviceId: string,
    purpose: 'connect' | 'pair',
    extra: { phoneId?: string; pairNonce?: string },
  ): void {
    const control = controls.get(deviceId);
    if (!control || control.ws.readyState !== WebSocket.OPEN) {
      closeSocket(phone, CloseCode.NOT_FOUND, 'device offline');
      return;
    }
    const link: PhoneLink = {
      connectionId: randomId(),
      deviceId,
      purpose,
      phoneId: extra.phoneId,
      phone,
      state: 'dialing',
      queue: [],
      queuedBytes: 0,
      timer: undefined,
      splice: undefined,
    };
    dials.set(link.connectionId, link);
    link.timer = setTimeout(() => {
      if (link.state !== 'dialing') return;
      endDial(link);
      closeSocket(phone, CloseCode.DIAL_TIMEOUT, 'the device did not answer');
    }, dialTimeoutMs);
    link.timer.unref();
    phone.on('message', (data, isBinary) => {
      try {
        onPhoneFrame(link, toSpliceFrame(data, isBinary));
      } catch {
        failLink(link);
      }
    });
    phone.on('close', (code, reason) => {
      if (link.state === 'dialing') endDial(link);
      else link.splice?.closed('a', code, reason.toString('utf8'));
    });
    phone.on('error', (err) => {
      if (isTooLarge(err)) link.splice?.close(CloseCode.FRAME_TOO_LARGE);
    });
    const sent = sendControl(control, {
      type: 'dial',
      connectionId: link.connectionId,
      purpose,
      ...extra,
    });
    if (!sent) {
      endDial(link);
      closeSocket(phone, CloseCode.NOT_FOUND, 'device offline');
    }
  }

  function onPhoneFrame(link: PhoneLink, frame: SpliceFrame): void {
    if (link.state === 'spliced') {
      link.splice?.receive('a', frame);
      return;
    }
    if (link.state !== 'dialing') return;
    const size = typeof frame === 'string' ? Buffer.byteLength(frame) : frame.byteLength;
    link.queuedBytes += size;
    link.queue.push(frame);
    if (link.queuedBytes > MAX_DIAL_QUEUE_BYTES || link.queue.length > MAX_DIAL_QUEUE_FRAMES) {
      endDial(link);
      closeSocket(link.phone, CloseCode.BAD_REQUEST, 'too much data before the device answered');
    }
  }

  function endDial(link: PhoneLink): void {
    if (link.timer !== undefined) clearTimeout(link.timer);
    link.timer = undefined;
    link.state = 'closed';
    link.queue = [];
    dials.delete(link.connectionId);
  }

  /** An unexpected error on one link ends that link only; the relay stays up for everyone else. */
  function failLink(link: PhoneLink): void {
    if (link.state === 'dialing') {
      endDial(link);
      closeSocket(link.phone, CloseCode.INTERNAL);
    } else {
      link.splice?.close(CloseCode.INTERNAL);
    }
  }

  function revoke(link: PhoneLink): void {
    if (link.state === 'spliced') {
      link.splice?.close(CloseCode.REVOKED, 'phone removed');
    } else if (link.state === 'dialing') {
      endDial(link);
      closeSocket(link.phone, CloseCode.REVOKED, 'phone removed');
    }
  }

  function acceptData(
    ws: WebSocket,
    req: http.IncomingMessage,
    deviceId: string,
    connectionId: string,
  ): void {
    const secret = bearerOf(req);
    if (secret === undefined || !store.authenticateDevice(deviceId, secret)) {
      closeSocket(ws, CloseCode.UNAUTHORIZED, 'unknown device or wrong device secret');
      return;
    }
    const link = dials.get(connectionId);
    if (!link || link.deviceId !== deviceId) {
      closeSocket(ws, CloseCode.NOT_FOUND, 'no such dial, or it expired');
      return;
    }
    const queued = link.queue;
    if (link.timer !== undefined) clearTimeout(link.timer);
    link.timer = undefined;
    link.queue = [];
    dials.delete(connectionId);
    if (link.phone.readyState !== WebSocket.OPEN) {
      link.state = 'closed';
      closeSocket(ws, CloseCode.NOT_FOUND, 'the phone left');
      return;
    }
    link.state = 'spliced';
    tunnels.set(connectionId, link);
    const splice = createSplice(spliceSocket(link.phone), spliceSocket(ws), {
      onClose: () => {
        link.state = 'closed';
        tunnels.delete(connectionId);
      },
    });
    link.splice = splice;
    ws.on('message', (data, isBinary) => {
      try {
        splice.receive('b', toSpliceFrame(data, isBinary));
      } catch {
        failLink(link);
      }
    });
    ws.on('close', (code, reason) => splice.closed('b', code, reason.toString('utf8')));
    ws.on('error', (err) => {
      if (isTooLarge(err)) splice.close(CloseCode.FRAME_TOO_LARGE);
    });
    for (const frame of queued) splice.receive('a', frame);
  }

  // ---- lifecycle ----

  function close(): Promise<void> {
    closing ??= (async () => {
      clearInterval(heartbeat);
      for (const link of [...dials.values()]) endDial(link);
      for (const link of [...tunnels.values()]) {
        link.splice?.close(CloseCode.GOING_AWAY, 'relay shutting down');
      }
      const sockets = [...wss.clients];
      for (const ws of sockets) closeSocket(ws, CloseCode.GOING_AWAY, 'relay shutting down');
      await Promise.race([
        Promise.all(sockets.map((ws) => closed(ws))),
        new Promise((resolve) => setTimeout(resolve, 1000).unref()),
      ]);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      store.close();
    })();
    return closing;
  }

  return {
    handleRequest,
    handleUpgrade,
    stats: () => ({
      devicesOnline: controls.size,
      tunnels: tunnels.size,
      pendingDials: dials.size,
    }),
    close,
  };
}

function parseRoute(rawPath: string): Route {
  if (rawPath === `${PREFIX}pair`) return { kind: 'pair' };
  const parts = rawPath.slice(PREFIX.length).split('/');
  if (parts[0] !== 'devices' || parts[1] === undefined) return { kind: 'unknown' };
  const deviceId = parts[1];
  let route: Route = { kind: 'unknown' };
  if (parts.length === 3 && parts[2] === 'control') route = { kind: 'control', deviceId };
  else if (parts.length === 3 && parts[2] === 'connect') route = { kind: 'connect', deviceId };
  else if (parts.length === 4 && parts[2] === 'data' && parts[3] !== undefined) {
    if (!ID_PATTERN.test(parts[3])) return { kind: 'bad-id' };
    route = { kind: 'data', deviceId, connectionId: parts[3] };
  }
  if (route.kind !== 'unknown' && !ID_PATTERN.test(deviceId)) return { kind: 'bad-id' };
  return route;
}

/** The undecoded path: relay ids are plain base64url, so nothing under /relay needs decoding. */
function pathOf(url: string | undefined): string {
  const raw = url ?? '/';
  const end = raw.search(/[?#]/);
  return end === -1 ? raw : raw.slice(0, end);
}

function isRelayPath(rawPath: string): boolean {
  return rawPath === '/relay' || rawPath.startsWith('/relay/');
}

function bearerOf(req: http.IncomingMessage): string | undefined {
  return bearerFromProtocols(req.headers['sec-websocket-protocol']);
}

function rateKey(req: http.IncomingMessage): string {
  return rateLimitKey(req.socket.remoteAddress);
}

function closed(ws: WebSocket): Promise<void> {
  if (ws.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => ws.once('close', () => resolve()));
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.end(JSON.stringify(body));
}

function sendError(res: http.ServerResponse, status: number, code: string, message: string): void {
  sendJson(res, status, { error: { code, message } });
}
