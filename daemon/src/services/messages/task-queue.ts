// Owns the task-queue convention: `task:<id>` records on the assignee's machine, pending → running → done | failed.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { BadInput, Conflict, NotFound, TooLarge } from '../../errors.js';
import { MAX_VALUE_BYTES } from '../context-rules.js';
import type { ContextEntry, ContextStore } from '../context-store.js';
import { addressMatches } from './address.js';
import { keys } from './envelope.js';
import type { MessageService, SkippedEntry } from './message-service.js';

export const TASK_STATUSES = ['pending', 'running', 'done', 'failed'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const TASK_ID_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;

/** The only moves a task makes; anything else (done → running, pending → done …) is refused. */
const NEXT: Record<TaskStatus, readonly TaskStatus[]> = {
  pending: ['running'],
  running: ['done', 'failed'],
  done: [],
  failed: [],
};

/** The record as the reference writes it (id, from, assignee, description, status, result), plus our times. */
const TaskRecordSchema = z.looseObject({
  id: z.string().regex(TASK_ID_PATTERN),
  from: z.string().min(1).max(100),
  assignee: z.string().min(1).max(100),
  description: z.string(),
  status: z.enum(TASK_STATUSES),
  // Agents following the reference may write any JSON here; it is handed on as text.
  result: z
    .unknown()
    .transform((v) =>
      v === undefined || v === null ? null : typeof v === 'string' ? v : JSON.stringify(v),
    ),
  createdAt: z.number().finite().optional(),
  updatedAt: z.number().finite().optional(),
  claimedBy: z.string().max(100).optional(),
  claimedAt: z.number().finite().optional(),
  finishedAt: z.number().finite().optional(),
});

export interface Task {
  id: string;
  from: string;
  assignee: string;
  description: string;
  status: TaskStatus;
  result: string | null;
  createdAt?: number;
  updatedAt?: number;
  claimedBy?: string;
  claimedAt?: number;
  finishedAt?: number;
  /** When the record expires (renewed at every state change). */
  expiresAt: number | null;
}

export interface TaskQueueOptions {
  store: ContextStore;
  messages: MessageService;
  now: () => number;
  ttlSeconds: () => number;
}

export class TaskQueue {
  constructor(private readonly opts: TaskQueueOptions) {}

  post(
    input: {
      to?: string | undefined;
      description: string;
      id?: string | undefined;
      ttlSeconds?: number | undefined;
      as?: string | undefined;
    },
    by: string,
  ): Task {
    const { messages, store } = this.opts;
    const from = messages.me(input.as);
    const assignee = messages.recipient(input.to ?? 'local');
    const now = this.opts.now();
    let id = input.id;
    if (id !== undefined && store.get(keys.task(id))) {
      throw new Conflict(
        `A task "${id}" already exists; choose another id, or leave it out for a generated one.`,
      );
    }
    while (id === undefined || store.get(keys.task(id)))
      id = `${now}-${messages.host}-${randomBytes(2).toString('hex')}`;
    const record: Omit<Task, 'expiresAt'> = {
      id,
      from,
      assignee,
      description: input.description,
      status: 'pending',
      result: null,
      createdAt: now,
      updatedAt: now,
    };
    return this.write(record, by, input.ttlSeconds);
  }

  /** pending → running, by the agent that will do it. Two claims of one task: the second gets CONFLICT. */
  claim(input: { id: string; as?: string | undefined }, by: string): Task {
    const task = this.get(input.id);
    this.assertMove(task, 'running');
    const now = this.opts.now();
    return this.write(
      {
        ...recordOf(task),
        status: 'running',
        claimedBy: this.opts.messages.me(input.as),
        claimedAt: now,
        updatedAt: now,
      },
      by,
    );
  }

  /** running → done | failed, with the result. */
  complete(
    input: { id: string; status: 'done' | 'failed'; result: string | null },
    by: string,
  ): Task {
    const task = this.get(input.id);
    this.assertMove(task, input.status);
    const now = this.opts.now();
    return this.write(
      {
        ...recordOf(task),
        status: input.status,
        result: input.result,
        finishedAt: now,
        updatedAt: now,
      },
      by,
    );
  }

  get(id: string): Task {
    const entry = this.opts.store.get(keys.task(id));
    if (!entry) {
      throw new NotFound(
        `No task "${id}" on this machine (it may have expired after messages.taskTtlSeconds).`,
      );
    }
    const task = toTask(entry);
    if ('reason' in task) throw new BadInput(`${entry.key} is not a task record: ${task.reason}.`);
    return task;
  }

  list(input: { status?: TaskStatus | undefined; assignee?: string | undefined; limit: number }): {
    tasks: Task[];
    hasMore: boolean;
    skipped: SkippedEntry[];
  } {
    const assignee =
      input.assignee !== undefined ? this.opts.messages.recipient(input.assignee) : undefined;
    const tasks: Task[] = [];
    const skipped: SkippedEntry[] = [];
    for (const entry of this.opts.store.scan(keys.taskPrefix)) {
      const task = toTask(entry);
      if ('reason' in task) skipped.push(task);
      else if (
        (input.status === undefined || task.status === input.status) &&
        (assignee === undefined || addressMatches(task.assignee, assignee))
      )
        tasks.push(task);
    }
    tasks.sort((a, b) => (a.createdAt ?? 0) - (b.createdAt ?? 0) || (a.id < b.id ? -1 : 1));
    return { tasks: tasks.slice(0, input.limit), hasMore: tasks.length > input.limit, skipped };
  }

  private assertMove(task: Task, to: TaskStatus): void {
    if (NEXT[task.status].includes(to)) return;
    const who = task.claimedBy ? ` (claimed by ${task.claimedBy})` : '';
    throw new Conflict(
      `Task "${task.id}" is ${task.status}${who}, so it cannot become ${to}: a task moves ` +
        'pending → running (claim) → done | failed (complete), once.',
    );
  }

  private write(record: Omit<Task, 'expiresAt'>, by: string, ttlSeconds?: number): Task {
    const value = JSON.stringify(record);
    if (Buffer.byteLength(value, 'utf8') > MAX_VALUE_BYTES) {
      throw new TooLarge(
        `Task "${record.id}" would be ${Buffer.byteLength(value, 'utf8')} bytes; a task record must fit in one ` +
          `context value (${MAX_VALUE_BYTES} bytes). Put large descriptions or results in a file and pass its path.`,
      );
    }
    const entry = this.opts.store.set(
      keys.task(record.id),
      value,
      by,
      ttlSeconds ?? this.opts.ttlSeconds(),
    );
    return { ...record, expiresAt: entry.expiresAt };
  }
}

/** The stored record of a task (everything but its expiry, which is the entry's). */
function recordOf(task: Task): Omit<Task, 'expiresAt'> {
  const record: Partial<Task> = { ...task };
  delete record.expiresAt;
  return record as Omit<Task, 'expiresAt'>;
}

function toTask(entry: ContextEntry): Task | SkippedEntry {
  let raw: unknown;
  try {
    raw = JSON.parse(entry.value);
  } catch {
    return { key: entry.key, reason: 'the value is not JSON' };
  }
  const parsed = TaskRecordSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      key: entry.key,
      reason: `not a task record (${issue ? `${issue.path.join('.') || 'value'}: ${issue.message}` : 'invalid'})`,
    };
  }
  if (`task:${parsed.data.id}` !== entry.key) {
    return { key: entry.key, reason: "the record's id does not match its key" };
  }
  const d = parsed.data;
  return {
    id: d.id,
    from: d.from,
    assignee: d.assignee,
    description: d.description,
    status: d.status,
    result: d.result,
    ...(d.createdAt !== undefined ? { createdAt: d.createdAt } : {}),
    ...(d.updatedAt !== undefined ? { updatedAt: d.updatedAt } : {}),
    ...(d.claimedBy !== undefined ? { claimedBy: d.claimedBy } : {}),
    ...(d.claimedAt !== undefined ? { claimedAt: d.claimedAt } : {}),
    ...(d.finishedAt !== undefined ? { finishedAt: d.finishedAt } : {}),
    expiresAt: entry.expiresAt,
  };
}
