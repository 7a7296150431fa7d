import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CloseCode, MAX_DATA_FRAME, bearerProtocols, decodePairToken } from '../core/index.js';
import {
  startTestRelay,
  type Frame,
  type TestClient,
  type TestControl,
  type TestRelay,
} from '../test-support/relay-test-clients.js';
import { createRelayHost } from './relay-host.js';

const relays: TestRelay[] = [];
afterEach(async () => {
  for (const r of relays.splice(0)) await r.stop();
});

async function relay(opts: Parameters<typeof startTestRelay>[0] = {}): Promise<TestRelay> {
  const r = await startTestRelay(opts);
  relays.push(r);
  return r;
}

interface Device {
  deviceId: string;
  deviceSecret: string;
  control: TestControl;
}

async function device(r: TestRelay): Promise<Device> {
  const { deviceId, deviceSecret } = await r.register();
  const control = await r.control(deviceId, deviceSecret);
  const hello = await control.nextOf('hello');
  expect(hello).toEqual({ type: 'hello', deviceId });
  return { deviceId, deviceSecret, control };
}

let requests = 0;
async function pairToken(d: Device, ttlSeconds = 600): Promise<string> {
  const requestId = `pair-${++requests}`;
  d.control.request({ type: 'pair.create', requestId, ttlSeconds });
  const created = await d.control.nextOf('pair.created');
  expect(created.requestId).toBe(requestId);
  return created.token;
}

/** Answers the next dial like a daemon: opens the data socket for it. */
async function answerDial(
  r: TestRelay,
  d: Device,
): Promise<{ data: TestClient; connectionId: string }> {
  const dial = await d.control.nextOf('dial');
  const data = r.client(
    `/relay/v1/devices/${d.deviceId}/data/${dial.connectionId}`,
    d.deviceSecret,
  );
  await data.opened;
  return { data, connectionId: dial.connectionId };
}

async function pairTunnel(
  r: TestRelay,
  d: Device,
): Promise<{ phone: TestClient; data: TestClient; connectionId: string; token: string }> {
  const token = await pairToken(d);
  const phone = r.client('/relay/v1/pair', token);
  await phone.opened;
  const { data, connectionId } = await answerDial(r, d);
  return { phone, data, connectionId, token };
}

async function addPhone(
  d: Device,
  connectionId: string,
): Promise<{ phoneId: string; phoneSecret: string }> {
  const requestId = `add-${++requests}`;
  d.control.request({ type: 'phone.add', requestId, connectionId });
  const added = await d.control.nextOf('phone.added');
  expect(added.requestId).toBe(requestId);
  return { phoneId: added.phoneId, phoneSecret: added.phoneSecret };
}

function same(frames: Frame[], sent: Array<Uint8Array | string>): void {
  expect(frames).toHaveLength(sent.length);
  frames.forEach((f, i) => {
    const s = sent[i]!;
    expect(f.binary).toBe(typeof s !== 'string');
    expect(f.data.equals(typeof s === 'string' ? Buffer.from(s, 'utf8') : Buffer.from(s))).toBe(
      true,
    );
  });
}

describe('relay host', () => {
  it('registers a device whose control socket gets hello; the bearer is never echoed', async () => {
    const r = await relay();
    const res = await fetch(`${r.http}/relay/v1/devices`, { method: 'POST' });
    expect(res.status).toBe(201);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as { deviceId: string; deviceSecret: string };
    expect(body.deviceId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(body.deviceSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const control = await r.control(body.deviceId, body.deviceSecret);
    expect(await control.nextOf('hello')).toEqual({ type: 'hello', deviceId: body.deviceId });
    expect(control.ws.protocol).toBe('loopsy.v1');
    expect(control.upgradeHeaders['sec-websocket-protocol']).toBe('loopsy.v1');
    expect(JSON.stringify(control.upgradeHeaders)).not.toContain(body.deviceSecret);
    expect(r.server.host.stats()).toEqual({ devicesOnline: 1, tunnels: 0, pendingDials: 0 });
  });

  it('answers ping with pong', async () => {
    const r = await relay();
    const d = await device(r);
    d.control.request({ type: 'ping', ts: 12345 });
    expect(await d.control.nextOf('pong')).toEqual({ type: 'pong', ts: 12345 });
  });

  it('pairs: token → dial → data socket → bytes flow both ways unchanged, including 1 MiB frames', async () => {
    const r = await relay();
    const d = await device(r);
    const t0 = Date.now();
    d.control.request({ type: 'pair.create', requestId: 'r1', ttlSeconds: 600 });
    const created = await d.control.nextOf('pair.created');
    expect(created.requestId).toBe('r1');
    expect(created.expiresAt).toBeGreaterThanOrEqual(Math.floor(t0 / 1000) * 1000 + 600_000);
    expect(created.expiresAt).toBeLessThanOrEqual(Date.now() + 600_000);
    const payload = decodePairToken(created.token);
    expect(payload?.d).toBe(d.deviceId);

    const phone = r.client('/relay/v1/pair', created.token);
    await phone.opened;
    expect(phone.ws.protocol).toBe('loopsy.v1');
    expect(JSON.stringify(phone.upgradeHeaders)).not.toContain(created.token);
    // Sent before the daemon answers the dial: the relay holds it until the tunnel exists.
    const early = new Uint8Array([1, 2, 3]);
    phone.send(early);

    const dial = await d.control.nextOf('dial');
    expect(dial).toEqual({
      type: 'dial',
      connectionId: expect.stringMatching(/^[A-Za-z0-9_-]{22}$/),
      purpose: 'pair',
      pairNonce: payload?.n,
    });
    expect(r.server.host.stats().pendingDials).toBe(1);
    const data = r.client(
      `/relay/v1/devices/${d.deviceId}/data/${dial.connectionId}`,
      d.deviceSecret,
    );
    await data.opened;
    expect(data.ws.protocol).toBe('loopsy.v1');

    const big = randomBytes(1024 * 1024);
    const fromPhone: Array<Uint8Array | string> = [
      early,
      'héllo 😀',
      big,
      new Uint8Array(MAX_DATA_FRAME),
    ];
    for (const f of fromPhone.slice(1)) phone.send(f);
    same(await data.receivedCount(fromPhone.length), fromPhone);

    const fromDaemon: Array<Uint8Array | string> = [
      randomBytes(1024 * 1024),
      'ok',
      new Uint8Array([0]),
    ];
    for (const f of fromDaemon) data.send(f);
    same(await phone.receivedCount(fromDaemon.length), fromDaemon);
    expect(r.server.host.stats()).toEqual({ devicesOnline: 1, tunnels: 1, pendingDials: 0 });
  });

  it('forwards every frame exactly as sent (a capture of a mixed stream)', async () => {
    const r = await relay();
    const d = await device(r);
    const { phone, data } = await pairTunnel(r, d);
    const stream = (seed: number): Array<Uint8Array | string> =>
      Array.from({ length: 200 }, (_, i) => {
        const n = (i * 7919 + seed) % 5000;
        if (i % 3 === 0) return 'τext '.repeat(n % 50) + String(i);
        if (i % 17 === 0) return new Uint8Array(0);
        if (i % 19 === 0) return '';
        return randomBytes(n);
      });
    const up = stream(1);
    const down = stream(2);
    for (const f of up) phone.send(f);
    for (const f of down) data.send(f);
    same(await data.receivedCount(up.length), up);
    same(await phone.receivedCount(down.length), down);
  });

  it('stops reading a sender whose receiver does not read, and resumes when it does', async () => {
    const r = await relay();
    const d = await device(r);
    const { phone, data } = await pairTunnel(r, d);
    data.ws.pause();
    const frames = Array.from({ length: 64 }, (_, i) => new Uint8Array(1024 * 1024).fill(i));
    for (const f of frames) phone.send(f);
    // The relay holds about 1 MiB for the stalled side; the rest stays in the sender's own queue
    // (without backpressure the relay would read it all and this queue would drain to zero).
    expect(await settled(() => phone.ws.bufferedAmount)).toBeGreaterThan(16 * 1024 * 1024);
    data.ws.resume();
    const got = await data.receivedCount(frames.length, 30_000);
    got.forEach((f, i) => {
      expect(f.binary).toBe(true);
      expect(f.data.length).toBe(1024 * 1024);
      expect(f.data[0]).toBe(i);
      expect(f.data[f.data.length - 1]).toBe(i);
    });
    await until(() => phone.ws.bufferedAmount === 0);
  });

  it('spends a pair token on first use', async () => {
    const r = await relay();
    const d = await device(r);
    const { token } = await pairTunnel(r, d);
    const again = r.client('/relay/v1/pair', token);
    expect(await again.closed).toEqual({
      code: CloseCode.UNAUTHORIZED,
      reason: 'pair token already used',
    });
  });

  it('spends a token even when the device is offline, and says NOT_FOUND', async () => {
    const r = await relay();
    const d = await device(r);
    const token = await pairToken(d);
    d.control.close();
    await d.control.closed;
    await until(() => r.server.host.stats().devicesOnline === 0);
    const phone = r.client('/relay/v1/pair', token);
    expect((await phone.closed).code).toBe(CloseCode.NOT_FOUND);
    const again = r.client('/relay/v1/pair', token);
    expect((await again.closed).code).toBe(CloseCode.UNAUTHORIZED);
  });

  it('refuses expired and forged tokens', async () => {
    let t = Date.now();
    const r = await relay({ now: () => t });
    const d = await device(r);
    const token = await pairToken(d, 60);
    const other = await relay();
    const otherDevice = await device(other);
    const foreign = await pairToken(otherDevice);
    t += 61_000;
    const expired = r.client('/relay/v1/pair', token);
    expect(await expired.closed).toEqual({
      code: CloseCode.UNAUTHORIZED,
      reason: 'pair token expired',
    });
    const forged = r.client('/relay/v1/pair', foreign);
    expect(await forged.closed).toEqual({
      code: CloseCode.UNAUTHORIZED,
      reason: 'pair token bad-signature',
    });
    const [body = '', mac = ''] = (await pairToken(d)).split('.');
    const tampered = `${body.slice(0, -2)}${body.endsWith('AA') ? 'BA' : 'AA'}.${mac}`;
    expect((await r.client('/relay/v1/pair', tampered).closed).code).toBe(CloseCode.UNAUTHORIZED);
    expect((await r.client('/relay/v1/pair', 'garbage').closed).code).toBe(CloseCode.UNAUTHORIZED);
    expect((await r.client('/relay/v1/pair').closed).code).toBe(CloseCode.UNAUTHORIZED);
  });

  it('refuses a pair.create over 24 h with a clear error', async () => {
    const r = await relay();
    const d = await device(r);
    d.control.request({ type: 'pair.create', requestId: 'long', ttlSeconds: 86_401 });
    expect(await d.control.nextOf('error')).toEqual({
      type: 'error',
      requestId: 'long',
      code: 'bad-request',
      message: expect.stringMatching(/1 to 86400 seconds/),
    });
  });

  it('adds a phone on a pair tunnel; the phone then connects with its secret', async () => {
    const r = await relay();
    const d = await device(r);
    const pairing = await pairTunnel(r, d);
    const { phoneId, phoneSecret } = await addPhone(d, pairing.connectionId);
    expect(phoneId).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(phoneSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    pairing.phone.close(1000);
    expect(await pairing.data.closed).toMatchObject({ code: CloseCode.GOING_AWAY });

    const phone = r.client(`/relay/v1/devices/${d.deviceId}/connect`, phoneSecret);
    await phone.opened;
    expect(phone.ws.protocol).toBe('loopsy.v1');
    expect(JSON.stringify(phone.upgradeHeaders)).not.toContain(phoneSecret);
    const dial = await d.control.nextOf('dial');
    expect(dial).toEqual({
      type: 'dial',
      connectionId: expect.any(String),
      purpose: 'connect',
      phoneId,
    });
    const data = r.client(
      `/relay/v1/devices/${d.deviceId}/data/${dial.connectionId}`,
      d.deviceSecret,
    );
    await data.opened;
    phone.send('hi');
    data.send(new Uint8Array([42]));
    same(await data.receivedCount(1), ['hi']);
    same(await phone.receivedCount(1), [new Uint8Array([42])]);
  });

  it('adds phones only on an open pair tunnel of the same device, once', async () => {
    const r = await relay();
    const d = await device(r);
    const other = await device(r);
    const pairing = await pairTunnel(r, d);

    other.control.request({
      type: 'phone.add',
      requestId: 'x1',
      connectionId: pairing.connectionId,
    });
    expect(await other.control.nextOf('error')).toMatchObject({
      requestId: 'x1',
      code: 'not-found',
    });
    d.control.request({ type: 'phone.add', requestId: 'x2', connectionId: 'A'.repeat(22) });
    expect(await d.control.nextOf('error')).toMatchObject({ requestId: 'x2', code: 'not-found' });

    const { phoneSecret } = await addPhone(d, pairing.connectionId);
    d.control.request({ type: 'phone.add', requestId: 'x3', connectionId: pairing.connectionId });
    expect(await d.control.nextOf('error')).toMatchObject({ requestId: 'x3', code: 'conflict' });

    const phone = r.client(`/relay/v1/devices/${d.deviceId}/connect`, phoneSecret);
    const { connectionId } = await answerDial(r, d);
    await phone.opened;
    d.control.request({ type: 'phone.add', requestId: 'x4', connectionId });
    expect(await d.control.nextOf('error')).toMatchObject({ requestId: 'x4', code: 'forbidden' });
  });

  it("refuses a phone at another device's connect endpoint (FORBIDDEN) and unknown phones (UNAUTHORIZED)", async () => {
    const r = await relay();
    const d = await device(r);
    const other = await device(r);
    const { connectionId } = await pairTunnel(r, d);
    const { phoneSecret } = await addPhone(d, connectionId);
    const wrong = r.client(`/relay/v1/devices/${other.deviceId}/connect`, phoneSecret);
    expect((await wrong.closed).code).toBe(CloseCode.FORBIDDEN);
    const unknown = r.client(`/relay/v1/devices/${d.deviceId}/connect`, 'x'.repeat(43));
    expect((await unknown.closed).code).toBe(CloseCode.UNAUTHORIZED);
    const none = r.client(`/relay/v1/devices/${d.deviceId}/connect`);
    expect((await none.closed).code).toBe(CloseCode.UNAUTHORIZED);
  });

  it('phone.remove closes the live tunnels with REVOKED and refuses later connects', async () => {
    const r = await relay();
    const d = await device(r);
    const pairing = await pairTunnel(r, d);
    const { phoneId, phoneSecret } = await addPhone(d, pairing.connectionId);
    const phone = r.client(`/relay/v1/devices/${d.deviceId}/connect`, phoneSecret);
    const { data } = await answerDial(r, d);
    await phone.opened;
    // A dial still waiting for the daemon is revoked too.
    const waiting = r.client(`/relay/v1/devices/${d.deviceId}/connect`, phoneSecret);
    await d.control.nextOf('dial');

    d.control.request({ type: 'phone.remove', requestId: 'rm', phoneId });
    expect(await d.control.nextOf('phone.removed')).toEqual({
      type: 'phone.removed',
      requestId: 'rm',
      phoneId,
    });
    expect((await phone.closed).code).toBe(CloseCode.REVOKED);
    expect((await data.closed).code).toBe(CloseCode.REVOKED);
    expect((await pairing.phone.closed).code).toBe(CloseCode.REVOKED);
    expect((await waiting.closed).code).toBe(CloseCode.REVOKED);
    const later = r.client(`/relay/v1/devices/${d.deviceId}/connect`, phoneSecret);
    expect((await later.closed).code).toBe(CloseCode.UNAUTHORIZED);
    expect(r.server.host.stats()).toEqual({ devicesOnline: 1, tunnels: 0, pendingDials: 0 });

    // Idempotent, and another device cannot remove this device's phones.
    d.control.request({ type: 'phone.remove', requestId: 'rm2', phoneId });
    expect(await d.control.nextOf('phone.removed')).toMatchObject({ requestId: 'rm2' });
  });

  it("a device cannot remove another device's phone", async () => {
    const r = await relay();
    const d = await device(r);
    const other = await device(r);
    const { connectionId } = await pairTunnel(r, d);
    const { phoneId, phoneSecret } = await addPhone(d, connectionId);
    other.control.request({ type: 'phone.remove', requestId: 'steal', phoneId });
    await other.control.nextOf('phone.removed');
    const phone = r.client(`/relay/v1/devices/${d.deviceId}/connect`, phoneSecret);
    await answerDial(r, d);
    await phone.opened;
    expect(phone.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('says NOT_FOUND when the device is offline', async () => {
    const r = await relay();
    const d = await device(r);
    const { connectionId } = await pairTunnel(r, d);
    const { phoneSecret } = await addPhone(d, connectionId);
    d.control.close(1000);
    await until(() => r.server.host.stats().devicesOnline === 0);
    const phone = r.client(`/relay/v1/devices/${d.deviceId}/connect`, phoneSecret);
    expect(await phone.closed).toEqual({ code: CloseCode.NOT_FOUND, reason: 'device offline' });
  });

  it('says DIAL_TIMEOUT when the daemon never answers; a late answer gets NOT_FOUND', async () => {
    const r = await relay({ dialTimeoutMs: 150 });
    const d = await device(r);
    const phone = r.client('/relay/v1/pair', await pairToken(d));
    const dial = await d.control.nextOf('dial');
    expect((await phone.closed).code).toBe(CloseCode.DIAL_TIMEOUT);
    expect(r.server.host.stats().pendingDials).toBe(0);
    const late = r.client(
      `/relay/v1/devices/${d.deviceId}/data/${dial.connectionId}`,
      d.deviceSecret,
    );
    expect((await late.closed).code).toBe(CloseCode.NOT_FOUND);
  });

  it('forgets a dial whose phone leaves before the daemon answers', async () => {
    const r = await relay();
    const d = await device(r);
    const phone = r.client('/relay/v1/pair', await pairToken(d));
    const dial = await d.control.nextOf('dial');
    phone.close(1000);
    await phone.closed;
    await until(() => r.server.host.stats().pendingDials === 0);
    const data = r.client(
      `/relay/v1/devices/${d.deviceId}/data/${dial.connectionId}`,
      d.deviceSecret,
    );
    expect((await data.closed).code).toBe(CloseCode.NOT_FOUND);
  });

  it('a second control socket replaces the first (REPLACED)', async () => {
    const r = await relay();
    const d = await device(r);
    const second = await r.control(d.deviceId, d.deviceSecret);
    expect(await second.nextOf('hello')).toEqual({ type: 'hello', deviceId: d.deviceId });
    expect(await d.control.closed).toEqual({
      code: CloseCode.REPLACED,
      reason: 'a newer control socket took over',
    });
    expect(r.server.host.stats().devicesOnline).toBe(1);
    // Dials now go to the new socket.
    const phone = r.client('/relay/v1/pair', await pairToken({ ...d, control: second }));
    expect((await second.nextOf('dial')).purpose).toBe('pair');
    await phone.opened;
  });

  it('propagates closes: application codes as they are, normal closes as GOING_AWAY', async () => {
    const r = await relay();
    const d = await device(r);
    const one = await pairTunnel(r, d);
    one.data.close(4321, 'daemon says bye');
    expect(await one.phone.closed).toEqual({ code: 4321, reason: 'daemon says bye' });
    const two = await pairTunnel(r, d);
    two.phone.close(1000, 'done');
    expect(await two.data.closed).toEqual({ code: CloseCode.GOING_AWAY, reason: 'going-away' });
    const three = await pairTunnel(r, d);
    three.phone.ws.terminate();
    expect((await three.data.closed).code).toBe(CloseCode.GOING_AWAY);
    await until(() => r.server.host.stats().tunnels === 0);
  });

  it('pings every socket and drops one that misses two pongs', async () => {
    const r = await relay({ heartbeatMs: 40 });
    const { deviceId, deviceSecret } = await r.register();
    const deaf = await r.control(deviceId, deviceSecret, { autoPong: false });
    const d = await device(r);
    const started = Date.now();
    expect((await deaf.closed).code).toBe(1006);
    expect(Date.now() - started).toBeGreaterThanOrEqual(40);
    // The one that answers stays.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(d.control.ws.readyState).toBe(WebSocket.OPEN);
    d.control.request({ type: 'ping', ts: 1 });
    expect(await d.control.nextOf('pong')).toEqual({ type: 'pong', ts: 1 });
  });

  it('keeps its state across a restart when it has a data folder', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-relay-restart-'));
    try {
      const first = await startTestRelay({ dataDir });
      let d: Device;
      let phoneSecret: string;
      let spareToken: string;
      try {
        d = await device(first);
        const { connectionId } = await pairTunnel(first, d);
        phoneSecret = (await addPhone(d, connectionId)).phoneSecret;
        spareToken = await pairToken(d);
      } finally {
        await first.stop();
      }
      const again = await relay({ dataDir });
      const control = await again.control(d.deviceId, d.deviceSecret);
      await control.nextOf('hello');
      const d2 = { ...d, control };
      const phone = again.client(`/relay/v1/devices/${d.deviceId}/connect`, phoneSecret);
      await answerDial(again, d2);
      await phone.opened;
      // Tokens minted before the restart still verify: the key persisted.
      const paired = again.client('/relay/v1/pair', spareToken);
      expect((await control.nextOf('dial')).purpose).toBe('pair');
      await paired.opened;
      await again.stop();
      relays.splice(relays.indexOf(again), 1);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('closes everything with GOING_AWAY on close()', async () => {
    const r = await startTestRelay();
    const d = await device(r);
    const { phone, data } = await pairTunnel(r, d);
    await r.server.close();
    expect((await phone.closed).code).toBe(CloseCode.GOING_AWAY);
    expect((await data.closed).code).toBe(CloseCode.GOING_AWAY);
    expect((await d.control.closed).code).toBe(CloseCode.GOING_AWAY);
  });

  it('mounts beside other routes on a host server (embedded mode)', async () => {
    const host = createRelayHost();
    const server = http.createServer((req, res) => {
      if (host.handleRequest(req, res)) return;
      res.end('trpc here');
    });
    server.on('upgrade', (req, socket, head) => {
      if (!host.handleUpgrade(req, socket, head)) socket.destroy();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      expect(await (await fetch(`${base}/trpc/system.health`)).text()).toBe('trpc here');
      const reg = await fetch(`${base}/relay/v1/devices`, { method: 'POST' });
      const { deviceId, deviceSecret } = (await reg.json()) as Record<string, string>;
      const ws = new WebSocket(
        `${base.replace('http', 'ws')}/relay/v1/devices/${deviceId}/control`,
        bearerProtocols(deviceSecret!),
      );
      const hello = await new Promise<string>((resolve) =>
        ws.once('message', (m: Buffer) => resolve(m.toString('utf8'))),
      );
      expect(JSON.parse(hello)).toEqual({ type: 'hello', deviceId });
      const other = new WebSocket(`${base.replace('http', 'ws')}/trpc`);
      other.on('error', () => {});
      await new Promise((resolve) => other.once('close', resolve));
      ws.terminate();
    } finally {
      await host.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** The value once it has stopped changing for a while (for queues that fill and then stall). */
async function settled(read: () => number, quietMs = 300): Promise<number> {
  let last = read();
  let quietSince = Date.now();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    const now = read();
    if (now !== last) {
      last = now;
      quietSince = Date.now();
    } else if (Date.now() - quietSince >= quietMs) {
      return now;
    }
  }
}
