// Owns the messages procedures: the agents' protocol (inbox/outbox/ack keys in the context store) as calls.
import { tracked } from '@trpc/server';
import { authedProcedure, router } from '../trpc.js';
import {
  AckSchema,
  CheckAckSchema,
  InboxSchema,
  OnMessageSchema,
  OutboxSchema,
  SendSchema,
  WhoamiSchema,
} from './messages-schemas.js';
import { taskProcedures } from './messages-tasks.js';
import { assertLocalPeer } from './peer-target.js';
import { writerLabel } from './writer-label.js';

const procedure = authedProcedure.meta({ rateLimit: 'context' });

export const messagesRouter = router({
  ...taskProcedures,

  /** Who "me" is here: this machine's address, and the agent address with `as`. */
  whoami: procedure.input(WhoamiSchema).query(({ ctx, input }) => {
    assertLocalPeer(input.peer);
    return { host: ctx.services.messages.host, address: ctx.services.messages.me(input.as) };
  }),

  /** Stores `inbox:<to>:<id>` on the recipient and `outbox:<id>` here, atomically; returns the envelope. */
  send: procedure.input(SendSchema).mutation(({ ctx, input }) => {
    assertLocalPeer(input.peer);
    return ctx.services.messages.send(input, writerLabel(ctx.caller));
  }),

  /** My messages, oldest first: pending (unacknowledged) ones, and read ones too with `includeRead`. */
  inbox: procedure.input(InboxSchema).query(({ ctx, input }) => {
    assertLocalPeer(input.peer);
    return ctx.services.messages.inbox(input);
  }),

  /** Messages sent from this machine that have not expired, oldest first, each with its ack status. */
  outbox: procedure.input(OutboxSchema).query(({ ctx, input }) => {
    assertLocalPeer(input.peer);
    return ctx.services.messages.outbox(input);
  }),

  /** Marks a message read and stores the read receipt on the sender's machine. Idempotent. */
  ack: procedure.input(AckSchema).mutation(({ ctx, input }) => {
    assertLocalPeer(input.peer);
    return ctx.services.messages.ack(input, writerLabel(ctx.caller));
  }),

  /** Whether the recipient of a message I sent acknowledged it (and when). */
  checkAck: procedure.input(CheckAckSchema).query(({ ctx, input }) => {
    assertLocalPeer(input.peer);
    return ctx.services.messages.checkAck(input);
  }),

  /**
   * Incoming messages (`message`), changes to them (`read`, `removed`) and receipts for mine (`acked`), as
   * they happen: resumable by `lastEventId` like context.onChange, starting with `ready`; on `reset`, call
   * inbox again.
   */
  onMessage: procedure.input(OnMessageSchema).subscription(async function* ({
    ctx,
    input,
    signal,
  }) {
    assertLocalPeer(input.peer);
    for await (const { id, event } of ctx.services.messages.follow({
      as: input.as,
      lastEventId: input.lastEventId ? Number(input.lastEventId) : undefined,
      signal,
    })) {
      yield tracked(String(id), event);
    }
  }),
});
