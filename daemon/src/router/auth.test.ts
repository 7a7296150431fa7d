import fs from 'node:fs';
import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { createContextInner, type Caller, type Context } from '../context.js';
import { dataPaths } from '../paths.js';
import { openServices, type OpenedServices } from '../services.js';
import {
  DASHBOARD_SESSION_TTL_MS,
  LOGIN_ATTEMPTS_PER_MINUTE,
} from '../services/dashboard-logins.js';
import { makeTempHome, startTestDaemon, type TempHome } from '../test-support/index.js';
import { createCallerFactory } from '../trpc.js';
import { appRouter } from './index.js';

const createCaller = createCallerFactory(appRouter);
const BASE = 'http://127.0.0.1:4567';
let temp: TempHome;
let opened: OpenedServices;
let clock: number;

beforeEach(() => {
  temp = makeTempHome();
  clock = 1_000_000;
  opened = openServices({ home: temp.home, config: loadConfig(temp.home), now: () => clock });
  opened.services.dashboardLogins.setBaseUrl(BASE);
});
afterEach(() => {
  opened.close();
  temp.cleanup();
});

function ctx(auth: { token?: string; caller?: Caller } = {}, remote = '10.0.0.7'): Context {
  return createContextInner({ services: opened.services, transport: 'http', remote, ...auth });
}
const owner = () => createCaller(ctx({ token: temp.apiKey }));
const anonymous = (remote?: string) => createCaller(ctx({}, remote));

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await p;
    return { code: 'ok', message: '' };
  } catch (err) {
    if (err instanceof TRPCError) return { code: err.code, message: err.message };
    throw err;
  }
}

function secretOf(link: string): string {
  return link.slice(link.indexOf('#') + 1);
}

describe('auth router: dashboard logins', () => {
  it('makes a one-time link to /app/login on the daemon, redeemed once for a 12-hour session', async () => {
    const login = await owner().auth.createLogin({});
    expect(login.link).toMatch(/^http:\/\/127\.0\.0\.1:4567\/app\/login#[A-Za-z0-9_-]{43}$/);
    expect(login.expiresAt).toBe(clock + 120_000);

    const session = await anonymous().auth.exchangeLogin({ secret: secretOf(login.link) });
    expect(session.expiresAt).toBe(clock + DASHBOARD_SESSION_TTL_MS);
    const dashboard = createCaller(ctx({ token: session.token }));
    const identity = await dashboard.system.identity();
    expect(identity.caller).toMatchObject({ kind: 'session', name: 'dashboard' });
    clock += DASHBOARD_SESSION_TTL_MS;
    // A long-lived context (an open WebSocket) stops working when the session expires.
    expect((await failure(dashboard.system.identity())).code).toBe('UNAUTHORIZED');
    clock -= DASHBOARD_SESSION_TTL_MS;

    const again = await failure(anonymous().auth.exchangeLogin({ secret: secretOf(login.link) }));
    expect(again.code).toBe('UNAUTHORIZED');
    expect(again.message).toMatch(/already used, has expired.*Run `loopsy dashboard`/);
  });

  it('refuses expired and unknown secrets, and malformed ones before looking', async () => {
    const login = await owner().auth.createLogin({ ttlSeconds: 30 });
    clock += 30_000;
    expect(
      (await failure(anonymous().auth.exchangeLogin({ secret: secretOf(login.link) }))).code,
    ).toBe('UNAUTHORIZED');
    expect((await failure(anonymous().auth.exchangeLogin({ secret: 'A'.repeat(43) }))).code).toBe(
      'UNAUTHORIZED',
    );
    for (const secret of ['short', 'A'.repeat(44), `${'A'.repeat(42)}=`]) {
      expect((await failure(anonymous().auth.exchangeLogin({ secret }))).code).toBe('BAD_REQUEST');
    }
    expect((await failure(owner().auth.createLogin({ ttlSeconds: 601 }))).code).toBe('BAD_REQUEST');
    expect((await failure(owner().auth.createLogin({ ttlSeconds: 29 }))).code).toBe('BAD_REQUEST');
  });

  it('lets only the laptop create logins', async () => {
    const { credentials } = opened.services;
    const local = createCaller(ctx({ caller: { kind: 'local', id: 'local', name: 'local' } }));
    expect((await local.auth.createLogin()).link).toContain('/app/login#');
    for (const kind of ['phone', 'peer', 'session'] as const) {
      const token = credentials.issue(kind, `${kind}-1`).token;
      const refused = await failure(createCaller(ctx({ token })).auth.createLogin({}));
      expect(refused.code).toBe('FORBIDDEN');
      expect(refused.message).toContain('loopsy dashboard');
    }
    expect((await failure(anonymous().auth.createLogin({}))).code).toBe('UNAUTHORIZED');
  });

  it('limits redemption attempts per remote address', async () => {
    const login = await owner().auth.createLogin({});
    for (let i = 0; i < LOGIN_ATTEMPTS_PER_MINUTE; i++) {
      expect(
        (await failure(anonymous('10.9.9.9').auth.exchangeLogin({ secret: 'B'.repeat(43) }))).code,
      ).toBe('UNAUTHORIZED');
    }
    // Even the right secret is refused from that address until the minute is over.
    const limited = await failure(
      anonymous('10.9.9.9').auth.exchangeLogin({ secret: secretOf(login.link) }),
    );
    expect(limited.code).toBe('TOO_MANY_REQUESTS');
    expect(limited.message).toMatch(/wait \d+ s/);
    // Another address is not affected, and the secret was not spent by the refused attempt.
    await expect(
      anonymous('10.1.1.1').auth.exchangeLogin({ secret: secretOf(login.link) }),
    ).resolves.toMatchObject({ token: expect.stringMatching(/^lpc_/) });
    clock += 60_000;
    expect(
      (await failure(anonymous('10.9.9.9').auth.exchangeLogin({ secret: 'B'.repeat(43) }))).code,
    ).toBe('UNAUTHORIZED');
  });

  it('audits every exchange without the secret or the token', async () => {
    const login = await owner().auth.createLogin({});
    const secret = secretOf(login.link);
    const { token } = await anonymous().auth.exchangeLogin({ secret });
    await failure(anonymous().auth.exchangeLogin({ secret }));
    await failure(anonymous().auth.exchangeLogin({ secret: `${secret.slice(0, 40)}!!!` }));
    const trail = fs.readFileSync(dataPaths(temp.home).audit, 'utf8');
    expect(trail).not.toContain(secret);
    expect(trail).not.toContain(secret.slice(0, 40));
    expect(trail).not.toContain(token.split('.')[1]);
    const lines = opened.services.audit
      .newest(10)
      .filter((e) => e.procedure === 'auth.exchangeLogin');
    expect(lines.map((e) => [e.outcome, e.caller, e.remote])).toEqual([
      ['BAD_REQUEST', 'anonymous', '10.0.0.7'],
      ['UNAUTHORIZED', 'anonymous', '10.0.0.7'],
      ['ok', 'anonymous', '10.0.0.7'],
    ]);
  });

  it('logs a dashboard session out; other callers have nothing to revoke', async () => {
    const login = await owner().auth.createLogin({});
    const { token } = await anonymous().auth.exchangeLogin({ secret: secretOf(login.link) });
    // One context for several calls, as a WebSocket keeps it: the revocation applies to it at once.
    const dashboard = createCaller(ctx({ token }));
    expect((await dashboard.system.identity()).caller.kind).toBe('session');
    expect(await dashboard.auth.logout()).toEqual({ revoked: true });
    const after = await failure(dashboard.system.identity());
    expect(after.code).toBe('UNAUTHORIZED');
    expect(after.message).toMatch(/revoked or has expired/);
    expect((await failure(createCaller(ctx({ token })).system.identity())).code).toBe(
      'UNAUTHORIZED',
    );
    expect(await owner().auth.logout()).toEqual({ revoked: false });
    expect((await failure(anonymous().auth.logout())).code).toBe('UNAUTHORIZED');
  });

  it('deletes the login page once its secret is spent or expired, and keeps it while it can be used', async () => {
    const page = dataPaths(temp.home).dashboardLoginPage;
    const first = await owner().auth.createLogin({ ttlSeconds: 60 });
    const second = await owner().auth.createLogin({ ttlSeconds: 60 });
    fs.writeFileSync(page, `<script>location.replace("${second.link}")</script>`, {
      mode: 0o600,
    });
    // Redeeming another login leaves the page of a still-pending one in place.
    await anonymous().auth.exchangeLogin({ secret: secretOf(first.link) });
    expect(fs.existsSync(page)).toBe(true);
    await anonymous().auth.exchangeLogin({ secret: secretOf(second.link) });
    expect(fs.existsSync(page)).toBe(false);

    const third = await owner().auth.createLogin({ ttlSeconds: 60 });
    fs.writeFileSync(page, `<script>location.replace("${third.link}")</script>`);
    opened.services.dashboardLogins.sweep();
    expect(fs.existsSync(page)).toBe(true);
    clock += 60_000;
    opened.services.dashboardLogins.sweep();
    expect(fs.existsSync(page)).toBe(false);
    expect(opened.services.dashboardLogins.pendingCount).toBe(0);
  });

  it('removes a login page left over from a previous daemon', () => {
    const page = dataPaths(temp.home).dashboardLoginPage;
    fs.writeFileSync(page, `<script>location.replace("${BASE}/app/login#${'C'.repeat(43)}")`);
    opened.close();
    opened = openServices({ home: temp.home, config: loadConfig(temp.home), now: () => clock });
    expect(fs.existsSync(page)).toBe(false);
  });

  it('says so when the daemon has no TCP address to link to', async () => {
    opened.close();
    opened = openServices({ home: temp.home, config: loadConfig(temp.home), now: () => clock });
    const res = await failure(owner().auth.createLogin({}));
    expect(res.code).toBe('PRECONDITION_FAILED');
  });
});

describe('auth over a real daemon', () => {
  it('links to the URL the daemon listens on, and the session works over HTTP', async () => {
    const d = await startTestDaemon();
    try {
      const call = (path: string, body: unknown, token?: string) =>
        fetch(`${d.url}/trpc/${path}`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            ...(token ? { authorization: `Bearer ${token}` } : {}),
          },
          body: JSON.stringify(body),
        });
      const created = (await (await call('auth.createLogin', {}, d.apiKey)).json()) as {
        result: { data: { link: string } };
      };
      const link = created.result.data.link;
      expect(link.startsWith(`${d.url}/app/login#`)).toBe(true);
      const exchanged = await call('auth.exchangeLogin', { secret: secretOf(link) });
      expect(exchanged.status).toBe(200);
      const { token } = ((await exchanged.json()) as { result: { data: { token: string } } }).result
        .data;
      const status = await fetch(`${d.url}/trpc/system.status`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(status.status).toBe(200);
      expect((await call('auth.exchangeLogin', { secret: secretOf(link) })).status).toBe(401);
    } finally {
      await d.stop();
    }
  });
});
