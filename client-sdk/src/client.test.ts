import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startTestDaemon, type TestDaemon } from '@loopsy/daemon/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectLocal, createLoopsyClient, DaemonNotRunning, TRPCClientError } from './node.js';

let d: TestDaemon;
beforeAll(async () => {
  d = await startTestDaemon();
});
afterAll(() => d.stop());

describe.each(['http', 'ws'] as const)('SDK over %s', (transport) => {
  it('calls typed procedures as the owner', async () => {
    const client = createLoopsyClient({ url: d.url, apiKey: d.apiKey, transport });
    try {
      const identity = await client.system.identity.query();
      expect(identity.caller.kind).toBe('owner');
      const status = await client.system.status.query();
      expect(status.nodeId).toBe(identity.nodeId);
      expect(typeof status.uptimeMs).toBe('number');
    } finally {
      await client.close();
    }
  });

  it('gets UNAUTHORIZED with a wrong key', async () => {
    const client = createLoopsyClient({ url: d.url, apiKey: 'lsk_not-the-key', transport });
    try {
      const err = await client.system.status.query().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TRPCClientError);
      expect((err as { data?: { code?: string } }).data?.code).toBe('UNAUTHORIZED');
      expect((await client.system.health.query()).status).toBe('ok');
    } finally {
      await client.close();
    }
  });
});

describe('connectLocal', () => {
  it('finds the daemon from the data folder', async () => {
    fs.writeFileSync(
      path.join(d.home, 'daemon.json'),
      JSON.stringify({ pid: process.pid, url: d.url, port: d.daemon.port }),
    );
    const client = connectLocal({ home: d.home });
    try {
      expect((await client.system.identity.query()).caller.kind).toBe('owner');
    } finally {
      await client.close();
      fs.rmSync(path.join(d.home, 'daemon.json'));
    }
  });

  it('says how to start a daemon when none runs', () => {
    expect(() => connectLocal({ home: d.home })).toThrow(DaemonNotRunning);
    expect(() => connectLocal({ home: d.home })).toThrow(/loopsy start/);
  });

  it('rejects a URL that is not http(s)', () => {
    expect(() => createLoopsyClient({ url: 'ftp://x', apiKey: 'k' })).toThrow(/http:\/\//);
  });
});

describe('declaration bundle', () => {
  it('carries the router types without importing daemon code or its dependencies', () => {
    const dist = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dist');
    for (const entry of ['index.d.ts', 'node.d.ts']) {
      const text = fs.readFileSync(path.join(dist, entry), 'utf8');
      const imports = [...text.matchAll(/from '([^']+)'/g)].map((m) => m[1]);
      expect(imports.every((i) => i?.startsWith('@trpc/'))).toBe(true);
      expect(text).toContain('health');
      expect(text).not.toContain('@loopsy/daemon');
    }
  });
});
