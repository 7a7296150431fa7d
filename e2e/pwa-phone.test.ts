// The phone app in a real (headless) Chromium against a real daemon and its built-in relay: pair with the
// code, start a shell, type, reload into the same session, the extra keys' bytes, sticky Ctrl, dictation
// (a scripted SpeechRecognition stands in for the microphone), select-and-copy, font size, sessions.
import type { Page } from 'playwright-core';
import { createLoopsyClient, type LoopsyClient } from '@loopsy/client-sdk/node';
import { startTestDaemon, type TestDaemon } from '@loopsy/daemon/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collectPageErrors,
  launchPhone,
  PHONE,
  shot,
  typeLine,
  waitForScreen,
  type Phone,
} from './support/browser.js';

let d: TestDaemon;
let owner: LoopsyClient;
let phone: Phone;

/** A microphone that "hears" one phrase: interim words first, then the final transcript. */
const FAKE_SPEECH = `
  window.SpeechRecognition = class {
    constructor() { this.lang = ''; this.continuous = false; this.interimResults = false;
      this.onresult = null; this.onerror = null; this.onend = null; }
    start() {
      window.__speechStarts = (window.__speechStarts || 0) + 1;
      const said = (text, isFinal) => ({ resultIndex: 0,
        results: { length: 1, 0: { isFinal, length: 1, 0: { transcript: text } } } });
      setTimeout(() => this.onresult && this.onresult(said('echo voi', false)), 50);
      setTimeout(() => { this.onresult && this.onresult(said('echo voice-$((20+22))', true));
        this.onend && this.onend(); }, 200);
    }
    stop() { this.onend && this.onend(); }
  };
`;

beforeAll(async () => {
  d = await startTestDaemon();
  owner = createLoopsyClient({ url: d.url, apiKey: d.apiKey, transport: 'ws' });
  expect(await d.daemon.services.relay.waitConnected(10_000)).toBe(true);
  const app = await fetch(`${d.url}/app`);
  if (app.status !== 200 || !(await app.text()).includes('/app/_app/')) {
    throw new Error(
      'The daemon does not serve the phone app at /app: build it first with `npm run build` (pwa/build).',
    );
  }
  phone = await launchPhone();
}, 60_000);

afterAll(async () => {
  await phone?.close();
  await owner?.close();
  await d?.stop();
});

async function cols(id: string): Promise<number> {
  return (await owner.terminal.get.query({ id })).cols;
}

async function waitFor<T>(read: () => Promise<T>, ok: (v: T) => boolean, what: string): Promise<T> {
  const deadline = Date.now() + 5000;
  let v = await read();
  while (!ok(v)) {
    if (Date.now() > deadline) throw new Error(`${what}: still ${String(v)}`);
    await new Promise((r) => setTimeout(r, 100));
    v = await read();
  }
  return v;
}

async function tapKey(page: Page, key: string): Promise<void> {
  await page.locator(`nav.keys button[data-key="${key}"]`).tap();
}

describe('the phone app', () => {
  it('pairs with the code, runs a shell, survives a reload, and drives it with the keys bar and voice', async () => {
    const page = await phone.context.newPage();
    const errors = collectPageErrors(page);
    await page.addInitScript(FAKE_SPEECH);

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
      PHONE.width,
    );
    await shot(page, 'pwa-1-pair-retry');
    await code.fill(offer.code);
    await page.getByRole('button', { name: 'Try again' }).tap();

    // Paired: the link's fragment is gone and the laptop's sessions show, with a measured round trip.
    await page.waitForURL(/\/app\/sessions\?d=/);
    expect(new URL(page.url()).hash).toBe('');
    await page.locator('[data-state="connected"]').waitFor();
    await page.locator('[data-state="connected"]', { hasText: / ms$/ }).waitFor();
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
    expect(box?.height).toBeGreaterThan(550);
    const keysBox = await page.locator('nav.keys').boundingBox();
    expect((keysBox?.y ?? 0) + (keysBox?.height ?? 0)).toBeLessThanOrEqual(PHONE.height + 1);
    const phoneCols = await waitFor(
      () => cols(sessionId),
      (c) => c !== 80,
      'PTY width',
    );
    expect(phoneCols).toBeGreaterThan(20);

    await typeLine(page, 'echo $((6*7))');
    await waitForScreen(page, /^42\s*$/m);
    await shot(page, 'pwa-3-terminal');

    // A reload comes back to the same session, with its scrollback.
    await page.reload();
    expect(page.url()).toBe(terminalUrl);
    await page.locator('.xterm-rows').waitFor();
    const restored = await waitForScreen(page, /echo \$\(\(6\*7\)\)[\s\S]*^42\s*$/m);
    expect(restored).toContain('echo $((6*7))');
    await page.locator('[data-state="connected"]').waitFor();

    // Ctrl (sticky) then c interrupts a running command and the prompt comes back.
    await typeLine(page, 'sleep 30');
    await waitForScreen(page, /sleep 30/);
    await page.waitForTimeout(300);
    await tapKey(page, 'ctrl');
    const ctrl = page.locator('button[data-key="ctrl"]');
    expect(await ctrl.getAttribute('aria-pressed')).toBe('true');
    await page.keyboard.type('c');
    await waitForScreen(page, /\^C/, 5000);
    expect(await ctrl.getAttribute('aria-pressed')).toBe('false');
    // Only a shell that is back at its prompt runs this within the 30 s the sleep would take.
    await typeLine(page, 'echo after-$((1+1))');
    await waitForScreen(page, /^after-2\s*$/m, 5000);

    // Each key of the bar sends what a real keyboard would: `cat -v` shows the bytes it received.
    await typeLine(page, 'clear; cat -v');
    await page.waitForTimeout(300);
    for (const key of ['esc', 'shift-tab', 'home', 'pgdn']) await tapKey(page, key);
    await tapKey(page, 'alt');
    await tapKey(page, '|');
    await tapKey(page, '~');
    await page.keyboard.press('Enter');
    await waitForScreen(page, /^\^\[\^\[\[Z\^\[\[H\^\[\[6~\^\[\|~\s*$/m, 5000);
    await shot(page, 'pwa-4-extra-keys');
    await tapKey(page, 'ctrl');
    await page.keyboard.type('d');
    await typeLine(page, 'echo cat-ended');
    await waitForScreen(page, /^cat-ended\s*$/m, 5000);

    // Dictation: the words land in an editable box, and are sent (with Enter) only when the user says so.
    await tapKey(page, 'compose');
    const box2 = page.locator('textarea[name="compose"]');
    await page.waitForFunction(
      () =>
        document.querySelector<HTMLTextAreaElement>('textarea[name="compose"]')?.value ===
        'echo voice-$((20+22))',
    );
    expect(
      await page.evaluate(() => (window as unknown as { __speechStarts: number }).__speechStarts),
    ).toBe(1);
    await shot(page, 'pwa-5-voice');
    await box2.fill(`${await box2.inputValue()} done`);
    await page.getByRole('button', { name: 'Send ⏎' }).tap();
    await waitForScreen(page, /^voice-42 done\s*$/m, 5000);
    await page.getByRole('button', { name: 'Close' }).tap();

    // Select and copy: the whole scrollback as selectable text.
    await page.getByRole('button', { name: 'Select and copy' }).tap();
    const selectable = await page.locator('[data-select-text]').innerText();
    expect(selectable).toMatch(/^cat-ended$/m);
    expect(selectable).toMatch(/^voice-42 done$/m);
    await shot(page, 'pwa-6-select');
    await page.getByRole('button', { name: 'Done' }).tap();

    // Touch: a finger dragged down scrolls back through earlier output; a long still press opens the
    // select sheet.
    await typeLine(page, 'seq 1 300 | sed s/^/row-/');
    await waitForScreen(page, /^row-300\s*$/m);
    const touch = await page.context().newCDPSession(page);
    const at = (y: number): { x: number; y: number }[] => [{ x: 200, y }];
    await touch.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(200) });
    for (let y = 220; y <= 700; y += 40) {
      await touch.send('Input.dispatchTouchEvent', { type: 'touchMove', touchPoints: at(y) });
    }
    await touch.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    const scrolled = await waitForScreen(page, /^row-2\d\d\s*$/m);
    expect(scrolled).not.toMatch(/^row-300\s*$/m);
    await touch.send('Input.dispatchTouchEvent', { type: 'touchStart', touchPoints: at(400) });
    await page.locator('[data-select-text]').waitFor();
    await touch.send('Input.dispatchTouchEvent', { type: 'touchEnd', touchPoints: [] });
    await page.getByRole('button', { name: 'Done' }).tap();
    await touch.detach();

    // Larger text means fewer columns: the PTY follows.
    const before = await cols(sessionId);
    await page.getByRole('button', { name: 'Larger text' }).tap();
    await page.getByRole('button', { name: 'Larger text' }).tap();
    await page.getByRole('button', { name: 'Larger text' }).tap();
    await page.locator('.xterm-helper-textarea').focus();
    await page.keyboard.type(' ');
    await waitFor(
      () => cols(sessionId),
      (c) => c < before,
      'columns after A+',
    );
    await page.getByRole('button', { name: 'Smaller text' }).tap();

    expect(errors).toEqual([]);
    await owner.terminal.kill.mutate({ id: sessionId });
    await page.close();
  }, 120_000);

  it('starts a custom command from the form, pins it, renames and ends sessions', async () => {
    const page = await phone.context.newPage();
    const errors = collectPageErrors(page);
    const creds = (await owner.phones.list.query())[0];
    expect(creds).toBeDefined();
    // The first test paired this browser profile; its sessions screen is one tap from the home screen.
    await page.goto(`${d.url}/app/`);
    await page.locator('.laptops a').first().tap();
    await page.waitForURL(/\/app\/sessions\?d=/);
    const sessionsUrl = page.url();
    await page.getByRole('button', { name: 'More…' }).tap();
    await page.locator('select[name="agent"]').selectOption('custom');
    await page.locator('input[name="command"]').fill(`sh -c 'echo "pinned ok"; exec cat'`);
    await page.locator('input[name="name"]').fill('pinned-sh');
    await page.locator('input[name="pin"]').check();
    await shot(page, 'pwa-7-new-session');
    await page.getByRole('button', { name: 'Start' }).tap();
    await page.waitForURL(/\/app\/terminal\?/);
    await waitForScreen(page, /pinned ok/);
    const first = new URL(page.url()).searchParams.get('s') ?? '';

    // Back on the list: the pinned tile starts the same command again in one tap.
    await page.goto(sessionsUrl);
    await page.getByRole('button', { name: /^pinned-sh/ }).tap();
    await page.waitForURL(/\/app\/terminal\?/);
    await waitForScreen(page, /pinned ok/);
    const second = new URL(page.url()).searchParams.get('s') ?? '';
    expect(second).not.toBe(first);

    await page.goto(sessionsUrl);
    page.on('dialog', (dialog) => {
      void (dialog.type() === 'prompt' ? dialog.accept('renamed-one') : dialog.accept());
    });
    const info = await owner.terminal.get.query({ id: first });
    await page.getByRole('button', { name: `Rename ${info.name}` }).tap();
    await page.locator(`a[data-session="${first}"]`, { hasText: 'renamed-one' }).waitFor();
    await page.getByRole('button', { name: 'End renamed-one' }).tap();
    await waitFor(
      async () => (await owner.terminal.get.query({ id: first })).state,
      (s) => s === 'exited',
      'session state after End',
    );
    await shot(page, 'pwa-8-sessions-list');
    expect(errors).toEqual([]);
    await owner.terminal.kill.mutate({ id: second });
    await page.close();
  }, 60_000);

  it('draws with the WebGL renderer where the browser has WebGL2', async () => {
    const gl = await launchPhone({ webgl: true });
    try {
      const page = await gl.context.newPage();
      const errors = collectPageErrors(page);
      const offer = await owner.phones.createPairing.mutate({ ttlSeconds: 300 });
      await page.goto(offer.link);
      await page.locator('input[name="code"]').fill(offer.code);
      await page.getByRole('button', { name: 'Pair' }).tap();
      await page.waitForURL(/\/app\/sessions\?d=/);
      await page.getByRole('button', { name: 'New shell' }).tap();
      await page.waitForURL(/\/app\/terminal\?/);
      await page.locator('[data-state="connected"]').waitFor();
      const id = new URL(page.url()).searchParams.get('s') ?? '';
      // The WebGL addon draws on a canvas in place of the DOM rows.
      await page.waitForFunction(
        () =>
          document.querySelectorAll('.xterm-screen canvas').length > 0 &&
          (document.querySelector('.xterm-rows')?.textContent ?? '') === '',
      );
      await typeLine(page, 'echo gl-$((40+2))');
      await waitFor(
        async () => (await owner.terminal.screen.query({ id })).lines.join('\n'),
        (text) => /^gl-42\s*$/m.test(text),
        'the laptop screen',
      );
      await page.getByRole('button', { name: 'Select and copy' }).tap();
      await page.locator('[data-select-text]', { hasText: /^gl-42$/m }).waitFor();
      await page.getByRole('button', { name: 'Done' }).tap();
      await shot(page, 'pwa-12-webgl');
      expect(errors).toEqual([]);
      await owner.terminal.kill.mutate({ id });
    } finally {
      await gl.close();
    }
  }, 60_000);
});
