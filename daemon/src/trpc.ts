// Owns the one initTRPC: meta, error shape, and the middleware every procedure uses (audit, auth, rate limits).
import { initTRPC, TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { RateCategory } from './config.js';
import type { Context } from './context.js';
import { rootCause, toTRPCError } from './errors.js';

export interface Meta {
  /** The rate-limit category (config `rateLimits`) this procedure counts against. */
  rateLimit?: RateCategory;
  /** False for very frequent calls (keystrokes) that would drown the trail; their sessions are audited instead. */
  audit?: boolean;
}

const t = initTRPC
  .context<Context>()
  .meta<Meta>()
  .create({
    isDev: false,
    errorFormatter({ shape, error }) {
      const mapped = toTRPCError(error);
      if (mapped === error) return shape;
      return {
        ...shape,
        message: mapped.message,
        code: shape.code,
        data: {
          ...shape.data,
          code: mapped.code,
          httpStatus: getHTTPStatusCodeFromError(mapped),
        },
      };
    },
  });

export const router = t.router;
export const createCallerFactory = t.createCallerFactory;

/** How the audit trail names a caller. */
export function callerLabel(ctx: Context): string {
  if (ctx.caller) return `${ctx.caller.kind}:${ctx.caller.name}`;
  return ctx.authProblem === 'invalid' ? 'anonymous(bad-key)' : 'anonymous';
}

const audited = t.middleware(async ({ ctx, path, type, meta, next }) => {
  const started = performance.now();
  const result = await next();
  if (meta?.audit === false && result.ok) return result;
  const error = result.ok ? undefined : toTRPCError(result.error);
  if (error?.code === 'INTERNAL_SERVER_ERROR') {
    process.stderr.write(
      `loopsy: ${path} failed: ${String(rootCause(result.ok ? undefined : result.error))}\n`,
    );
  }
  ctx.services.audit.record({
    ts: new Date(ctx.services.now()).toISOString(),
    procedure: path,
    type,
    caller: callerLabel(ctx),
    transport: ctx.transport,
    ...(ctx.remote !== undefined ? { remote: ctx.remote } : {}),
    durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    outcome: error ? error.code : 'ok',
    ...(error ? { message: error.message } : {}),
  });
  if (error) throw error;
  return result;
});

const authenticated = t.middleware(({ ctx, next }) => {
  if (!ctx.caller) {
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message:
        ctx.authProblem === 'invalid'
          ? 'The API key or credential is not valid. Check it with `loopsy key show` on the daemon machine.'
          : 'Authentication required: send `Authorization: Bearer <key>` (or connection params `{ token }` over WebSocket).',
    });
  }
  if (ctx.credentialId !== undefined && !ctx.services.credentials.isActive(ctx.credentialId)) {
    throw new TRPCError({
      code: 'UNAUTHORIZED',
      message:
        'This credential was revoked or has expired. Sign in again (`loopsy dashboard` on the laptop, or pair the device again).',
    });
  }
  return next({ ctx: { ...ctx, caller: ctx.caller } });
});

const rateLimited = t.middleware(({ ctx, meta, next }) => {
  const category = meta?.rateLimit;
  // The machine's owner (its own key or its own unix socket) is not throttled: limits protect it from others.
  if (category && ctx.caller && ctx.caller.kind !== 'owner' && ctx.caller.kind !== 'local') {
    const limit = ctx.services.config.current().rateLimits[category];
    const wait = ctx.services.rateLimiter.take(ctx.caller.id, category, limit);
    if (wait > 0) {
      throw new TRPCError({
        code: 'TOO_MANY_REQUESTS',
        message: `Rate limit for "${category}" calls (${limit} per minute) reached; try again in ${wait} s.`,
      });
    }
  }
  return next();
});

export const publicProcedure = t.procedure.use(audited);
export const authedProcedure = publicProcedure.use(authenticated).use(rateLimited);
