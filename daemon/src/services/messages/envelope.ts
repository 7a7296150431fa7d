// Owns the messaging wire format: the envelope, message ids and the context keys that carry them.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

export const MESSAGE_TYPES = ['chat', 'request', 'response', 'ack', 'broadcast'] as const;
export type MessageType = (typeof MESSAGE_TYPES)[number];

/** Ids we issue: `<ms>-<sender host>-<4 hex>`; ids written by other agents only need to be key-safe. */
export const MESSAGE_ID_PATTERN = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * The envelope as stored (a JSON string) in `inbox:<to>:<id>` and `outbox:<id>`. Loose on purpose: extra
 * fields from other agents are kept, and `ts`/`body` accept what the reference's agents write.
 */
export const EnvelopeSchema = z.looseObject({
  from: z.string().min(1).max(100),
  to: z.string().min(1).max(100),
  ts: z.number().finite(),
  id: z.string().regex(MESSAGE_ID_PATTERN),
  type: z.enum(MESSAGE_TYPES),
  body: z.string(),
  replyTo: z.string().regex(MESSAGE_ID_PATTERN).optional(),
});

export interface Envelope {
  id: string;
  from: string;
  to: string;
  ts: number;
  type: MessageType;
  body: string;
  replyTo?: string;
}

export function newMessageId(now: number, senderHost: string): string {
  return `${now}-${senderHost}-${randomBytes(2).toString('hex')}`;
}

/** The milliseconds a message id starts with, or undefined for ids that do not follow the format. */
export function idMillis(id: string): number | undefined {
  const m = /^(\d{1,16})-/.exec(id);
  return m?.[1] !== undefined ? Number(m[1]) : undefined;
}

/** Field order as the reference writes it (from, to, ts, id, type, body), then ours. */
export function serializeEnvelope(e: Envelope): string {
  return JSON.stringify({
    from: e.from,
    to: e.to,
    ts: e.ts,
    id: e.id,
    type: e.type,
    body: e.body,
    ...(e.replyTo !== undefined ? { replyTo: e.replyTo } : {}),
  });
}

/** The envelope in a stored value, or why it is not one. */
export function parseEnvelope(
  value: string,
): { ok: true; envelope: Envelope } | { ok: false; reason: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(value);
  } catch {
    return { ok: false, reason: 'the value is not JSON' };
  }
  const parsed = EnvelopeSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    return {
      ok: false,
      reason: `not a message envelope (${issue ? `${issue.path.join('.') || 'value'}: ${issue.message}` : 'invalid'})`,
    };
  }
  const { from, to, ts, id, type, body, replyTo } = parsed.data;
  return {
    ok: true,
    envelope: { id, from, to, ts, type, body, ...(replyTo !== undefined ? { replyTo } : {}) },
  };
}

/** The context keys of the protocol (see docs/agents-protocol.md). */
export const keys = {
  /** On the recipient's machine: a message waiting for `to`. */
  inbox: (to: string, id: string) => `inbox:${to}:${id}`,
  inboxPrefix: (to: string) => `inbox:${to}:`,
  /** On the recipient's machine: a message `to` acknowledged (moved out of the inbox, with `readAt`). */
  read: (to: string, id: string) => `read:${to}:${id}`,
  readPrefix: (to: string) => `read:${to}:`,
  /** On the sender's machine: its copy of a message it sent. */
  outbox: (id: string) => `outbox:${id}`,
  outboxPrefix: 'outbox:',
  /** On the sender's machine: the newest message id `recipient` processed (the reference's key). */
  ack: (recipient: string) => `ack:${recipient}`,
  /** On the sender's machine: the read receipt of one message. */
  receipt: (recipient: string, id: string) => `ack:${recipient}:${id}`,
  /** On the assignee's machine: a task record. */
  task: (id: string) => `task:${id}`,
  taskPrefix: 'task:',
};

/** A read receipt's value. */
export const ReceiptSchema = z.looseObject({
  id: z.string(),
  by: z.string(),
  ackedAt: z.number().finite(),
});
