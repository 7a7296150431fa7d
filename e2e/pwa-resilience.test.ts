// The phone app through a separate relay that dies and comes back mid-output: the app says it is
// reconnecting, resumes by itself, and shows every line exactly once. Then the phone goes offline: the
// installed shell still loads from the service worker and says it is offline, and recovers when online.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLoopsyClient, type LoopsyClient } from '@loopsy/client-sdk/node';
import { findPhoneAppBuild } from '@loopsy/daemon';
import { startTestDaemon, type TestDaemon } from '@loopsy/daemon/test-support';
import { startRelayServer, type RelayServer } from '@loopsy/relay/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collectPageErrors,
  launchPhone,
  shot,
  typeLine,
  waitForScreen,
  type Phone,
} from './support/browser.js';
import { startTcpProxy, type TcpProxy } from './support/tcp-proxy.js';

let d: TestDaemon;
let owner: LoopsyClient;
let phone: Phone;
let relay: RelayServer;
let proxy: TcpProxy;
let relayData: string;
let relayPort: number;

async function startRelay(port: number): Promise<RelayServer> {
  const appDir = findPhoneAppBuild();
  if (!appDir) throw new Error('No phone app build: run `npm run build` first (pwa/build).');
  return startRelayServer({ port, host: '127.0.0.1', dataDir: relayData, appDir });
}

beforeAll(async () => {
  d = await startTestDaemon();
  owner = createLoopsyClient({ url: d.url, apiKey: d.apiKey, transport: 'ws' });
  relayData = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-relay-'));
  relay = await startRelay(0);
  relayPort = relay.port;
  proxy = await startTcpProxy(relay.port);
  await owner.relay.configure.mutate({ url: proxy.url });
  expect(await d.daemon.services.relay.waitConnected(10_000)).toBe(true);
  phone = await launchPhone();
}, 60_000);

afterAll(async () => {
  await phone?.close();
  await owner?.close();
  await d?.stop();
  await proxy?.close();
  await relay?.close();
  if (relayData) fs.rmSync(relayData, { recursive: true, force: true });
});

describe('the phone app when the network fails', () => {
  it('resumes through a relay restart with every line once, and starts offline from its cache', async () => {
    const page = await phone.context.newPage();
    const errors = collectPageErrors(page);
    const offer = await owner.phones.createPairing.mutate({ ttlSeconds: 300 });
    expect(offer.link.startsWith(`${proxy.url}/app#`)).toBe(true);
    await page.goto(offer.link);
    await page.locator('input[name="code"]').fill(offer.code);
    await page.getByRole('button', { name: 'Pair' }).tap();
    await page.waitForURL(/\/app\/sessions\?d=/);
    await page.getByRole('button', { name: 'New shell' }).tap();
    await page.waitForURL(/\/app\/terminal\?/);
    await page.locator('[data-state="connected"]').waitFor();

    await typeLine(page, 'for i in $(seq 1 40); do echo tick-$i; sleep 0.1; done; echo loop-done');
    await waitForScreen(page, /^tick-3\s*$/m);
    // The relay goes away while the loop keeps printing on the laptop.
    proxy.cutAll();
    await relay.close();
    await page.locator('[data-state="reconnecting"]').waitFor({ timeout: 10_000 });
    await shot(page, 'pwa-9-reconnecting');
    await page.waitForTimeout(1500);
    relay = await startRelay(relayPort);
    await page.locator('[data-state="connected"]').waitFor({ timeout: 30_000 });
    await waitForScreen(page, /^loop-done\s*$/m, 30_000);

    // Every line once: nothing lost while the relay was down, nothing repeated after the resume.
    await page.getByRole('button', { name: 'Select and copy' }).tap();
    const text = await page.locator('[data-select-text]').innerText();
    for (let i = 1; i <= 40; i++) {
      expect(text.match(new RegExp(`^tick-${i}$`, 'gm'))?.length, `tick-${i}`).toBe(1);
    }
    await page.getByRole('button', { name: 'Done' }).tap();
    await shot(page, 'pwa-10-resumed');

    // Offline: the service worker serves the app shell; the app says it is offline, then recovers.
    // (The pairing link opened /app, outside the worker's /app/ scope: the reload below is its first
    // controlled load.)
    await page.waitForFunction(
      async () =>
        (await navigator.serviceWorker.getRegistration('/app/'))?.active?.state === 'activated',
      undefined,
      { timeout: 15_000 },
    );
    await phone.context.setOffline(true);
    await page.reload();
    await page.locator('[data-offline]').waitFor();
    await page.locator('.xterm-rows').waitFor();
    await shot(page, 'pwa-11-offline');
    await phone.context.setOffline(false);
    await page.locator('[data-offline]').waitFor({ state: 'detached' });
    await page.locator('[data-state="connected"]').waitFor({ timeout: 30_000 });
    await waitForScreen(page, /^loop-done\s*$/m, 15_000);

    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});
