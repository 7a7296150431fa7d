import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRelayHost, type RelayHost } from './relay-host.js';

let root: string;
let appDir: string;
let host: RelayHost;
let server: http.Server;
let base: string;

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-relay-app-'));
  appDir = path.join(root, 'app');
  fs.mkdirSync(path.join(appDir, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(appDir, 'index.html'), '<!doctype html><title>Loopsy</title>');
  fs.writeFileSync(path.join(appDir, 'assets', 'main.js'), 'console.log(1);');
  fs.writeFileSync(path.join(appDir, 'assets', 'style.css'), 'body{}');
  fs.writeFileSync(path.join(appDir, 'assets', 'font.woff2'), Buffer.from([1, 2, 3]));
  fs.writeFileSync(path.join(appDir, 'with space.txt'), 'spaced');
  fs.writeFileSync(path.join(root, 'package.json'), '{"secret":"outside"}');
  fs.symlinkSync(path.join(root, 'package.json'), path.join(appDir, 'link.json'));
  host = createRelayHost({ appDir });
  server = http.createServer((req, res) => {
    if (host.handleRequest(req, res)) return;
    res.statusCode = 404;
    res.end('not the relay');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await host.close();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  fs.rmSync(root, { recursive: true, force: true });
});

/** Sends the path byte for byte: fetch would normalise the dot segments away before they reach the relay. */
function rawGet(
  pathname: string,
  method = 'GET',
): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${base}/`, { method, path: pathname }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString('utf8')));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('static app', () => {
  it.each([
    ['/app', 'text/html; charset=utf-8', '<!doctype html><title>Loopsy</title>'],
    ['/app/', 'text/html; charset=utf-8', '<!doctype html><title>Loopsy</title>'],
    ['/app/index.html', 'text/html; charset=utf-8', '<!doctype html><title>Loopsy</title>'],
    ['/app/assets/main.js', 'text/javascript; charset=utf-8', 'console.log(1);'],
    ['/app/assets/style.css', 'text/css; charset=utf-8', 'body{}'],
    ['/app/with%20space.txt', 'text/plain; charset=utf-8', 'spaced'],
    ['/app/assets/main.js?v=3', 'text/javascript; charset=utf-8', 'console.log(1);'],
  ])('serves %s', async (pathname, type, body) => {
    const res = await rawGet(pathname);
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe(type);
    expect(res.headers['x-content-type-options']).toBe('nosniff');
    expect(res.body).toBe(body);
  });

  it('serves fonts with their type', async () => {
    const res = await rawGet('/app/assets/font.woff2');
    expect(res.headers['content-type']).toBe('font/woff2');
  });

  it('marks index.html no-cache and other files cacheable', async () => {
    expect((await rawGet('/app/')).headers['cache-control']).toBe('no-cache');
    expect((await rawGet('/app/assets/main.js')).headers['cache-control']).toMatch(/max-age/);
  });

  it('falls back to index.html for app routes but not for missing assets', async () => {
    const route = await rawGet('/app/devices/abc/terminal');
    expect(route.status).toBe(200);
    expect(route.body).toContain('<title>Loopsy</title>');
    expect(route.headers['cache-control']).toBe('no-cache');
    expect((await rawGet('/app/assets/missing.js')).status).toBe(404);
  });

  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await rawGet('/app/assets/main.js', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('15');
    expect(head.body).toBe('');
    expect((await rawGet('/app/', 'POST')).status).toBe(405);
  });

  it.each([
    '/app/../package.json',
    '/app/assets/../../package.json',
    '/app/%2e%2e/package.json',
    '/app/%2E%2E/package.json',
    '/app/..%2fpackage.json',
    '/app/%2e%2e%2fpackage.json',
    '/app/..%5cpackage.json',
    '/app/%2e%2e%5cpackage.json',
    '/app/.%2e/package.json',
    '/app/%252e%252e/package.json',
    '/app/%c0%ae%c0%ae/package.json',
    '/app/%00../package.json',
    '/app/%',
    '/app/link.json',
    '/app//etc/passwd',
    '/app/C:%5cWindows',
  ])('never serves outside the folder: %s', async (pathname) => {
    const res = await rawGet(pathname);
    expect(res.body).not.toContain('outside');
    expect(res.body).not.toContain('root:');
    expect([400, 404, 200]).toContain(res.status);
    if (res.status === 200) expect(res.body).toContain('<title>Loopsy</title>');
  });

  it('refuses the plain traversal outright', async () => {
    expect((await rawGet('/app/../package.json')).status).toBe(400);
    expect((await rawGet('/app/%2e%2e/package.json')).status).toBe(400);
    expect((await rawGet('/app/..%2fpackage.json')).status).toBe(400);
  });

  it('leaves other paths to the host server', async () => {
    expect((await rawGet('/application')).body).toBe('not the relay');
    expect((await rawGet('/package.json')).body).toBe('not the relay');
  });

  it('serves nothing under /app without an appDir', async () => {
    const bare = createRelayHost();
    const res = { statusCode: 0 } as unknown as http.ServerResponse;
    const req = { url: '/app/index.html', method: 'GET' } as http.IncomingMessage;
    expect(bare.handleRequest(req, res)).toBe(false);
    await bare.close();
  });
});
