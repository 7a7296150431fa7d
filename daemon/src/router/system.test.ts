import { TRPCError } from '@trpc/server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../config.js';
import { createContextInner, type Context } from '../context.js';
import { dataPaths } from '../paths.js';
import { readAuditTail } from '../services/audit-log.js';
import { generateApiKey, writeApiKey } from '../services/owner-key.js';
import { openServices, type OpenedServices } from '../services.js';
import { makeTempHome, type TempHome } from '../test-support/index.js';
import { authedProcedure, createCallerFactory, router } from '../trpc.js';
import { appRouter } from './index.js';

const createCaller = createCallerFactory(appRouter);
let temp: TempHome;
let opened: OpenedServices;
let clock = 1_000_000;

beforeEach(() => {
  temp = makeTempHome((c) => {
    c.rateLimits.context = 3;
  });
  clock = 1_000_000;
  opened = openServices({ home: temp.home, config: loadConfig(temp.home), now: () => clock });
});
afterEach(() => {
  opened.close();
  temp.cleanup();
});

function ctx(token?: string): Context {
  return createContextInner({ services: opened.services, transport: 'in-process', token });
}

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
    return 'ok';
  } catch (err) {
    return err instanceof TRPCError ? err.code : `non-trpc: ${String(err)}`;
  }
}

describe('system router', () => {
  it('answers health without a key', async () => {
    const health = await createCaller(ctx()).system.health();
    expect(health).toMatchObject({ status: 'ok', nodeId: opened.services.identity.nodeId });
  });

  it('refuses identity and status without a key or with a wrong one, and audits the refusal', async () => {
    expect(await codeOf(createCaller(ctx()).system.status())).toBe('UNAUTHORIZED');
    expect(await codeOf(createCaller(ctx(generateApiKey())).system.identity())).toBe(
      'UNAUTHORIZED',
    );
    expect(await codeOf(createCaller(ctx('garbage')).system.identity())).toBe('UNAUTHORIZED');
    const trail = readAuditTail(dataPaths(temp.home).audit, 10);
    expect(trail.map((e) => [e.procedure, e.outcome, e.caller])).toEqual([
      ['system.status', 'UNAUTHORIZED', 'anonymous'],
      ['system.identity', 'UNAUTHORIZED', 'anonymous(bad-key)'],
      ['system.identity', 'UNAUTHORIZED', 'anonymous(bad-key)'],
    ]);
  });

  it('reports identity and status to the owner', async () => {
    const caller = createCaller(ctx(temp.apiKey));
    const identity = await caller.system.identity();
    expect(identity.caller).toEqual({ kind: 'owner', id: 'owner', name: 'owner' });
    expect(identity.nodeId).toBe(opened.services.identity.nodeId);
    clock += 5000;
    const status = await caller.system.status();
    expect(status.uptimeMs).toBe(5000);
    expect(status.pid).toBe(process.pid);
  });

  it('follows a key rotation at once: the old key fails, the new one works', async () => {
    const fresh = generateApiKey();
    writeApiKey(dataPaths(temp.home).apiKey, fresh);
    expect(await codeOf(createCaller(ctx(temp.apiKey)).system.status())).toBe('UNAUTHORIZED');
    expect(await codeOf(createCaller(ctx(fresh)).system.status())).toBe('ok');
  });

  it('accepts issued credentials until they are revoked or expire', async () => {
    const { credentials } = opened.services;
    const phone = credentials.issue('phone', 'pixel');
    const identity = await createCaller(ctx(phone.token)).system.identity();
    expect(identity.caller).toEqual({ kind: 'phone', id: phone.info.id, name: 'pixel' });
    expect(credentials.revoke(phone.info.id)).toBe(true);
    expect(await codeOf(createCaller(ctx(phone.token)).system.identity())).toBe('UNAUTHORIZED');

    const session = credentials.issue('session', 'dashboard', 60_000);
    expect(await codeOf(createCaller(ctx(session.token)).system.identity())).toBe('ok');
    clock += 60_000;
    expect(await codeOf(createCaller(ctx(session.token)).system.identity())).toBe('UNAUTHORIZED');

    const tampered = phone.token.slice(0, -1) + (phone.token.endsWith('A') ? 'B' : 'A');
    expect(await codeOf(createCaller(ctx(tampered)).system.identity())).toBe('UNAUTHORIZED');
  });

  it('rate-limits per caller and category from config, never the owner, and resets each minute', async () => {
    const testRouter = router({
      limited: authedProcedure.meta({ rateLimit: 'context' }).query(() => 'done'),
    });
    const call = createCallerFactory(testRouter);
    const peer = opened.services.credentials.issue('peer', 'laptop-b');
    const other = opened.services.credentials.issue('peer', 'laptop-c');
    for (let i = 0; i < 3; i++) expect(await codeOf(call(ctx(peer.token)).limited())).toBe('ok');
    expect(await codeOf(call(ctx(peer.token)).limited())).toBe('TOO_MANY_REQUESTS');
    expect(await codeOf(call(ctx(other.token)).limited())).toBe('ok');
    for (let i = 0; i < 10; i++) expect(await codeOf(call(ctx(temp.apiKey)).limited())).toBe('ok');
    clock += 60_000;
    expect(await codeOf(call(ctx(peer.token)).limited())).toBe('ok');
  });

  it('maps unexpected errors to a safe message and domain errors to their code', async () => {
    const { NotFound } = await import('../errors.js');
    const testRouter = router({
      boom: authedProcedure.query(() => {
        throw new Error('secret detail /etc/shadow');
      }),
      missing: authedProcedure.query(() => {
        throw new NotFound('No session "x". List sessions with `loopsy sessions`.');
      }),
    });
    const call = createCallerFactory(testRouter)(ctx(temp.apiKey));
    const boom = await call.boom().catch((e: unknown) => e);
    expect(boom).toBeInstanceOf(TRPCError);
    expect((boom as TRPCError).code).toBe('INTERNAL_SERVER_ERROR');
    expect((boom as TRPCError).message).not.toContain('shadow');
    const missing = await call.missing().catch((e: unknown) => e);
    expect((missing as TRPCError).code).toBe('NOT_FOUND');
    expect((missing as TRPCError).message).toContain('No session "x"');
  });

  it('serves the audit trail newest first to the laptop, its dashboard and phones, never to peers', async () => {
    const caller = createCaller(ctx(temp.apiKey));
    for (let i = 0; i < 3; i++) await caller.system.health();
    await codeOf(createCaller(ctx()).system.status());
    const trail = await caller.system.audit();
    expect(trail.map((e) => [e.procedure, e.outcome])).toEqual([
      ['system.status', 'UNAUTHORIZED'],
      ['system.health', 'ok'],
      ['system.health', 'ok'],
      ['system.health', 'ok'],
    ]);
    expect(trail[0]).toMatchObject({ caller: 'anonymous', transport: 'in-process' });
    // Its own call is recorded too, once it has answered.
    const again = await caller.system.audit({ limit: 3 });
    expect(again[0]?.procedure).toBe('system.audit');
    expect(again.slice(1)).toEqual(trail.slice(0, 2));

    const { credentials } = opened.services;
    for (const kind of ['phone', 'session'] as const) {
      const token = credentials.issue(kind, `${kind}-1`).token;
      expect(await codeOf(createCaller(ctx(token)).system.audit({ limit: 5 }))).toBe('ok');
    }
    const local = createCaller(
      createContextInner({
        services: opened.services,
        transport: 'unix',
        caller: { kind: 'local', id: 'local', name: 'local' },
      }),
    );
    expect(await codeOf(local.system.audit())).toBe('ok');
    const peer = credentials.issue('peer', 'laptop-b').token;
    const refused = await createCaller(ctx(peer))
      .system.audit()
      .catch((e: unknown) => e as TRPCError);
    expect((refused as TRPCError).code).toBe('FORBIDDEN');
    expect((refused as TRPCError).message).toMatch(/Peers cannot read/);
    expect(await codeOf(createCaller(ctx()).system.audit())).toBe('UNAUTHORIZED');
    for (const limit of [0, 501, 1.5]) {
      expect(await codeOf(caller.system.audit({ limit }))).toBe('BAD_REQUEST');
    }
    expect(await codeOf(caller.system.audit({ limit: 5, extra: 1 } as never))).toBe('BAD_REQUEST');
  });
});
