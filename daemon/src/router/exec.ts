// Owns the exec procedures: run a command to completion, or start one and stream its output; cancel; list jobs.
import path from 'node:path';
import { tracked } from '@trpc/server';
import { z } from 'zod';
import type { JobStreamItem } from '../services/exec/job-manager.js';
import { authedProcedure, router } from '../trpc.js';
import { assertLocalPeer, PeerSchema } from './peer-target.js';

const KiB = 1024;
const MiB = 1024 * KiB;

/** Text that goes into argv, env or a path: NUL cannot be passed to a program. */
function text(max: number, min = 0) {
  return z
    .string()
    .min(min)
    .max(max)
    .refine((s) => !s.includes('\0'), 'must not contain NUL characters');
}

export const ExecCommandSchema = z.object({
  peer: PeerSchema,
  command: text(128 * KiB, 1),
  args: z
    .array(text(128 * KiB))
    .max(1000)
    .default([]),
  cwd: text(4096)
    .refine((p) => path.isAbsolute(p), 'must be an absolute path')
    .optional(),
  env: z
    .record(
      z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a variable name'),
      text(128 * KiB),
    )
    .optional(),
  stdin: z
    .string()
    .max(8 * MiB)
    .optional(),
  timeoutMs: z
    .number()
    .int()
    .min(1)
    .max(24 * 3600 * 1000)
    .optional(),
  /** Run `command` (args appended with spaces) as a `/bin/sh -c` script. */
  shell: z.boolean().default(false),
});
export const ExecRunSchema = ExecCommandSchema;
export const ExecStartSchema = ExecCommandSchema;

const JobIdSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[0-9a-f]+$/, 'is not a job id');

export const ExecStreamSchema = z.object({
  peer: PeerSchema,
  jobId: JobIdSchema,
  /** Set by the client on reconnect (tRPC tracked events): replay after this id. */
  lastEventId: z.string().max(32).nullish(),
  /** Cancel the job when this subscription ends early (the default leaves it running). */
  cancelOnClose: z.boolean().default(false),
});
export const ExecCancelSchema = z.object({ peer: PeerSchema, jobId: JobIdSchema });
export const ExecJobsSchema = z.object({ peer: PeerSchema }).optional();

function execInput(input: z.infer<typeof ExecCommandSchema>) {
  return {
    command: input.command,
    args: input.args,
    cwd: input.cwd,
    env: input.env,
    stdin: input.stdin,
    timeoutMs: input.timeoutMs,
    shell: input.shell,
  };
}

export const execRouter = router({
  run: authedProcedure
    .meta({ rateLimit: 'execute' })
    .input(ExecRunSchema)
    .mutation(({ ctx, input, signal }) => {
      assertLocalPeer(input.peer);
      return ctx.services.jobs.run(execInput(input), signal);
    }),

  start: authedProcedure
    .meta({ rateLimit: 'execute' })
    .input(ExecStartSchema)
    .mutation(async ({ ctx, input }) => {
      assertLocalPeer(input.peer);
      return { jobId: await ctx.services.jobs.start(execInput(input)) };
    }),

  onStream: authedProcedure.input(ExecStreamSchema).subscription(({ ctx, input, signal }) => {
    assertLocalPeer(input.peer);
    // Subscribing eagerly, so an unknown job fails the call itself (and its audit line), not the first event.
    const events = ctx.services.jobs.subscribe(input.jobId, input.lastEventId, signal);
    const cancel = input.cancelOnClose ? () => ctx.services.jobs.cancel(input.jobId) : undefined;
    return trackedEvents(events, cancel);
  }),

  cancel: authedProcedure.input(ExecCancelSchema).mutation(({ ctx, input }) => {
    assertLocalPeer(input.peer);
    return { jobId: input.jobId, cancelled: ctx.services.jobs.cancel(input.jobId) };
  }),

  jobs: authedProcedure.input(ExecJobsSchema).query(({ ctx, input }) => {
    assertLocalPeer(input?.peer);
    return { jobs: ctx.services.jobs.list() };
  }),
});

async function* trackedEvents(events: AsyncIterable<JobStreamItem>, cancelOnClose?: () => void) {
  let ended = false;
  try {
    for await (const item of events) {
      if (item.event.type === 'exit') ended = true;
      yield tracked(item.id, item.event);
    }
  } finally {
    // Leaving early (unsubscribe, disconnect) stops the job only when the caller asked for it.
    if (cancelOnClose && !ended) {
      try {
        cancelOnClose();
      } catch {
        // Already finished and forgotten.
      }
    }
  }
}
