import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { createContextInner } from '../context.js';
import { openServices, type OpenedServices } from '../services.js';
import {
  AUTO_APPROVE_KEEP_MS,
  AUTO_APPROVE_PENDING_MS,
} from '../services/terminal/auto-approve-requests.js';
import { makeTempHome, type TempHome } from '../test-support/index.js';
import { createCallerFactory } from '../trpc.js';
import { appRouter } from './index.js';

const createCaller = createCallerFactory(appRouter);
let temp: TempHome;
let opened: OpenedServices;
let clock: number;
let bin: string;
let notices: string[];

beforeEach(() => {
  temp = makeTempHome();
  clock = Date.now();
  notices = [];
  opened = openServices({
    home: temp.home,
    config: loadConfig(temp.home),
    now: () => clock,
    sweepIntervalMs: 0,
    notify: (line) => notices.push(line),
  });
  // Stand-ins for the agent CLIs: print the arguments they got, then wait like an interactive agent.
  bin = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-agents-'));
  for (const agent of ['claude', 'codex', 'gemini', 'opencode']) {
    const file = path.join(bin, agent);
    fs.writeFileSync(file, `#!/bin/sh\necho "FAKE-${agent} ARGV: $*"\nexec cat\n`);
    fs.chmodSync(file, 0o755);
  }
});
afterEach(() => {
  opened.close();
  temp.cleanup();
  fs.rmSync(bin, { recursive: true, force: true });
});

const env = () => ({ PATH: `${bin}${path.delimiter}${process.env['PATH'] ?? ''}` });
const owner = (signal?: AbortSignal) =>
  createCaller(
    createContextInner({ services: opened.services, transport: 'in-process', token: temp.apiKey }),
    signal ? { signal } : {},
  );
function as(kind: 'phone' | 'peer' | 'session', name = `${kind}-1`) {
  const { token } = opened.services.credentials.issue(kind, name);
  return createCaller(createContextInner({ services: opened.services, transport: 'relay', token }));
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
    return { code: 'ok', message: '' };
  } catch (err) {
    if (err instanceof TRPCError) return { code: err.code, message: err.message };
    throw err;
  }
}

async function screenOf(id: string, pattern: RegExp): Promise<string> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const text = (await owner().terminal.screen({ id })).lines.join('\n');
    if (pattern.test(text) || Date.now() > deadline) return text;
    await new Promise((r) => setTimeout(r, 25));
  }
}

type AnyEvent = { type: string } & Record<string, unknown>;

/** Reads terminal events from the start until `done` says so (or 10 s pass). */
async function eventsUntil(done: (events: AnyEvent[]) => boolean): Promise<AnyEvent[]> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 10_000);
  const seen: AnyEvent[] = [];
  const stream = await owner(controller.signal).terminal.onEvent({ lastEventId: '0' });
  for await (const envelope of stream as AsyncIterable<unknown>) {
    seen.push((envelope as [string, AnyEvent])[1]);
    if (done(seen)) break;
  }
  clearTimeout(timer);
  controller.abort();
  return seen;
}
const autoApproveEvents = (events: AnyEvent[]) => events.filter((e) => e.type === 'auto-approve');

describe('auto-approve from the laptop', () => {
  it('starts an agent with its skip-permission flag for the owner and a dashboard session', async () => {
    const s = await owner().terminal.create({ agent: 'claude', autoApprove: true, env: env() });
    expect(s).toMatchObject({ agent: 'claude', autoApprove: true });
    expect(s.args).toEqual(['--dangerously-skip-permissions']);
    expect(await screenOf(s.id, /ARGV/)).toContain(
      'FAKE-claude ARGV: --dangerously-skip-permissions',
    );
    const plain = await owner().terminal.create({ agent: 'claude', env: env() });
    expect(plain.autoApprove).toBe(false);
    expect((await owner().terminal.list()).map((i) => i.autoApprove)).toEqual([true, false]);

    const codex = await as('session').terminal.create({
      agent: 'codex',
      autoApprove: true,
      args: ['--', 'fix the tests'],
      env: env(),
    });
    // The flag goes first, so the user's `--` cannot make it a positional argument.
    expect(codex.args).toEqual([
      '--dangerously-bypass-approvals-and-sandbox',
      '--',
      'fix the tests',
    ]);
    const gemini = await owner().terminal.create({
      agent: 'gemini',
      autoApprove: true,
      env: env(),
    });
    expect(await screenOf(gemini.id, /ARGV/)).toContain('FAKE-gemini ARGV: --yolo');
  });

  it('refuses auto-approve for a shell, a custom command and opencode', async () => {
    for (const agent of ['shell', 'custom'] as const) {
      const res = await failure(
        owner().terminal.create({ agent, command: 'sh', autoApprove: true, env: env() }),
      );
      expect(res.code).toBe('BAD_REQUEST');
      expect(res.message).toMatch(/auto-approve applies to AI agents/);
    }
    const opencode = await failure(
      owner().terminal.create({ agent: 'opencode', autoApprove: true, env: env() }),
    );
    expect(opencode.code).toBe('BAD_REQUEST');
    expect(opencode.message).toMatch(/opencode has no command-line flag/);
    expect(await owner().terminal.list()).toEqual([]);
  });

  it('refuses a phone or a peer that sets it, starting nothing', async () => {
    for (const kind of ['phone', 'peer'] as const) {
      const res = await failure(
        as(kind).terminal.create({ agent: 'claude', autoApprove: true, env: env() }),
      );
      expect(res.code).toBe('FORBIDDEN');
      expect(res.message).toContain(
        'Auto-approve must be confirmed on the laptop: ask with terminal.requestAutoApprove',
      );
    }
    expect(await owner().terminal.list()).toEqual([]);
    // Without it, a phone starts the agent as usual.
    expect((await as('phone').terminal.create({ agent: 'claude', env: env() })).autoApprove).toBe(
      false,
    );
  });

  it('still refuses skip-permission flags smuggled in args, in every spelling', async () => {
    for (const args of [
      ['--dangerously-skip-permissions'],
      ['--permission-mode', 'bypassPermissions'],
      ['--permission-mode=bypassPermissions'],
      ['--yolo'],
      ['--yolo=true'],
      ['--approval-mode', 'yolo'],
      ['-a', 'never'],
      ['--sandbox', 'danger-full-access'],
      ['--full-auto'],
    ]) {
      const res = await failure(owner().terminal.create({ agent: 'claude', args, env: env() }));
      expect(res.code, args.join(' ')).toBe('FORBIDDEN');
      expect(res.message).toMatch(/lets the agent act without asking/);
    }
    const viaRequest = await failure(
      as('phone').terminal.requestAutoApprove({ agent: 'claude', args: ['--yolo'], env: env() }),
    );
    expect(viaRequest.code).toBe('FORBIDDEN');
    // Ordinary options pass.
    const ok = await owner().terminal.create({
      agent: 'claude',
      args: ['--permission-mode', 'plan', '-a', 'on-request'],
      env: env(),
    });
    expect(ok.args).toEqual(['--permission-mode', 'plan', '-a', 'on-request']);
  });
});

describe('auto-approve requested by a phone, decided on the laptop', () => {
  it('pending → approved: the session runs with the flag, and the phone learns it live', async () => {
    const phone = as('phone', 'pixel');
    const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-work-'));
    try {
      const asked = await phone.terminal.requestAutoApprove({
        agent: 'claude',
        cwd,
        name: 'fixer',
        args: ['--model', 'opus'],
        env: env(),
      });
      expect(asked.id).toMatch(/^[0-9a-f]{8}$/);
      expect(asked.expiresAt).toBe(clock + AUTO_APPROVE_PENDING_MS);
      expect(await owner().terminal.list()).toEqual([]);
      expect(notices).toEqual([
        `Phone "pixel" asks to start claude with auto-approve in ${cwd}: approve with \`loopsy sessions approve ${asked.id}\` (or deny with \`loopsy sessions deny ${asked.id}\`).`,
      ]);
      expect(await phone.terminal.autoApproveRequest({ id: asked.id })).toEqual({
        id: asked.id,
        state: 'pending',
      });

      // The phone can neither see the queue nor decide; another phone cannot see its request.
      expect((await failure(phone.terminal.autoApproveRequests())).code).toBe('FORBIDDEN');
      expect(
        (await failure(phone.terminal.decideAutoApprove({ id: asked.id, allow: true }))).code,
      ).toBe('FORBIDDEN');
      expect(
        (await failure(as('phone', 'other').terminal.autoApproveRequest({ id: asked.id }))).code,
      ).toBe('NOT_FOUND');

      const queue = await owner().terminal.autoApproveRequests();
      expect(queue).toEqual([
        {
          id: asked.id,
          agent: 'claude',
          cwd,
          name: 'fixer',
          command: path.join(bin, 'claude'),
          args: ['--dangerously-skip-permissions', '--model', 'opus'],
          requestedBy: 'pixel',
          createdAt: clock,
          expiresAt: asked.expiresAt,
        },
      ]);

      const decided = await owner().terminal.decideAutoApprove({ id: asked.id, allow: true });
      expect(decided.outcome).toBe('approved');
      if (decided.outcome !== 'approved') return;
      expect(decided.session).toMatchObject({ name: 'fixer', cwd, autoApprove: true });
      expect(await screenOf(decided.session.id, /ARGV/)).toContain(
        'FAKE-claude ARGV: --dangerously-skip-permissions --model opus',
      );
      expect(await phone.terminal.autoApproveRequest({ id: asked.id })).toEqual({
        id: asked.id,
        state: 'approved',
        sessionId: decided.session.id,
      });
      expect(await owner().terminal.autoApproveRequests()).toEqual([]);
      const again = await failure(
        owner().terminal.decideAutoApprove({ id: asked.id, allow: true }),
      );
      expect(again.code).toBe('CONFLICT');

      const events = await eventsUntil((ev) => autoApproveEvents(ev).length >= 2);
      expect(autoApproveEvents(events)).toEqual([
        { type: 'auto-approve', requestId: asked.id, state: 'pending' },
        {
          type: 'auto-approve',
          requestId: asked.id,
          state: 'approved',
          sessionId: decided.session.id,
        },
      ]);
    } finally {
      fs.rmSync(cwd, { recursive: true, force: true });
    }
  });

  it('pending → denied: nothing starts', async () => {
    const phone = as('phone');
    const asked = await phone.terminal.requestAutoApprove({ agent: 'gemini', env: env() });
    const dashboard = as('session', 'dashboard');
    expect((await dashboard.terminal.autoApproveRequests()).map((r) => r.id)).toEqual([asked.id]);
    expect(await dashboard.terminal.decideAutoApprove({ id: asked.id, allow: false })).toEqual({
      outcome: 'denied',
    });
    expect(await phone.terminal.autoApproveRequest({ id: asked.id })).toEqual({
      id: asked.id,
      state: 'denied',
    });
    expect(await owner().terminal.list()).toEqual([]);
    const events = await eventsUntil((ev) => autoApproveEvents(ev).length >= 2);
    expect(autoApproveEvents(events).map((e) => e.state)).toEqual(['pending', 'denied']);
  });

  it('expires after five minutes with an event, and is forgotten ten minutes later', async () => {
    const phone = as('phone');
    const asked = await phone.terminal.requestAutoApprove({ agent: 'codex', env: env() });
    clock += AUTO_APPROVE_PENDING_MS - 1;
    opened.services.autoApprove.sweep();
    expect((await phone.terminal.autoApproveRequest({ id: asked.id })).state).toBe('pending');
    clock += 1;
    opened.services.autoApprove.sweep();
    expect((await phone.terminal.autoApproveRequest({ id: asked.id })).state).toBe('expired');
    const late = await failure(owner().terminal.decideAutoApprove({ id: asked.id, allow: true }));
    expect(late.code).toBe('NOT_FOUND');
    expect(late.message).toMatch(/unknown or expired/);
    expect(await owner().terminal.autoApproveRequests()).toEqual([]);
    const events = await eventsUntil((ev) => autoApproveEvents(ev).length >= 2);
    expect(autoApproveEvents(events).map((e) => e.state)).toEqual(['pending', 'expired']);
    clock += AUTO_APPROVE_KEEP_MS;
    expect((await failure(phone.terminal.autoApproveRequest({ id: asked.id }))).code).toBe(
      'NOT_FOUND',
    );
    expect(await owner().terminal.list()).toEqual([]);
  });

  it('checks the request up front, so the laptop is only asked about what can start', async () => {
    const phone = as('phone');
    const cases: Array<[Record<string, unknown>, string, RegExp]> = [
      [{ agent: 'shell' }, 'BAD_REQUEST', /auto-approve applies to AI agents/],
      [{ agent: 'custom', command: 'sh' }, 'BAD_REQUEST', /auto-approve applies to AI agents/],
      [{ agent: 'opencode' }, 'BAD_REQUEST', /opencode has no command-line flag/],
      [{ agent: 'claude', env: { PATH: '/nonexistent' } }, 'NOT_FOUND', /not installed/],
      [{ agent: 'claude', cwd: '/no/such/folder' }, 'BAD_REQUEST', /does not exist/],
      [{ agent: 'claude', autoApprove: true }, 'BAD_REQUEST', /autoApprove/],
      [{ agent: 'claude', peer: 'other' }, 'BAD_REQUEST', /peer/],
    ];
    for (const [input, code, message] of cases) {
      const res = await failure(phone.terminal.requestAutoApprove({ env: env(), ...input }));
      expect(res.code, JSON.stringify(input)).toBe(code);
      expect(res.message).toMatch(message);
    }
    expect(notices).toEqual([]);
    expect(await owner().terminal.autoApproveRequests()).toEqual([]);
    expect(
      (await failure(owner().terminal.decideAutoApprove({ id: 'deadbeef', allow: true }))).code,
    ).toBe('NOT_FOUND');
  });

  it('keeps a request pending when it cannot start at approval time, and says why', async () => {
    const asked = await as('phone').terminal.requestAutoApprove({
      agent: 'claude',
      name: 'taken',
      env: env(),
    });
    await owner().terminal.create({ agent: 'claude', name: 'taken', env: env() });
    const res = await failure(owner().terminal.decideAutoApprove({ id: asked.id, allow: true }));
    expect(res.code).toBe('CONFLICT');
    expect(res.message).toMatch(/named "taken" already exists/);
    expect((await owner().terminal.autoApproveRequests()).map((r) => r.id)).toEqual([asked.id]);
  });
});
