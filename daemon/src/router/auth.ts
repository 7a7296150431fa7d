// Owns the auth procedures: one-time dashboard logins (created on the laptop, redeemed by its browser for a
// short-lived session credential) and logging such a session out.
import { z } from 'zod';
import { LOGIN_SECRET_PATTERN } from '../services/dashboard-logins.js';
import { authedProcedure, publicProcedure, router } from '../trpc.js';
import { LAPTOP, requireCaller } from './caller-access.js';

export const CreateLoginSchema = z
  .strictObject({ ttlSeconds: z.number().int().min(30).max(600).default(120) })
  .prefault({});

export const ExchangeLoginSchema = z.strictObject({
  secret: z
    .string()
    .length(43, 'a login secret is 43 characters')
    .regex(LOGIN_SECRET_PATTERN, 'a login secret is base64url'),
});

export const authRouter = router({
  /** A single-use link to /app on this daemon that signs the browser in; only the laptop may make one. */
  createLogin: authedProcedure.input(CreateLoginSchema).mutation(({ ctx, input }) => {
    requireCaller(
      ctx,
      LAPTOP,
      'Only the laptop itself can open a dashboard login (run `loopsy dashboard` there).',
    );
    return ctx.services.dashboardLogins.create(input.ttlSeconds);
  }),

  /** Public: spends the secret from a login link for a 12-hour session credential. Rate-limited per address. */
  exchangeLogin: publicProcedure
    .input(ExchangeLoginSchema)
    .mutation(({ ctx, input }) =>
      ctx.services.dashboardLogins.exchange(input.secret, ctx.remote ?? ctx.transport),
    ),

  /** Ends a dashboard session (revokes its credential); other callers have nothing to log out of. */
  logout: authedProcedure.mutation(({ ctx }) => ({
    revoked: ctx.caller.kind === 'session' ? ctx.services.credentials.revoke(ctx.caller.id) : false,
  })),
});
