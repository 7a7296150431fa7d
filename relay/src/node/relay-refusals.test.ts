import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { CloseCode, MAX_CONTROL_FRAME, MAX_DATA_FRAME } from '../core/index.js';
import {
  startTestRelay,
  type TestClient,
  type TestControl,
  type TestRelay,
} from '../test-support/relay-test-clients.js';

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
  await control.nextOf('hello');
  return { deviceId, deviceSecret, control };
}

async function tunnel(r: TestRelay, d: Device): Promise<{ phone: TestClient; data: TestClient }> {
  d.control.request({ type: 'pair.create', requestId: 'p', ttlSeconds: 600 });
  const { token } = await d.control.nextOf('pair.created');
  const phone = r.client('/relay/v1/pair', token);
  const dial = await d.control.nextOf('dial');
  const data = r.client(
    `/relay/v1/devices/${d.deviceId}/data/${dial.connectionId}`,
    d.deviceSecret,
  );
  await Promise.all([phone.opened, data.opened]);
  return { phone, data };
}

/** Proves the relay still serves: a fresh device gets a working tunnel. */
async function stillServes(r: TestRelay): Promise<void> {
  const d = await device(r);
  const { phone, data } = await tunnel(r, d);
  phone.send('still here');
  expect((await data.next()).data.toString()).toBe('still here');
}

async function register(r: TestRelay, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${r.http}/relay/v1/devices`, { method: 'POST', headers });
}

describe('relay refusals', () => {
  it('limits registrations to 5 a minute per address (429 on the 6th)', async () => {
    let t = Date.now();
    const r = await relay({ now: () => t });
    for (let i = 0; i < 5; i++) expect((await register(r)).status).toBe(201);
    const sixth = await register(r);
    expect(sixth.status).toBe(429);
    expect(sixth.headers.get('retry-after')).toBe('60');
    expect(await sixth.json()).toEqual({
      error: { code: 'rate-limited', message: expect.stringMatching(/try again in 60 s/) },
    });
    t += 60_000;
    expect((await register(r)).status).toBe(201);
  });

  it('requires the registration secret when one is set', async () => {
    const r = await relay({ registrationSecret: 'let-me-in' });
    const none = await register(r);
    expect(none.status).toBe(401);
    const body = (await none.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('unauthorized');
    expect(body.error.message).toMatch(/x-loopsy-registration/);
    expect(body.error.message).not.toContain('let-me-in');
    expect((await register(r, { 'x-loopsy-registration': 'let-me-ix' })).status).toBe(401);
    expect((await register(r, { 'x-loopsy-registration': 'let-me-in' })).status).toBe(201);
  });

  it('limits pair redemptions to 10 a minute per address, before spending the token', async () => {
    let t = Date.now();
    const r = await relay({ now: () => t });
    const d = await device(r);
    d.control.request({ type: 'pair.create', requestId: 'p', ttlSeconds: 600 });
    const { token } = await d.control.nextOf('pair.created');
    for (let i = 0; i < 10; i++) {
      expect((await r.client('/relay/v1/pair', `bad${i}`).closed).code).toBe(
        CloseCode.UNAUTHORIZED,
      );
    }
    expect((await r.client('/relay/v1/pair', token).closed).code).toBe(CloseCode.RATE_LIMITED);
    t += 60_000;
    const phone = r.client('/relay/v1/pair', token);
    expect((await d.control.nextOf('dial')).purpose).toBe('pair');
    await phone.opened;
  });

  it('limits phone connects to 60 a minute per address', async () => {
    const r = await relay();
    const d = await device(r);
    const path = `/relay/v1/devices/${d.deviceId}/connect`;
    const results = await Promise.all(
      Array.from({ length: 61 }, () => r.client(path, 'x'.repeat(43)).closed),
    );
    const codes = results.map((c) => c.code);
    expect(codes.filter((c) => c === CloseCode.UNAUTHORIZED)).toHaveLength(60);
    expect(codes.filter((c) => c === CloseCode.RATE_LIMITED)).toHaveLength(1);
  });

  it('closes both sides of a tunnel on an oversize frame and keeps serving', async () => {
    const r = await relay();
    const d = await device(r);
    const { phone, data } = await tunnel(r, d);
    phone.send(new Uint8Array(MAX_DATA_FRAME + 1));
    expect((await data.closed).code).toBe(CloseCode.FRAME_TOO_LARGE);
    // ws itself refuses the frame on the sender's socket with 1009 (message too big) before the splice sees it.
    expect([1009, CloseCode.FRAME_TOO_LARGE]).toContain((await phone.closed).code);
    expect(data.frames).toHaveLength(0);
    const other = await tunnel(r, d);
    other.data.send('x'.repeat(MAX_DATA_FRAME + 5));
    expect((await other.phone.closed).code).toBe(CloseCode.FRAME_TOO_LARGE);
    await stillServes(r);
  });

  it('answers garbage on the control socket with error frames, then closes a persistent offender', async () => {
    const r = await relay();
    const d = await device(r);
    const c = d.control;
    const garbage: Array<[Uint8Array | string, string]> = [
      [new Uint8Array([1, 2, 3]), 'bad-request'],
      ['not json', 'bad-request'],
      ['{"type":"reboot"}', 'bad-request'],
      ['[]', 'bad-request'],
      ['null', 'bad-request'],
      ['{"type":"phone.add","requestId":"r9","connectionId":42}', 'bad-request'],
      [
        JSON.stringify({ type: 'ping', ts: 1, pad: 'x'.repeat(MAX_CONTROL_FRAME) }),
        'frame-too-large',
      ],
    ];
    for (const [frame, code] of garbage) {
      c.send(frame);
      expect(await c.nextOf('error')).toMatchObject({ type: 'error', code });
    }
    c.request({ type: 'ping', ts: 7 });
    expect(await c.nextOf('pong')).toEqual({ type: 'pong', ts: 7 });
    for (let i = 0; i < 5; i++) c.send('}{');
    expect(await c.closed).toEqual({
      code: CloseCode.BAD_REQUEST,
      reason: 'too many unreadable control frames',
    });
    await stillServes(r);
  });

  it('keeps the requestId of an invalid request in its error', async () => {
    const r = await relay();
    const d = await device(r);
    d.control.send('{"type":"pair.create","requestId":"keep-me","ttlSeconds":"soon"}');
    expect(await d.control.nextOf('error')).toMatchObject({
      requestId: 'keep-me',
      code: 'bad-request',
    });
  });

  it('drops a control socket that sends a frame over the WebSocket limit', async () => {
    const r = await relay();
    const d = await device(r);
    d.control.send(new Uint8Array(MAX_DATA_FRAME + 1));
    expect((await d.control.closed).code).toBe(1009);
    await stillServes(r);
  });

  it('refuses a phone that sends too much before the device answers', async () => {
    const r = await relay();
    const d = await device(r);
    d.control.request({ type: 'pair.create', requestId: 'p', ttlSeconds: 600 });
    const { token } = await d.control.nextOf('pair.created');
    const phone = r.client('/relay/v1/pair', token);
    await phone.opened;
    for (let i = 0; i < 65; i++) phone.send('hello?');
    expect((await phone.closed).code).toBe(CloseCode.BAD_REQUEST);
    expect(r.server.host.stats().pendingDials).toBe(0);
  });

  it('refuses bad credentials on device endpoints', async () => {
    const r = await relay();
    const d = await device(r);
    const other = await r.register();
    const cases: Array<[string, string | undefined]> = [
      [`/relay/v1/devices/${d.deviceId}/control`, undefined],
      [`/relay/v1/devices/${d.deviceId}/control`, 'wrong'],
      [`/relay/v1/devices/${d.deviceId}/control`, other.deviceSecret],
      [`/relay/v1/devices/${'A'.repeat(22)}/control`, d.deviceSecret],
      [`/relay/v1/devices/${d.deviceId}/data/${'B'.repeat(22)}`, 'wrong'],
      [`/relay/v1/devices/${d.deviceId}/data/${'B'.repeat(22)}`, undefined],
    ];
    for (const [path, bearer] of cases) {
      expect((await r.client(path, bearer).closed).code, path).toBe(CloseCode.UNAUTHORIZED);
    }
    // A secret in the URL is never read.
    const inUrl = r.client(`/relay/v1/devices/${d.deviceId}/control?token=${d.deviceSecret}`);
    expect((await inUrl.closed).code).toBe(CloseCode.UNAUTHORIZED);
    const unknownDial = r.client(
      `/relay/v1/devices/${d.deviceId}/data/${'B'.repeat(22)}`,
      d.deviceSecret,
    );
    expect((await unknownDial.closed).code).toBe(CloseCode.NOT_FOUND);
    // The real control socket was not disturbed by any of it.
    expect(d.control.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('closes unknown and malformed relay paths with named codes', async () => {
    const r = await relay();
    const cases: Array<[string, number]> = [
      ['/relay/v1/nope', CloseCode.NOT_FOUND],
      ['/relay', CloseCode.NOT_FOUND],
      ['/relay/v2/pair', CloseCode.NOT_FOUND],
      ['/relay/v1/devices', CloseCode.NOT_FOUND],
      [`/relay/v1/devices/${'A'.repeat(22)}/control/extra`, CloseCode.NOT_FOUND],
      ['/relay/v1/devices/%00%2e%2e/control', CloseCode.BAD_REQUEST],
      ['/relay/v1/devices/short/connect', CloseCode.BAD_REQUEST],
      [`/relay/v1/devices/${'A'.repeat(65)}/connect`, CloseCode.BAD_REQUEST],
      [`/relay/v1/devices/${'A'.repeat(22)}/data/a%20b`, CloseCode.BAD_REQUEST],
    ];
    for (const [path, code] of cases) {
      expect((await r.client(path, 'x').closed).code, path).toBe(code);
    }
    await stillServes(r);
  });

  it('answers HTTP garbage with JSON errors', async () => {
    const r = await relay();
    const get = await fetch(`${r.http}/relay/v1/devices`);
    expect(get.status).toBe(405);
    expect(((await get.json()) as { error: { code: string } }).error.code).toBe(
      'method-not-allowed',
    );
    expect((await fetch(`${r.http}/relay/v1/nothing`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${r.http}/relay/v1/pair`)).status).toBe(426);
    expect((await fetch(`${r.http}/elsewhere`)).status).toBe(404);
    const big = await fetch(`${r.http}/relay/v1/devices`, {
      method: 'POST',
      body: 'x'.repeat(1024 * 1024),
    });
    expect(big.status).toBe(201);
    expect((await fetch(`${r.http}/relay/v1/health`)).status).toBe(200);
  });

  it('survives raw TCP garbage and broken handshakes', async () => {
    const r = await relay();
    const port = r.server.port;
    const raw = async (bytes: string | Buffer): Promise<string> =>
      new Promise((resolve) => {
        const s = net.connect(port, '127.0.0.1', () => s.end(bytes));
        let out = '';
        s.on('data', (d: Buffer) => (out += d.toString('latin1')));
        s.on('error', () => resolve(out));
        s.on('close', () => resolve(out));
      });
    await raw(Buffer.from([0, 1, 2, 3, 255, 254, 13, 10, 13, 10]));
    await raw(
      'GET /relay/v1/pair HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n',
    );
    const badProto = await raw(
      'GET /relay/v1/pair HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        'Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
        'Sec-WebSocket-Protocol: loopsy.v1,, ,loopsy.bearer.a b\r\n\r\n',
    );
    expect(badProto).toMatch(/^HTTP\/1\.1 400/);
    const noBearerNoV1 = r.client('/relay/v1/pair', undefined);
    expect((await noBearerNoV1.closed).code).toBe(CloseCode.UNAUTHORIZED);
    const elsewhere = new WebSocket(`${r.ws}/not-relay`);
    const status = await new Promise<number>((resolve) => {
      elsewhere.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
      elsewhere.on('error', () => {});
    });
    expect(status).toBe(404);
    // A client that offers a bearer but not loopsy.v1 gets no subprotocol, so it cannot proceed.
    const noV1 = new WebSocket(`${r.ws}/relay/v1/pair`, ['loopsy.bearer.abc']);
    const failed = await new Promise<string>((resolve) => {
      noV1.on('error', (err) => resolve(err.message));
      noV1.on('open', () => resolve('opened'));
    });
    expect(failed).toMatch(/subprotocol/i);
    await stillServes(r);
  });

  it('survives random frames from a phone in every state', async () => {
    const r = await relay();
    const d = await device(r);
    const { phone, data } = await tunnel(r, d);
    for (let i = 0; i < 50; i++) {
      phone.send(Buffer.from(Array.from({ length: i * 13 }, (_, j) => (i * j) & 255)));
      data.send(String.fromCharCode(...Array.from({ length: i }, (_, j) => 32 + ((i + j) % 90))));
    }
    await data.receivedCount(50);
    await phone.receivedCount(50);
    await stillServes(r);
  });
});
