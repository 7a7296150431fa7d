import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, type TestDaemon } from '../test-support/index.js';

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon((c) => {
    c.server.maxBodyBytes = 64 * 1024;
  });
});
afterAll(() => d.stop());

const auth = (key: string) => ({ authorization: `Bearer ${key}` });

describe('HTTP transport', () => {
  it('serves health without a key and status only with one', async () => {
    expect((await fetch(`${d.url}/trpc/system.health`)).status).toBe(200);
    const anon = await fetch(`${d.url}/trpc/system.status`);
    expect(anon.status).toBe(401);
    const wrong = await fetch(`${d.url}/trpc/system.status`, { headers: auth('lsk_wrong') });
    expect(wrong.status).toBe(401);
    const ok = await fetch(`${d.url}/trpc/system.status`, { headers: auth(d.apiKey) });
    expect(ok.status).toBe(200);
    const body = (await ok.json()) as { result: { data: { nodeId: string } } };
    expect(body.result.data.nodeId).toBe(d.daemon.services.identity.nodeId);
  });

  it('batches calls', async () => {
    const res = await fetch(`${d.url}/trpc/system.health,system.identity?batch=1&input={}`, {
      headers: auth(d.apiKey),
    });
    expect(res.status).toBe(200);
    const body = (await res.json()) as unknown[];
    expect(body).toHaveLength(2);
  });

  it('answers 404 for an unknown procedure and for paths outside /trpc', async () => {
    expect((await fetch(`${d.url}/trpc/nope.nothing`, { headers: auth(d.apiKey) })).status).toBe(
      404,
    );
    const outside = await fetch(`${d.url}/etc/passwd`);
    expect(outside.status).toBe(404);
    expect(await outside.text()).toContain('/trpc/');
  });

  it('refuses an oversized body with 413 before running anything, and stays up', async () => {
    const res = await fetch(`${d.url}/trpc/exec.run`, {
      method: 'POST',
      headers: { ...auth(d.apiKey), 'content-type': 'application/json' },
      body: JSON.stringify({ command: 'echo', args: ['x'.repeat(200 * 1024)] }),
    });
    expect(res.status).toBe(413);
    expect((await fetch(`${d.url}/trpc/system.health`)).status).toBe(200);
  });

  it('answers malformed JSON with 400', async () => {
    const res = await fetch(`${d.url}/trpc/exec.run`, {
      method: 'POST',
      headers: { ...auth(d.apiKey), 'content-type': 'application/json' },
      body: '{"command": "echo", ',
    });
    expect(res.status).toBe(400);
  });

  it('survives a torn request', async () => {
    const net = await import('node:net');
    await new Promise<void>((resolve) => {
      const sock = net.connect(d.daemon.port, '127.0.0.1', () => {
        sock.end('POST /trpc/system.status HTTP/1.1\r\nContent-Length: 100000\r\n\r\n{"a":');
      });
      sock.on('close', () => resolve());
      sock.on('error', () => resolve());
      sock.resume();
    });
    expect((await fetch(`${d.url}/trpc/system.health`)).status).toBe(200);
  });
});
