// Owns the system procedures: health (public), identity, status and the audit trail.
import { z } from 'zod';
import { authedProcedure, publicProcedure, router } from '../trpc.js';
import { requireCaller } from './caller-access.js';

export const AuditQuerySchema = z
  .strictObject({ limit: z.number().int().min(1).max(500).default(100) })
  .optional();

export const systemRouter = router({
  health: publicProcedure.query(({ ctx }) => ({
    status: 'ok' as const,
    version: ctx.services.version,
    nodeId: ctx.services.identity.nodeId,
  })),

  identity: authedProcedure.query(({ ctx }) => ({
    ...ctx.services.identity,
    version: ctx.services.version,
    caller: ctx.caller,
  })),

  status: authedProcedure.query(({ ctx }) => {
    const { services } = ctx;
    return {
      nodeId: services.identity.nodeId,
      hostname: services.identity.hostname,
      version: services.version,
      uptimeMs: services.now() - services.startedAt,
      pid: process.pid,
      sessions: services.terminals.count(),
      relay: services.relay.status(),
      phones: services.relay.phones.count(),
      jobs: services.jobs.count(),
      context: { entries: services.context.count() },
    };
  }),

  /** The newest audit entries, newest first. Peers may not read this machine's trail. */
  audit: authedProcedure.input(AuditQuerySchema).query(({ ctx, input }) => {
    requireCaller(
      ctx,
      ['owner', 'local', 'session', 'phone'],
      "Peers cannot read this machine's audit trail; ask its owner (loopsy logs there).",
    );
    return ctx.services.audit.newest(input?.limit ?? 100);
  }),
});
