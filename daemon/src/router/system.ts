// Owns the system procedures: health (public), identity and status.
import { authedProcedure, publicProcedure, router } from '../trpc.js';

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
    };
  }),
});
