// Owns the auto-approve procedures: anyone may ask to start an agent with its skip-permission flag; only the
// laptop (owner key, unix socket, or its dashboard session) lists, approves and denies. Spread into `terminal`.
import { z } from 'zod';
import { authedProcedure } from '../trpc.js';
import { callerIs, LAPTOP_OR_DASHBOARD, requireCaller } from './caller-access.js';
import { CreateSessionSchema } from './terminal-schemas.js';

const RequestIdSchema = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[0-9a-f]+$/, 'request ids are hexadecimal');

export const RequestAutoApproveSchema = CreateSessionSchema.omit({
  autoApprove: true,
  peer: true,
});

const LAPTOP_ONLY =
  'Only the laptop can decide auto-approve requests: run `loopsy sessions approvals` there, or use its dashboard (`loopsy dashboard`).';

export const autoApproveProcedures = {
  /** Asks the laptop to start an agent with auto-approve; checked up front so it could really start. */
  requestAutoApprove: authedProcedure
    .meta({ rateLimit: 'execute' })
    .input(RequestAutoApproveSchema)
    .mutation(({ ctx, input }) => ctx.services.autoApprove.request(input, ctx.caller)),

  /** Requests waiting for the laptop, oldest first. */
  autoApproveRequests: authedProcedure.query(({ ctx }) => {
    requireCaller(ctx, LAPTOP_OR_DASHBOARD, LAPTOP_ONLY);
    return ctx.services.autoApprove.pending();
  }),

  /** Approve (starts the session as requested) or deny. */
  decideAutoApprove: authedProcedure
    .input(z.strictObject({ id: RequestIdSchema, allow: z.boolean() }))
    .mutation(({ ctx, input }) => {
      requireCaller(ctx, LAPTOP_OR_DASHBOARD, LAPTOP_ONLY);
      return ctx.services.autoApprove.decide(input.id, input.allow);
    }),

  /** One request's state, for whoever asked (the laptop sees all). */
  autoApproveRequest: authedProcedure
    .input(z.strictObject({ id: RequestIdSchema }))
    .query(({ ctx, input }) =>
      ctx.services.autoApprove.status(
        input.id,
        callerIs(ctx, LAPTOP_OR_DASHBOARD) ? undefined : ctx.caller.id,
      ),
    ),
};
