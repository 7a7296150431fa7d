// Owns the context procedures: the shared key/value store (TTL, cap, durable) and its resumable change stream.
import { tracked } from '@trpc/server';
import { missingEntry, type ContextEntry } from '../services/context-store.js';
import { authedProcedure, router } from '../trpc.js';
import {
  ContextKeyInputSchema,
  ContextListSchema,
  ContextOnChangeSchema,
  ContextSetSchema,
} from './context-schemas.js';
import { assertLocalPeer } from './peer-target.js';
import { writerLabel } from './writer-label.js';

/** What a broadcast did on one peer. */
export interface BroadcastPeerResult {
  peer: { nodeId: string; hostname: string };
  ok: boolean;
  /** When the peer's copy expires (ok only). */
  expiresAt?: number | null;
  /** Why the write failed there (not ok only). */
  error?: { code: string; message: string };
}

export interface BroadcastResult {
  local: ContextEntry;
  /** One result per online peer; empty until the Peers capability lands (there are no peers to reach). */
  peers: BroadcastPeerResult[];
}

export const contextRouter = router({
  set: authedProcedure
    .meta({ rateLimit: 'context' })
    .input(ContextSetSchema)
    .mutation(({ ctx, input }) => {
      assertLocalPeer(input.peer);
      return ctx.services.context.set(
        input.key,
        input.value,
        writerLabel(ctx.caller),
        input.ttlSeconds,
      );
    }),

  get: authedProcedure
    .meta({ rateLimit: 'context' })
    .input(ContextKeyInputSchema)
    .query(({ ctx, input }) => {
      assertLocalPeer(input.peer);
      return ctx.services.context.require(input.key);
    }),

  list: authedProcedure
    .meta({ rateLimit: 'context' })
    .input(ContextListSchema)
    .query(({ ctx, input }) => {
      assertLocalPeer(input.peer);
      return ctx.services.context.list({
        limit: input.limit,
        ...(input.prefix !== undefined ? { prefix: input.prefix } : {}),
        ...(input.cursor !== undefined ? { cursor: input.cursor } : {}),
      });
    }),

  /** `{ deleted: true }`, or NOT_FOUND for a key that does not exist (or has expired). */
  delete: authedProcedure
    .meta({ rateLimit: 'context' })
    .input(ContextKeyInputSchema)
    .mutation(({ ctx, input }) => {
      assertLocalPeer(input.peer);
      if (!ctx.services.context.delete(input.key, writerLabel(ctx.caller))) {
        throw missingEntry(input.key);
      }
      return { deleted: true };
    }),

  /** Writes here and on every online peer; reports each peer's outcome (a peer failing fails only its row). */
  broadcast: authedProcedure
    .meta({ rateLimit: 'context' })
    .input(ContextSetSchema.omit({ peer: true }))
    .mutation(({ ctx, input }): BroadcastResult => {
      const local = ctx.services.context.set(
        input.key,
        input.value,
        writerLabel(ctx.caller),
        input.ttlSeconds,
      );
      return { local, peers: [] };
    }),

  /**
   * Changes as they happen: `set` (with the entry), `delete`, `expire`. Starts with `ready` (whose id marks the
   * start); resumed with `lastEventId` it replays exactly the changes after it, or says `reset` when the
   * bounded log no longer has them (list again, then carry on with the stream).
   */
  onChange: authedProcedure
    .meta({ rateLimit: 'context' })
    .input(ContextOnChangeSchema)
    .subscription(async function* ({ ctx, input, signal }) {
      assertLocalPeer(input.peer);
      for await (const { id, event } of ctx.services.context.follow({
        lastEventId: input.lastEventId ? Number(input.lastEventId) : undefined,
        prefix: input.prefix,
        signal,
      })) {
        yield tracked(String(id), event);
      }
    }),
});
