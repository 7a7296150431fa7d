// Browser helpers for the phone-app tests: Debian's Chromium as a phone (viewport, touch, UA), reading the
// terminal's rendered screen, and screenshots kept in e2e/artifacts/ (gitignored) for people to look at.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const ARTIFACTS = path.join(import.meta.dirname, '..', 'artifacts');
export const PHONE = { width: 390, height: 844 };

export interface Phone {
  context: BrowserContext;
  close(): Promise<void>;
}

/**
 * A fresh Chromium profile that looks like a Pixel 8 (touch, mobile viewport). Without `webgl` the page has
 * no WebGL, so xterm.js uses its DOM renderer (as phones without WebGL2 do) and tests can read the rows.
 */
export async function launchPhone(opts: { webgl?: boolean } = {}): Promise<Phone> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(
      `No Chromium at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`,
    );
  }
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
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
      ...(opts.webgl ? [] : ['--disable-webgl']),
    ],
    viewport: PHONE,
    isMobile: true,
    hasTouch: true,
    deviceScaleFactor: 3,
    userAgent:
      'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP1A.240305.019) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Mobile Safari/537.36',
  });
  return {
    context,
    async close() {
      await context.close();
      fs.rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** The terminal's rendered text, one line per row. */
export function screenText(page: Page): Promise<string> {
  return page.locator('.xterm-rows').innerText();
}

export async function waitForScreen(
  page: Page,
  pattern: RegExp,
  timeout = 15_000,
): Promise<string> {
  const deadline = Date.now() + timeout;
  let text = '';
  while (Date.now() < deadline) {
    text = await screenText(page).catch(() => '');
    if (pattern.test(text)) return text;
    await page.waitForTimeout(100);
  }
  throw new Error(`The terminal never showed ${pattern}; it shows:\n${text}`);
}

/** Types a command line into the terminal as the on-screen keyboard would, and presses Enter. */
export async function typeLine(page: Page, line: string): Promise<void> {
  await page.locator('.xterm-helper-textarea').focus();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

export async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`) });
}

/** Fails the test on any uncaught page error. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(err.message));
  return errors;
}
