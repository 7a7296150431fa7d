// Owns the phone procedures: pairing offers (link + code shown on the laptop), the paired list, and revocation.
import { z } from 'zod';
import type { Context } from '../context.js';
import { authedProcedure, router } from '../trpc.js';
import { LAPTOP, requireCaller } from './caller-access.js';

/** Only the laptop itself (owner key or local socket) may add or remove phones. */
function assertLaptop(ctx: Context): void {
  requireCaller(
    ctx,
    LAPTOP,
    'Only the laptop itself can pair or revoke phones (run `loopsy mobile pair` there).',
  );
}

export const phonesRouter = router({
  createPairing: authedProcedure
    .meta({ rateLimit: 'pair' })
    .input(
      z
        .strictObject({ ttlSeconds: z.number().int().min(30).max(86_400).default(1800) })
        .prefault({}),
    )
    .mutation(({ ctx, input }) => {
      assertLaptop(ctx);
      return ctx.services.relay.createPairing(input.ttlSeconds);
    }),

  list: authedProcedure.query(({ ctx }) => ctx.services.relay.phones.list()),

  revoke: authedProcedure
    .input(z.strictObject({ id: z.string().min(1).max(64) }))
    .mutation(({ ctx, input }) => {
      assertLaptop(ctx);
      return ctx.services.relay.revokePhone(input.id);
    }),
});
