// The same app as the laptop's own dashboard (`loopsy dashboard`): a one-time login link signs the browser
// in with a short-lived credential, no pairing; the activity view shows the audit trail. And auto-approve:
// a phone can only ask for it; the agent starts with its skip-permission flag once the laptop allows it.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createLoopsyClient, type LoopsyClient } from '@loopsy/client-sdk/node';
import { startTestDaemon, type TestDaemon } from '@loopsy/daemon/test-support';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  collectPageErrors,
  launchPhone,
  shot,
  typeLine,
  waitForScreen,
  type Phone,
} from './support/browser.js';

let d: TestDaemon;
let owner: LoopsyClient;
let browser: Phone;
let fakeBin: string;
const originalPath = process.env['PATH'];

beforeAll(async () => {
  // A stand-in for Claude Code (which needs the internet): prints the arguments it was started with.
  fakeBin = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-fake-agents-'));
  fs.writeFileSync(
    path.join(fakeBin, 'claude'),
    '#!/bin/sh\necho "fake-claude started with: $*"\nexec cat\n',
    { mode: 0o755 },
  );
  process.env['PATH'] = `${fakeBin}${path.delimiter}${originalPath ?? ''}`;
  d = await startTestDaemon();
  owner = createLoopsyClient({ url: d.url, apiKey: d.apiKey, transport: 'ws' });
  expect(await d.daemon.services.relay.waitConnected(10_000)).toBe(true);
  browser = await launchPhone();
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await owner?.close();
  await d?.stop();
  process.env['PATH'] = originalPath;
  if (fakeBin) fs.rmSync(fakeBin, { recursive: true, force: true });
});

describe('the dashboard on the laptop', () => {
  it('signs in with a one-time link, runs a shell directly, and shows the audit trail', async () => {
    const page = await browser.context.newPage();
    const errors = collectPageErrors(page);
    const login = await owner.auth.createLogin.mutate({});
    const secret = new URL(login.link).hash.slice(1);
    expect(new URL(login.link).pathname).toBe('/app/login');

    await page.goto(login.link);
    await page.waitForURL(/\/app\/sessions\?d=local$/);
    expect(new URL(page.url()).hash).toBe('');
    await page.locator('[data-state="connected"]').waitFor();
    // Single use: the same link signs nobody else in.
    const anonymous = createLoopsyClient({ url: d.url, apiKey: '' });
    await expect(anonymous.auth.exchangeLogin.mutate({ secret })).rejects.toThrow(
      /loopsy dashboard/,
    );
    await anonymous.close();

    await page.getByRole('button', { name: 'New shell' }).tap();
    await page.waitForURL(/\/app\/terminal\?d=local&s=/);
    const id = new URL(page.url()).searchParams.get('s') ?? '';
    await typeLine(page, 'echo dash-$((3*3))');
    await waitForScreen(page, /^dash-9\s*$/m);
    await owner.terminal.kill.mutate({ id });

    await page.goto(`${d.url}/app/activity?d=local`);
    await page.locator('li[data-procedure="auth.exchangeLogin"]').first().waitFor();
    await page.locator('li[data-procedure="terminal.create"]').first().waitFor();
    const callers = await page
      .locator('li[data-procedure="terminal.create"] .meta')
      .allInnerTexts();
    expect(callers.join(' ')).toContain('session:dashboard');
    await shot(page, 'pwa-13-activity');

    // Signing out on the home screen revokes the session on the laptop, not only in this browser.
    const token = await page.evaluate(
      () =>
        (JSON.parse(localStorage.getItem('loopsy.localSession') ?? '{}') as { token?: string })
          .token ?? '',
    );
    const asDashboard = createLoopsyClient({ url: d.url, apiKey: token });
    expect((await asDashboard.system.identity.query()).caller).toMatchObject({ kind: 'session' });
    await page.goto(`${d.url}/app/`);
    await page.getByRole('button', { name: 'Sign out' }).tap();
    await page.getByRole('link', { name: /This laptop/ }).waitFor({ state: 'detached' });
    await expect(asDashboard.system.identity.query()).rejects.toThrow(/not valid/);
    await asDashboard.close();
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('lets a phone only ask for auto-approve; the agent starts with the flag once the laptop allows it', async () => {
    const page = await browser.context.newPage();
    const errors = collectPageErrors(page);
    const offer = await owner.phones.createPairing.mutate({ ttlSeconds: 300 });
    await page.goto(offer.link);
    await page.locator('input[name="code"]').fill(offer.code);
    await page.getByRole('button', { name: 'Pair' }).tap();
    await page.waitForURL(/\/app\/sessions\?d=/);
    await page.locator('[data-state="connected"]').waitFor();

    await page.getByRole('button', { name: 'More…' }).tap();
    await page.locator('select[name="agent"]').selectOption('claude');
    await page.locator('input[name="autoApprove"]').check();
    await page.getByRole('button', { name: 'Start' }).tap();
    const waiting = page.locator('[data-waiting]');
    await waiting.waitFor();
    const requestId = (await waiting.getAttribute('data-waiting')) ?? '';
    expect(await waiting.innerText()).toContain(`loopsy sessions approve ${requestId}`);
    await shot(page, 'pwa-14-auto-approve-waiting');
    // Nothing runs before the laptop says so.
    expect((await owner.terminal.list.query()).filter((s) => s.agent === 'claude')).toEqual([]);

    const pending = await owner.terminal.autoApproveRequests.query();
    expect(pending.map((p) => p.id)).toContain(requestId);
    await owner.terminal.decideAutoApprove.mutate({ id: requestId, allow: true });
    await page.waitForURL(/\/app\/terminal\?/);
    await waitForScreen(page, /fake-claude started with/);
    const id = new URL(page.url()).searchParams.get('s') ?? '';
    const info = await owner.terminal.get.query({ id });
    expect(info.autoApprove).toBe(true);
    expect(info.args).toContain('--dangerously-skip-permissions');
    // The copy sheet joins the line the narrow phone screen wrapped.
    await page.getByRole('button', { name: 'Select and copy' }).tap();
    await page
      .locator('[data-select-text]', {
        hasText: /^fake-claude started with: --dangerously-skip-permissions$/m,
      })
      .waitFor();
    await page.getByRole('button', { name: 'Done' }).tap();
    await shot(page, 'pwa-15-auto-approved');
    expect(errors).toEqual([]);
    await owner.terminal.kill.mutate({ id });
    await page.close();
  }, 60_000);
  it('browses and edits the context store and exchanges messages with read receipts', async () => {
    const page = await browser.context.newPage();
    const errors = collectPageErrors(page);
    const login = await owner.auth.createLogin.mutate({});
    await page.goto(login.link);
    await page.waitForURL(/\/app\/sessions\?d=local$/);

    await page.getByRole('link', { name: 'Context' }).tap();
    await page.waitForURL(/\/app\/context\?d=local$/);
    await page.getByRole('button', { name: 'New' }).tap();
    await page.locator('input[name="key"]').fill('notes:phone');
    await page.locator('textarea[name="value"]').fill('written in the app');
    await page.locator('input[name="ttl"]').fill('600');
    await page.getByRole('button', { name: 'Save' }).tap();
    await page.locator('button[data-key="notes:phone"]').waitFor();
    const stored = await owner.context.get.query({ key: 'notes:phone' });
    expect(stored.value).toBe('written in the app');
    expect(stored.expiresAt).not.toBeNull();
    // A write elsewhere shows up by itself (context.onChange), no refresh.
    await owner.context.set.mutate({ key: 'notes:laptop', value: 'from the CLI' });
    await page.locator('button[data-key="notes:laptop"]', { hasText: 'from the CLI' }).waitFor();
    await shot(page, 'pwa-16-context');
    await page.locator('button[data-key="notes:laptop"]').tap();
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete' }).tap();
    await page.locator('button[data-key="notes:laptop"]').waitFor({ state: 'detached' });
    await expect(owner.context.get.query({ key: 'notes:laptop' })).rejects.toThrow();

    await page.getByRole('link', { name: 'Messages' }).tap();
    await page.waitForURL(/\/app\/messages\?d=local$/);
    const me = (await owner.messages.whoami.query({})).address;
    // Another agent on this machine writes to us; it arrives live.
    const incoming = await owner.messages.send.mutate({
      to: me,
      type: 'request',
      body: 'please review PR 7',
      as: 'claude',
    });
    const item = page.locator(`li[data-message="${incoming.id}"]`);
    await item.waitFor();
    await item.getByRole('button', { name: 'Reply' }).tap();
    expect(await page.locator('input[name="to"]').inputValue()).toBe(incoming.from);
    await page.locator('textarea[name="body"]').fill('on it');
    await page.getByRole('button', { name: 'Send' }).tap();
    await page.locator('[aria-label="Sent"] li', { hasText: 'on it' }).waitFor();
    const replyId = await page
      .locator('[aria-label="Sent"] li', { hasText: 'on it' })
      .getAttribute('data-message');
    // The agent reads the reply: the receipt reaches the sent list.
    await owner.messages.ack.mutate({ id: replyId ?? '', as: 'claude' });
    await page.locator(`li[data-message="${replyId}"] [data-acked="true"]`).waitFor();
    await page.getByRole('tab', { name: /Inbox/ }).tap();
    await item.getByRole('button', { name: 'Mark read' }).tap();
    await item.waitFor({ state: 'detached' });
    expect((await owner.messages.checkAck.query({ id: incoming.id })).acked).toBe(true);
    await shot(page, 'pwa-17-messages');
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
