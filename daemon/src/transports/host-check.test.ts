import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, writeConfig } from '../config.js';
import { startTestDaemon, type TestDaemon } from '../test-support/index.js';
import { allowedHostNames, hostAllowed, hostNameOf, originAllowed } from './host-check.js';

describe('host names', () => {
  it('reads the name out of Host headers', () => {
    expect(hostNameOf('127.0.0.1:19532')).toBe('127.0.0.1');
    expect(hostNameOf('LocalHost')).toBe('localhost');
    expect(hostNameOf('[::1]:80')).toBe('::1');
    expect(hostNameOf('[::1]')).toBe('::1');
    expect(hostNameOf('evil.example:80')).toBe('evil.example');
    expect(hostNameOf('::1')).toBeUndefined();
    expect(hostNameOf('a:b:c')).toBeUndefined();
    expect(hostNameOf('[::1]x')).toBeUndefined();
    expect(hostNameOf('')).toBeUndefined();
  });

  it('allows IP literals, localhost and listed names only', () => {
    for (const ok of [
      '127.0.0.1:1',
      '192.168.1.20:19532',
      '[::1]:9',
      'localhost:3000',
      'LOCALHOST',
    ])
      expect(hostAllowed(ok, [])).toBe(true);
    for (const bad of [
      'evil.example',
      'evil.example:19532',
      'localhost.evil.example',
      '127.0.0.1.nip.io',
      'localhost.',
      '',
    ])
      expect(hostAllowed(bad, [])).toBe(false);
    expect(hostAllowed('mybox.lan:19532', ['MyBox.lan'])).toBe(true);
    expect(hostAllowed(undefined, [])).toBe(true);
  });

  it('checks WebSocket origins the same way', () => {
    expect(originAllowed(undefined, [])).toBe(true);
    expect(originAllowed('http://127.0.0.1:19532', [])).toBe(true);
    expect(originAllowed('https://[::1]:8443', [])).toBe(true);
    expect(originAllowed('http://localhost:5173', [])).toBe(true);
    expect(originAllowed('http://evil.example', [])).toBe(false);
    expect(originAllowed('http://evil.example', ['evil.example'])).toBe(true);
    expect(originAllowed('null', [])).toBe(false);
    expect(originAllowed('chrome-extension://abc', [])).toBe(false);
    expect(originAllowed('file:///tmp/x.html', [])).toBe(false);
  });

  it('also allows the name the daemon was told to bind', () => {
    expect(allowedHostNames(['A.example'], '127.0.0.1')).toEqual(['a.example']);
    expect(allowedHostNames([], 'mybox.local')).toEqual(['mybox.local']);
  });
});

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
});
afterAll(() => d.stop());

interface RawResponse {
  status: number;
  body: string;
}

/** A request to the test daemon on loopback, with whatever Host (and headers) a browser might send. */
function rawRequest(path: string, headers: Record<string, string>): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port: d.daemon.port, path, headers, agent: false },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('upgrade', (res, socket) => {
      socket.destroy();
      resolve({ status: res.statusCode ?? 0, body: '' });
    });
    req.on('error', reject);
    req.end();
  });
}

function upgrade(path: string, host: string, origin?: string): Promise<RawResponse> {
  return rawRequest(path, {
    host,
    connection: 'Upgrade',
    upgrade: 'websocket',
    'sec-websocket-version': '13',
    'sec-websocket-key': randomBytes(16).toString('base64'),
    ...(origin ? { origin } : {}),
  });
}

describe('DNS-rebinding defence on the TCP port', () => {
  it('refuses HTTP requests for a foreign host name, on every route, with a short explanation', async () => {
    for (const path of ['/trpc/system.health', '/app/', '/relay/v1/health', '/nowhere']) {
      const res = await rawRequest(path, { host: 'evil.example' });
      expect(res.status, path).toBe(421);
      expect(res.body).toMatch(/host name is not allowed.*server\.allowedHosts/s);
    }
    const port = String(d.daemon.port);
    for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, 'localhost']) {
      expect((await rawRequest('/trpc/system.health', { host })).status, host).toBe(200);
    }
    // The embedded relay's routes still answer for an IP host (phones on the LAN use one).
    expect((await rawRequest('/relay/v1/health', { host: `127.0.0.1:${port}` })).status).toBe(200);
  });

  it('refuses WebSocket upgrades for a foreign host or from a foreign page', async () => {
    const port = d.daemon.port;
    expect((await upgrade('/trpc', 'evil.example')).status).toBe(421);
    expect((await upgrade('/trpc', `127.0.0.1:${port}`, 'http://evil.example')).status).toBe(403);
    expect((await upgrade('/trpc', `127.0.0.1:${port}`, 'null')).status).toBe(403);
    expect((await upgrade('/trpc', `127.0.0.1:${port}`)).status).toBe(101);
    expect((await upgrade('/trpc', `127.0.0.1:${port}`, `http://127.0.0.1:${port}`)).status).toBe(
      101,
    );
    expect((await upgrade('/trpc', `localhost:${port}`, `http://localhost:${port}`)).status).toBe(
      101,
    );
    // The embedded relay's sockets are behind the same check.
    expect((await upgrade('/relay/v1/device', 'evil.example')).status).toBe(421);
  });

  it('follows server.allowedHosts without a restart', async () => {
    const config = loadConfig(d.home);
    config.server.allowedHosts = ['Evil.Example'];
    writeConfig(d.home, config);
    expect((await rawRequest('/trpc/system.health', { host: 'evil.example:80' })).status).toBe(200);
    expect((await upgrade('/trpc', 'evil.example', 'http://evil.example')).status).toBe(101);
    config.server.allowedHosts = [];
    writeConfig(d.home, config);
    expect((await rawRequest('/trpc/system.health', { host: 'evil.example' })).status).toBe(421);
  });
});
