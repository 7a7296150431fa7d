// Owns the task-queue procedures of the messages router: post, claim, complete, get, list `task:<id>` records.
import { authedProcedure } from '../trpc.js';
import {
  ClaimTaskSchema,
  CompleteTaskSchema,
  ListTasksSchema,
  PostTaskSchema,
  TaskRefSchema,
} from './messages-schemas.js';
import { assertLocalPeer } from './peer-target.js';
import { writerLabel } from './writer-label.js';

const procedure = authedProcedure.meta({ rateLimit: 'context' });

export const taskProcedures = {
  /** Creates a pending task for `to` (default: this machine). */
  postTask: procedure.input(PostTaskSchema).mutation(({ ctx, input }) => {
    assertLocalPeer(input.peer);
    return ctx.services.taskQueue.post(input, writerLabel(ctx.caller));
  }),

  /** pending → running; CONFLICT if it is not pending (someone else claimed it, or it is finished). */
  claimTask: procedure.input(ClaimTaskSchema).mutation(({ ctx, input }) => {
    assertLocalPeer(input.peer);
    return ctx.services.taskQueue.claim(input, writerLabel(ctx.caller));
  }),

  /** running → done | failed with a result; CONFLICT from any other state. */
  completeTask: procedure.input(CompleteTaskSchema).mutation(({ ctx, input }) => {
    assertLocalPeer(input.peer);
    return ctx.services.taskQueue.complete(input, writerLabel(ctx.caller));
  }),

  getTask: procedure.input(TaskRefSchema).query(({ ctx, input }) => {
    assertLocalPeer(input.peer);
    return ctx.services.taskQueue.get(input.id);
  }),

  /** Tasks on this machine, oldest first, by status and assignee. */
  listTasks: procedure.input(ListTasksSchema).query(({ ctx, input }) => {
    assertLocalPeer(input.peer);
    return ctx.services.taskQueue.list(input);
  }),
};
