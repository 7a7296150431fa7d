// Owns the input schemas of the messaging procedures: addresses, agent names, ids, bodies, task states.
import { z } from 'zod';
import { ADDRESS_PATTERN, AGENT_PATTERN } from '../services/messages/address.js';
import { MESSAGE_ID_PATTERN, MESSAGE_TYPES } from '../services/messages/envelope.js';
import { TASK_ID_PATTERN, TASK_STATUSES } from '../services/messages/task-queue.js';
import { ContextValueSchema, LastEventIdSchema, TtlSecondsSchema } from './context-schemas.js';
import { PeerSchema } from './peer-target.js';

export const AddressSchema = z
  .string()
  .regex(
    ADDRESS_PATTERN,
    'An address is a hostname ("kai"), "<hostname>/<agent>" ("kai/claude") or "local": letters, digits, ".", "_", "-".',
  );

/** Act as one agent on this machine (its own inbox `inbox:<host>/<agent>:`) instead of the machine itself. */
export const AsSchema = z
  .string()
  .regex(
    AGENT_PATTERN,
    'An agent name is 1 to 32 letters, digits, ".", "_" or "-", starting with a letter or digit.',
  )
  .optional();

export const MessageIdSchema = z
  .string()
  .regex(MESSAGE_ID_PATTERN, 'A message id looks like 1771732800000-kai-a3f2.');

export const TaskIdSchema = z
  .string()
  .regex(TASK_ID_PATTERN, 'A task id is 1 to 100 letters, digits, ".", "_" or "-".');

const LimitSchema = z.number().int().min(1).max(1000).default(100);

export const SendSchema = z.strictObject({
  to: AddressSchema,
  type: z.enum(MESSAGE_TYPES).default('chat'),
  body: ContextValueSchema,
  replyTo: MessageIdSchema.optional(),
  ttlSeconds: TtlSecondsSchema.optional(),
  as: AsSchema,
  peer: PeerSchema,
});

export const InboxSchema = z
  .strictObject({
    type: z.enum(MESSAGE_TYPES).optional(),
    from: AddressSchema.optional(),
    includeRead: z.boolean().default(false),
    limit: LimitSchema,
    as: AsSchema,
    peer: PeerSchema,
  })
  .prefault({});

export const OutboxSchema = z
  .strictObject({
    to: AddressSchema.optional(),
    from: AddressSchema.optional(),
    limit: LimitSchema,
    peer: PeerSchema,
  })
  .prefault({});

export const WhoamiSchema = z.strictObject({ as: AsSchema, peer: PeerSchema }).prefault({});

export const AckSchema = z.strictObject({ id: MessageIdSchema, as: AsSchema, peer: PeerSchema });

export const CheckAckSchema = z.strictObject({ id: MessageIdSchema, peer: PeerSchema });

export const OnMessageSchema = z
  .strictObject({ lastEventId: LastEventIdSchema, as: AsSchema, peer: PeerSchema })
  .prefault({});

export const PostTaskSchema = z.strictObject({
  to: AddressSchema.optional(),
  description: ContextValueSchema,
  id: TaskIdSchema.optional(),
  ttlSeconds: TtlSecondsSchema.optional(),
  as: AsSchema,
  peer: PeerSchema,
});

export const ClaimTaskSchema = z.strictObject({ id: TaskIdSchema, as: AsSchema, peer: PeerSchema });

export const CompleteTaskSchema = z.strictObject({
  id: TaskIdSchema,
  status: z.enum(['done', 'failed']),
  result: ContextValueSchema.nullable().default(null),
  peer: PeerSchema,
});

export const TaskRefSchema = z.strictObject({ id: TaskIdSchema, peer: PeerSchema });

export const ListTasksSchema = z
  .strictObject({
    status: z.enum(TASK_STATUSES).optional(),
    assignee: AddressSchema.optional(),
    limit: LimitSchema,
    peer: PeerSchema,
  })
  .prefault({});
