// Phone pairing as a user does it: `loopsy mobile pair`, the phone redeems, `loopsy phone list|revoke`,
// and moving to a separately run relay (`loopsy relay serve` + `loopsy relay configure`).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLoopsyClient, redeemPairing } from '@loopsy/client-sdk/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOOPSY_BIN, runProcess } from '../../test-support/run-cli.js';

let home: string;
let env: Record<string, string>;
beforeAll(async () => {
  home = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-pair-'));
  env = { LOOPSY_HOME: home };
  expect((await runProcess(['start', '--port', '0'], env)).code).toBe(0);
});
afterAll(async () => {
  await runProcess(['stop'], env);
  fs.rmSync(home, { recursive: true, force: true });
});

async function waitForRelay(): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const status = JSON.parse((await runProcess(['status', '--json'], env)).stdout) as {
      relay?: { state: string };
    };
    if (status.relay?.state === 'connected' || Date.now() > deadline) return;
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('loopsy mobile pair / phone', () => {
  it('pairs a phone with the built-in relay, lists it, revokes it', async () => {
    await waitForRelay();
    const pair = await runProcess(['mobile', 'pair', '--json', '--ttl', '120'], env);
    expect(pair.code, pair.stderr).toBe(0);
    const offer = JSON.parse(pair.stdout) as { link: string; code: string; expiresAt: number };
    expect(offer.code).toMatch(/^\d{4}$/);
    expect(offer.link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/app#[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(offer.link).not.toContain(offer.code);

    const human = await runProcess(['mobile', 'pair'], env);
    expect(human.stdout).toMatch(/Then enter this code on the phone: {2}\d{4}/);

    const creds = await redeemPairing({ link: offer.link, code: offer.code, name: 'my-phone' });
    const phone = createLoopsyClient({ relay: creds });
    expect((await phone.system.identity.query()).caller.name).toBe('my-phone');
    await phone.close();

    const list = JSON.parse((await runProcess(['phone', 'list', '--json'], env)).stdout) as Array<{
      id: string;
      name: string;
    }>;
    const entry = list.find((p) => p.name === 'my-phone');
    expect(entry).toBeDefined();
    const revoke = await runProcess(['phone', 'revoke', entry?.id ?? '', '--json'], env);
    expect(JSON.parse(revoke.stdout)).toMatchObject({
      relayNotified: true,
      phone: { name: 'my-phone' },
    });
    const after = JSON.parse((await runProcess(['phone', 'list', '--json'], env)).stdout) as Array<{
      revokedAt: number | null;
    }>;
    expect(after[0]?.revokedAt).not.toBeNull();
  });

  it('moves to a relay run with `loopsy relay serve`', async () => {
    const relayData = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-relay-serve-'));
    const relay = spawn(
      process.execPath,
      [LOOPSY_BIN, 'relay', 'serve', '--port', '0', '--data', relayData, '--json'],
      {
        env: { ...process.env, ...env },
      },
    );
    try {
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        relay.stdout.on('data', (c: Buffer) => {
          out += c.toString();
          const m = /"url": "([^"]+)"/.exec(out);
          if (m?.[1]) resolve(m[1]);
        });
        relay.on('exit', (code) => reject(new Error(`relay serve exited with ${code}`)));
      });
      const configured = await runProcess(['relay', 'configure', url, '--json'], env);
      expect(configured.code, configured.stderr).toBe(0);
      await waitForRelay();
      const status = JSON.parse((await runProcess(['status', '--json'], env)).stdout) as {
        relay: { url: string; state: string; embedded: boolean };
      };
      expect(status.relay).toMatchObject({ url, state: 'connected', embedded: false });
      const offer = JSON.parse((await runProcess(['mobile', 'pair', '--json'], env)).stdout) as {
        link: string;
      };
      expect(offer.link.startsWith(`${url}/app#`)).toBe(true);
    } finally {
      relay.kill('SIGTERM');
      await new Promise((r) => relay.once('exit', r));
      fs.rmSync(relayData, { recursive: true, force: true });
    }
  });
});
