// The phone path end to end: pair with the code, then the same router through the relay, encrypted;
// wrong codes, revocation, a hostile relay, and a relay restart mid-stream.
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  createLoopsyClient,
  PairingError,
  redeemPairing,
  type LoopsyClient,
} from '@loopsy/client-sdk/node';
import { startRelayServer } from '@loopsy/relay/node';
import { startTestDaemon, type TestDaemon } from '@loopsy/daemon/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { observingWebSocket, pairPhone, phoneClient, tamperingWebSocket } from './support/phone.js';
import { startTcpProxy } from './support/tcp-proxy.js';

let d: TestDaemon;
let owner: LoopsyClient;

beforeAll(async () => {
  d = await startTestDaemon((c) => {
    c.terminal.bufferBytes = 64 * 1024 * 1024;
  });
  owner = createLoopsyClient({ url: d.url, apiKey: d.apiKey, transport: 'ws' });
  await d.daemon.services.relay.waitConnected(10_000);
});
afterAll(async () => {
  await owner.close();
  await d.stop();
});

async function readUntil(client: LoopsyClient, id: string, marker: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let text = '';
    const sub = client.terminal.onOutput.subscribe(
      { id },
      {
        onData: ({ data }) => {
          if (data.type === 'snapshot') text += data.data;
          if (data.type === 'data') text += Buffer.from(data.data, 'base64').toString();
          if (text.includes(marker)) {
            sub.unsubscribe();
            resolve(text);
          }
        },
        onError: reject,
      },
    );
  });
}

describe('phone through the built-in relay', () => {
  it('pairs with the code and then uses exec and a terminal as the phone', async () => {
    const creds = await pairPhone(owner, 'pixel');
    const phone = phoneClient(creds);
    try {
      const identity = await phone.system.identity.query();
      expect(identity.caller).toMatchObject({ kind: 'phone', name: 'pixel' });
      const run = await phone.exec.run.mutate({ command: 'echo', args: ['through the tunnel'] });
      expect(run.stdout).toBe('through the tunnel\n');
      const s = await phone.terminal.create.mutate({ agent: 'shell', cols: 80, rows: 24 });
      await phone.terminal.write.mutate({ id: s.id, data: 'echo $((6*7))-ok\r' });
      expect(await readUntil(phone, s.id, '42-ok')).toContain('42-ok');
      await phone.terminal.kill.mutate({ id: s.id });
      const phones = await owner.phones.list.query();
      expect(phones.map((p) => p.name)).toContain('pixel');
      const trail = fs.readFileSync(path.join(d.home, 'logs', 'audit.jsonl'), 'utf8');
      expect(trail).toContain('"caller":"phone:pixel","transport":"relay"');
    } finally {
      await phone.close();
    }
  });

  it('refuses what a phone must not do: pair other phones or move the relay', async () => {
    const phone = phoneClient(await pairPhone(owner, 'limited'));
    try {
      await expect(phone.phones.createPairing.mutate({})).rejects.toThrow(/Only the laptop/);
      await expect(phone.relay.configure.mutate({ url: 'http://127.0.0.1:1' })).rejects.toThrow(
        /cannot move/,
      );
    } finally {
      await phone.close();
    }
  });

  it('stops a brute force at 5 wrong codes, and the link cannot be used again', async () => {
    const offer = await owner.phones.createPairing.mutate({ ttlSeconds: 300 });
    const wrong = offer.code === '0000' ? '1111' : '0000';
    const seen: number[] = [];
    const err = await redeemPairing({
      link: offer.link,
      code: wrong,
      name: 'attacker',
      retry: (left) => {
        seen.push(left);
        return wrong;
      },
    }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PairingError);
    expect((err as PairingError).code).toBe('burned');
    expect(seen).toEqual([4, 3, 2, 1]);
    const again = await redeemPairing({ link: offer.link, code: offer.code, name: 'late' }).catch(
      (e: unknown) => e,
    );
    expect((again as PairingError).code).toBe('expired');
  });

  it('revoking a phone cuts its live connection at once and refuses it afterwards', async () => {
    const creds = await pairPhone(owner, 'lost-phone');
    const codes: number[] = [];
    const phone = phoneClient(
      creds,
      observingWebSocket((code) => codes.push(code)),
    );
    try {
      await phone.system.identity.query();
      const entry = (await owner.phones.list.query()).find((p) => p.name === 'lost-phone');
      const revoked = await owner.phones.revoke.mutate({ id: entry?.id ?? '' });
      expect(revoked.phone.revokedAt).not.toBeNull();
      expect(revoked.relayNotified).toBe(true);
      const deadline = Date.now() + 5000;
      while (!codes.includes(4410) && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 20));
      expect(codes).toContain(4410);
      // Reconnecting is refused by the relay, which no longer knows the phone.
      while (!codes.includes(4401) && Date.now() < deadline + 5000)
        await new Promise((r) => setTimeout(r, 50));
      expect(codes).toContain(4401);
    } finally {
      await phone.close();
    }
  });

  it('a relay that tampers with or replays a frame gets the tunnel closed; nothing runs from it', async () => {
    const creds = await pairPhone(owner, 'victim');
    const auditFile = path.join(d.home, 'logs', 'audit.jsonl');
    const failures = (): number =>
      fs.readFileSync(auditFile, 'utf8').split('DECRYPT_FAILED').length - 1;
    for (const attack of ['flip', 'replay'] as const) {
      const marker = `attack-${attack}-${Date.now()}`;
      const before = failures();
      // Frame 0 is the handshake, 1 the first call (identity), 2 the exec.run carrying the marker.
      const Hostile = tamperingWebSocket((frame, index, send) => {
        if (index !== 2) return send(frame);
        if (attack === 'flip') {
          const bad = Buffer.from(frame);
          bad[bad.length - 20] = (bad[bad.length - 20] ?? 0) ^ 0x01;
          send(bad);
        } else {
          send(frame);
          send(frame);
        }
      });
      const phone = phoneClient(creds, Hostile);
      try {
        await phone.system.identity.query();
        await Promise.race([
          phone.exec.run.mutate({ command: 'echo', args: [marker] }).catch(() => undefined),
          new Promise((r) => setTimeout(r, 3000)),
        ]);
      } finally {
        await phone.close();
      }
      expect(failures()).toBeGreaterThan(before);
      const jobs = (await owner.exec.jobs.query()).jobs.filter((j) => j.args.includes(marker));
      expect(jobs.length).toBeLessThanOrEqual(1);
    }
  });
});

describe('phone through a separate relay that restarts mid-stream', () => {
  it('resumes terminal output byte-exact, and the relay never sees plaintext', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-relay-'));
    let relay = await startRelayServer({ port: 0, host: '127.0.0.1', dataDir });
    const port = relay.port;
    // Every byte between the phone and the relay goes through this proxy, so the test can read it.
    const captured: Buffer[] = [];
    const proxy = await startTcpProxy(port, (chunk) => captured.push(Buffer.from(chunk)));
    try {
      await owner.relay.configure.mutate({ url: proxy.url });
      expect(await d.daemon.services.relay.waitConnected(10_000)).toBe(true);
      const creds = await pairPhone(owner, 'roamer');
      const phone = phoneClient(creds);
      try {
        const marker = 'SECRET-MARKER-7d1f';
        const s = await phone.terminal.create.mutate({
          agent: 'custom',
          command: 'sh',
          args: ['-c', `echo ${marker}; seq 1 300000; sleep 1`],
          cols: 80,
          rows: 24,
        });
        const expected = `${marker}\r\n${Array.from({ length: 300_000 }, (_, i) => String(i + 1)).join('\r\n')}\r\n`;
        const received: Buffer[] = [];
        let total = 0;
        let restarted = false;
        await new Promise<void>((resolve, reject) => {
          const sub = phone.terminal.onOutput.subscribe(
            { id: s.id, lastEventId: '0' },
            {
              onData: ({ data }) => {
                if (data.type === 'data') {
                  const chunk = Buffer.from(data.data, 'base64');
                  received.push(chunk);
                  total += chunk.length;
                  if (!restarted && total > 200_000) {
                    restarted = true;
                    void (async () => {
                      proxy.cutAll();
                      await relay.close();
                      relay = await startRelayServer({ port, host: '127.0.0.1', dataDir });
                    })();
                  }
                }
                if (data.type === 'exit') {
                  sub.unsubscribe();
                  resolve();
                }
                if (data.type === 'snapshot') reject(new Error('unexpected snapshot'));
              },
              onError: reject,
            },
          );
        });
        const out = Buffer.concat(received).toString();
        expect(restarted).toBe(true);
        expect(createHash('sha256').update(out).digest('hex')).toBe(
          createHash('sha256').update(expected).digest('hex'),
        );
        const wire = Buffer.concat(captured);
        expect(wire.length).toBeGreaterThan(expected.length);
        expect(wire.includes(Buffer.from(marker))).toBe(false);
        expect(wire.includes(Buffer.from('299999'))).toBe(false);
      } finally {
        await phone.close();
      }
    } finally {
      await proxy.close();
      await relay.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
