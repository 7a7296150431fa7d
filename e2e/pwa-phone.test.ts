// The phone app in a real (headless) Chromium against a real daemon: open the pairing link, type the code,
// start a shell, run a command, reload into the same session, and interrupt a command with the Ctrl key.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { createLoopsyClient, type LoopsyClient } from '@loopsy/client-sdk/node';
import { startTestDaemon, type TestDaemon } from '@loopsy/daemon/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const ARTIFACTS = path.join(import.meta.dirname, 'artifacts');

let d: TestDaemon;
let owner: LoopsyClient;
let context: BrowserContext;
let profile: string;

beforeAll(async () => {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`,
    );
  }
  d = await startTestDaemon();
  owner = createLoopsyClient({ url: d.url, apiKey: d.apiKey, transport: 'ws' });
  expect(await d.daemon.services.relay.waitConnected(10_000)).toBe(true);
  const app = await fetch(`${d.url}/app`);
  if (app.status !== 200 || !(await app.text()).includes('/app/_app/')) {
    throw new Error(
      'The daemon does not serve the phone app at /app: build it first with `npm run build` (pwa/build).',
    );
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  profile = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 390, height: 844 },
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 3,
    userAgent:
      'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP1A.240305.019) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36',
  });
}, 60_000);

afterAll(async () => {
  await context?.close();
  await owner?.close();
  await d?.stop();
  if (profile) fs.rmSync(profile, { recursive: true, force: true });
});

/** The terminal's rendered text, one line per row. */
function screenText(page: Page): Promise<string> {
  return page.locator('.xterm-rows').innerText();
}

async function waitForScreen(page: Page, pattern: RegExp, timeout = 15_000): Promise<string> {
  const deadline = Date.now() + timeout;
  let text = '';
  while (Date.now() < deadline) {
    text = await screenText(page).catch(() => '');
    if (pattern.test(text)) return text;
    await page.waitForTimeout(100);
  }
  throw new Error(`The terminal never showed ${pattern}; it shows:\n${text}`);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

describe('the phone app', () => {
  it('pairs with the code, runs a shell, survives a reload, and sends Ctrl-C from the keys bar', async () => {
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));

    const offer = await owner.phones.createPairing.mutate({ ttlSeconds: 300 });
    await page.goto(offer.link);
    const code = page.locator('input[name="code"]');
    await code.waitFor();
    expect(await code.getAttribute('inputmode')).toBe('numeric');
    expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await page.locator('input[name="name"]').inputValue()).toBe('Pixel 8');
    await page.locator('input[name="name"]').fill('e2e-pixel');
    // A wrong code first: the app asks again on the same pairing and says how many tries are left.
    await code.fill(offer.code === '0000' ? '1111' : '0000');
    await page.getByRole('button', { name: 'Pair' }).tap();
    await page.getByText('4 attempts left').waitFor();
    // Nothing wider than the phone: no sideways scrolling on the pairing screen.
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(
      390,
    );
    await shot(page, 'pwa-1-pair-retry');
    await code.fill(offer.code);
    await page.getByRole('button', { name: 'Try again' }).tap();

    // Paired: the link's fragment is gone and the laptop's sessions show.
    await page.waitForURL(/\/app\/sessions\?d=/);
    expect(new URL(page.url()).hash).toBe('');
    await page.locator('[data-state="connected"]').waitFor();
    expect((await owner.phones.list.query()).map((p) => p.name)).toContain('e2e-pixel');
    await shot(page, 'pwa-2-sessions');
    // The app shell is installable: a service worker registered for /app/ (it never touches /relay).
    await page.waitForFunction(async () => {
      const reg = await navigator.serviceWorker.getRegistration('/app/');
      return reg?.scope.endsWith('/app/') === true;
    });

    await page.getByRole('button', { name: 'New shell' }).tap();
    await page.waitForURL(/\/app\/terminal\?d=.+&s=/);
    const terminalUrl = page.url();
    const sessionId = new URL(terminalUrl).searchParams.get('s') ?? '';
    await page.locator('.xterm-rows').waitFor();
    await page.locator('[data-state="connected"]').waitFor();

    // The terminal fills the screen between the header and the keys bar, and the daemon got its size.
    const box = await page.locator('.term').boundingBox();
    expect(box?.width).toBeGreaterThan(350);
    expect(box?.height).toBeGreaterThan(600);
    const keysBox = await page.locator('nav.keys').boundingBox();
    expect((keysBox?.y ?? 0) + (keysBox?.height ?? 0)).toBeLessThanOrEqual(844 + 1);
    const deadline = Date.now() + 5000;
    let info = await owner.terminal.get.query({ id: sessionId });
    while (info.cols === 80 && Date.now() < deadline) {
      await page.waitForTimeout(100);
      info = await owner.terminal.get.query({ id: sessionId });
    }
    expect(info.cols).toBeGreaterThan(20);
    expect(info.cols).not.toBe(80);

    await page.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('echo $((6*7))');
    await page.keyboard.press('Enter');
    await waitForScreen(page, /^42\s*$/m);
    await shot(page, 'pwa-3-terminal');

    // A reload comes back to the same session, with its scrollback.
    await page.reload();
    expect(page.url()).toBe(terminalUrl);
    await page.locator('.xterm-rows').waitFor();
    const restored = await waitForScreen(page, /echo \$\(\(6\*7\)\)[\s\S]*^42\s*$/m);
    expect(restored).toContain('echo $((6*7))');
    await page.locator('[data-state="connected"]').waitFor();
    await shot(page, 'pwa-4-reloaded');

    // Ctrl (sticky) then c interrupts a running command and the prompt comes back.
    await page.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type('sleep 30');
    await page.keyboard.press('Enter');
    await waitForScreen(page, /sleep 30/);
    await page.waitForTimeout(300);
    const ctrl = page.locator('button[data-key="ctrl"]');
    await ctrl.tap();
    expect(await ctrl.getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.type('c');
    await waitForScreen(page, /\^C/, 5000);
    expect(await ctrl.getAttribute('aria-pressed')).toBe('false');
    await page.keyboard.type('echo after-$((1+1))');
    await page.keyboard.press('Enter');
    // Only a shell that is back at its prompt runs this within the 30 s the sleep would take.
    await waitForScreen(page, /^after-2\s*$/m, 5000);
    await shot(page, 'pwa-5-ctrl-c');

    expect(errors).toEqual([]);
    await owner.terminal.kill.mutate({ id: sessionId });
    await page.close();
  }, 90_000);
});
