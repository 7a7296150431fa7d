// Owns the terminal procedures: PTY sessions that outlive every client, with resumable output and events.
import { randomUUID } from 'node:crypto';
import { tracked } from '@trpc/server';
import { z } from 'zod';
import { BadInput } from '../errors.js';
import { streamOutput } from '../services/terminal/output-stream.js';
import { autoApproveFlag } from '../services/terminal/agent-presets.js';
import { authedProcedure, router } from '../trpc.js';
import { LAPTOP_OR_DASHBOARD, requireCaller } from './caller-access.js';
import { assertLocalPeer } from './peer-target.js';
import { autoApproveProcedures } from './terminal-auto-approve.js';
import { ColsSchema, CreateSessionSchema, RowsSchema } from './terminal-schemas.js';

const SessionRefSchema = z.string().min(1).max(200);

export const WriteSchema = z.strictObject({
  id: SessionRefSchema,
  data: z.string().max(1024 * 1024),
  encoding: z.enum(['utf8', 'base64']).default('utf8'),
  viewerId: z.string().max(100).optional(),
});

const SignalSchema = z.enum([
  'SIGINT',
  'SIGTERM',
  'SIGKILL',
  'SIGHUP',
  'SIGQUIT',
  'SIGTSTP',
  'SIGCONT',
  'SIGUSR1',
  'SIGUSR2',
  'SIGWINCH',
]);

export const terminalRouter = router({
  ...autoApproveProcedures,

  create: authedProcedure
    .meta({ rateLimit: 'execute' })
    .input(CreateSessionSchema)
    .mutation(({ ctx, input }) => {
      assertLocalPeer(input.peer);
      if (input.autoApprove) {
        autoApproveFlag(input.agent);
        requireCaller(
          ctx,
          LAPTOP_OR_DASHBOARD,
          'Auto-approve must be confirmed on the laptop: ask with terminal.requestAutoApprove.',
        );
      }
      return ctx.services.terminals.create(input);
    }),

  list: authedProcedure.query(({ ctx }) => ctx.services.terminals.list()),

  get: authedProcedure
    .input(z.strictObject({ id: SessionRefSchema }))
    .query(({ ctx, input }) => ctx.services.terminals.get(input.id).info()),

  /** The visible screen as text lines: for previews, scripts and agents that cannot render escapes. */
  screen: authedProcedure
    .input(z.strictObject({ id: SessionRefSchema }))
    .query(async ({ ctx, input }) => ({
      lines: await ctx.services.terminals.get(input.id).screenText(),
    })),

  write: authedProcedure
    .meta({ audit: false })
    .input(WriteSchema)
    .mutation(({ ctx, input }) => {
      const data = input.encoding === 'base64' ? Buffer.from(input.data, 'base64') : input.data;
      ctx.services.terminals.write(input.id, data, input.viewerId);
    }),

  resize: authedProcedure
    .meta({ audit: false })
    .input(
      z.strictObject({
        id: SessionRefSchema,
        cols: ColsSchema,
        rows: RowsSchema,
        viewerId: z.string().max(100).optional(),
      }),
    )
    .mutation(({ ctx, input }) =>
      ctx.services.terminals.resize(input.id, input.cols, input.rows, input.viewerId),
    ),

  signal: authedProcedure
    .input(z.strictObject({ id: SessionRefSchema, signal: SignalSchema }))
    .mutation(({ ctx, input }) => ctx.services.terminals.signal(input.id, input.signal)),

  kill: authedProcedure
    .input(z.strictObject({ id: SessionRefSchema }))
    .mutation(({ ctx, input }) => ctx.services.terminals.kill(input.id)),

  remove: authedProcedure
    .input(z.strictObject({ id: SessionRefSchema }))
    .mutation(({ ctx, input }) => ctx.services.terminals.remove(input.id)),

  rename: authedProcedure
    .input(
      z.strictObject({
        id: SessionRefSchema,
        name: z
          .string()
          .min(1)
          .max(64)
          .regex(/^[\w.@:+-]+$/, 'names use letters, digits and . _ - @ : +'),
      }),
    )
    .mutation(({ ctx, input }) => ctx.services.terminals.rename(input.id, input.name)),

  /** Output by byte offset: a snapshot first (or the bytes after lastEventId), then live bytes, then exit. */
  onOutput: authedProcedure
    .input(
      z.strictObject({
        id: SessionRefSchema,
        lastEventId: z.string().max(32).nullish(),
        viewerId: z.string().max(100).optional(),
      }),
    )
    .subscription(async function* ({ ctx, input, signal }) {
      const terminals = ctx.services.terminals;
      const session = terminals.get(input.id);
      const viewerId = input.viewerId ?? randomUUID();
      terminals.attachViewer(session, viewerId);
      try {
        for await (const { id, event } of streamOutput(session, {
          lastEventId: input.lastEventId,
          signal,
          backlog: ctx.outboundBacklog,
        })) {
          yield tracked(id, event);
        }
      } finally {
        terminals.detachViewer(session, viewerId);
      }
    }),

  /** Session lifecycle across the machine: created, exited, renamed, removed, viewer counts. */
  onEvent: authedProcedure
    .input(z.strictObject({ lastEventId: z.string().max(32).nullish() }).optional())
    .subscription(async function* ({ ctx, input, signal }) {
      const log = ctx.services.terminals.events;
      const after = input?.lastEventId ? Number(input.lastEventId) : log.lastId;
      if (!Number.isSafeInteger(after) || after < 0)
        throw new BadInput('lastEventId is not an event id.');
      for await (const e of log.follow(after, signal)) yield tracked(String(e.id), e.event);
    }),
});
