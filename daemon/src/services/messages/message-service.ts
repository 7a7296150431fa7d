// Owns the agents' messaging protocol on top of the context store: send, inbox, outbox, ack, receipts, stream.
import { z } from 'zod';
import { BadInput, NotFound, TooLarge } from '../../errors.js';
import { MAX_VALUE_BYTES } from '../context-rules.js';
import type {
  ContextEntry,
  ContextOp,
  ContextStore,
  ContextStreamEvent,
} from '../context-store.js';
import {
  addressMatches,
  formatAddress,
  hostOf,
  ownAddress,
  parseAddress,
  type Address,
} from './address.js';
import {
  idMillis,
  keys,
  newMessageId,
  parseEnvelope,
  ReceiptSchema,
  serializeEnvelope,
  type Envelope,
  type MessageType,
} from './envelope.js';

export interface MessagingConfig {
  ttlSeconds: number;
  ackTtlSeconds: number;
}

export interface MessageServiceOptions {
  store: ContextStore;
  /** This machine's host part (see messagingHost). */
  host: string;
  now: () => number;
  config: () => MessagingConfig;
}

export interface InboxMessage extends Envelope {
  key: string;
  /** When this machine's recipient acknowledged it; null while pending. */
  readAt: number | null;
  expiresAt: number | null;
}

export interface OutboxMessage extends Envelope {
  expiresAt: number | null;
  acked: boolean;
  ackedAt: number | null;
}

/** An entry under a protocol prefix that is not a valid record (written by hand or by a broken agent). */
export interface SkippedEntry {
  key: string;
  reason: string;
}

export interface AckStatus {
  id: string;
  to: string;
  acked: boolean;
  ackedAt?: number;
}

export interface AckResult {
  id: string;
  readAt: number;
  /** True when the message had been acknowledged before (the call changed nothing). */
  alreadyRead: boolean;
  /** The read receipt on the sender's machine (`ack:<me>` and `ack:<me>:<id>`). */
  receipt: { stored: boolean; on: string; error?: string };
}

export type MessageStreamEvent =
  | { type: 'ready' }
  | Extract<ContextStreamEvent, { type: 'reset' }>
  | { type: 'message'; message: InboxMessage }
  | { type: 'read'; id: string; readAt: number }
  | { type: 'removed'; id: string; reason: 'deleted' | 'expired' }
  | { type: 'acked'; id: string; by: string; ackedAt: number };

const ReadAtSchema = z.looseObject({ readAt: z.number().finite() });

export class MessageService {
  constructor(private readonly opts: MessageServiceOptions) {}

  get host(): string {
    return this.opts.host;
  }

  /** The caller's own address: this machine, or one of its agents. */
  me(as: string | undefined): string {
    return formatAddress(ownAddress(this.opts.host, as));
  }

  /** Normalizes an address (`local` → this machine) and checks it can be reached. */
  recipient(to: string): string {
    const address = parseAddress(to, this.opts.host);
    this.assertReachable(address);
    return formatAddress(address);
  }

  send(
    input: {
      to: string;
      type?: MessageType | undefined;
      body: string;
      replyTo?: string | undefined;
      ttlSeconds?: number | undefined;
      as?: string | undefined;
    },
    by: string,
  ): Envelope {
    const from = this.me(input.as);
    const to = this.recipient(input.to);
    const { store } = this.opts;
    const ts = this.opts.now();
    let id = newMessageId(ts, this.opts.host);
    // Four hex digits collide now and then when one machine sends many messages in one millisecond.
    while (store.get(keys.outbox(id)) || store.get(keys.inbox(to, id)))
      id = newMessageId(ts, this.opts.host);
    const envelope: Envelope = {
      id,
      from,
      to,
      ts,
      type: input.type ?? 'chat',
      body: input.body,
      ...(input.replyTo !== undefined ? { replyTo: input.replyTo } : {}),
    };
    const value = serializeEnvelope(envelope);
    const bytes = Buffer.byteLength(value, 'utf8');
    if (bytes > MAX_VALUE_BYTES) {
      throw new TooLarge(
        `This message is ${bytes} bytes as an envelope; a message must fit in one context value ` +
          `(${MAX_VALUE_BYTES} bytes). Send a shorter body, or put the data in a file and send its path.`,
      );
    }
    const ttlSeconds = input.ttlSeconds ?? this.opts.config().ttlSeconds;
    store.apply(
      [
        { op: 'set', key: keys.inbox(to, id), value, ttlSeconds },
        { op: 'set', key: keys.outbox(id), value, ttlSeconds },
      ],
      by,
    );
    return envelope;
  }

  /** Messages for me, oldest first: pending ones, and with `includeRead` the acknowledged ones too. */
  inbox(input: {
    as?: string | undefined;
    type?: MessageType | undefined;
    from?: string | undefined;
    includeRead?: boolean | undefined;
    limit: number;
  }): { messages: InboxMessage[]; hasMore: boolean; skipped: SkippedEntry[] } {
    const me = this.me(input.as);
    const from = input.from !== undefined ? this.normalizeFilter(input.from) : undefined;
    const messages: InboxMessage[] = [];
    const skipped: SkippedEntry[] = [];
    const prefixes = [keys.inboxPrefix(me), ...(input.includeRead ? [keys.readPrefix(me)] : [])];
    for (const prefix of prefixes) {
      for (const entry of this.opts.store.scan(prefix)) {
        const read = prefix !== keys.inboxPrefix(me);
        const message = toInboxMessage(entry, entry.key.slice(prefix.length), read);
        if ('reason' in message) skipped.push(message);
        else if (
          (input.type === undefined || message.type === input.type) &&
          (from === undefined || addressMatches(message.from, from))
        )
          messages.push(message);
      }
    }
    messages.sort(byTimeThenId);
    return {
      messages: messages.slice(0, input.limit),
      hasMore: messages.length > input.limit,
      skipped,
    };
  }

  /** Messages sent from this machine (still within their TTL), oldest first, with their ack status. */
  outbox(input: { to?: string | undefined; from?: string | undefined; limit: number }): {
    messages: OutboxMessage[];
    hasMore: boolean;
    skipped: SkippedEntry[];
  } {
    const to = input.to !== undefined ? this.normalizeFilter(input.to) : undefined;
    const from = input.from !== undefined ? this.normalizeFilter(input.from) : undefined;
    const messages: OutboxMessage[] = [];
    const skipped: SkippedEntry[] = [];
    for (const entry of this.opts.store.scan(keys.outboxPrefix)) {
      const id = entry.key.slice(keys.outboxPrefix.length);
      const parsed = parseEnvelope(entry.value);
      if (!parsed.ok || parsed.envelope.id !== id) {
        skipped.push({ key: entry.key, reason: parsed.ok ? idMismatch : parsed.reason });
        continue;
      }
      const e = parsed.envelope;
      if (to !== undefined && !addressMatches(e.to, to)) continue;
      if (from !== undefined && !addressMatches(e.from, from)) continue;
      const status = this.ackStatus(e);
      messages.push({
        ...e,
        expiresAt: entry.expiresAt,
        acked: status.acked,
        ackedAt: status.ackedAt ?? null,
      });
    }
    messages.sort(byTimeThenId);
    return {
      messages: messages.slice(0, input.limit),
      hasMore: messages.length > input.limit,
      skipped,
    };
  }

  /**
   * Acknowledges a message in my inbox: moves it to `read:<me>:<id>` (same expiry) and stores the read
   * receipt on the sender's machine: `ack:<me>` (the newest id processed, as the reference) and
   * `ack:<me>:<id>` (this message, with the time). All in one transaction when the sender is this machine.
   */
  ack(input: { id: string; as?: string | undefined }, by: string): AckResult {
    const me = this.me(input.as);
    const { store } = this.opts;
    const pending = store.get(keys.inbox(me, input.id));
    if (!pending) {
      const read = store.get(keys.read(me, input.id));
      if (!read) {
        throw new NotFound(
          `No message "${input.id}" in the inbox of ${me} (it may have expired after messages.ttlSeconds). ` +
            'List messages with `loopsy msg inbox`.',
        );
      }
      const message = toInboxMessage(read, input.id, true);
      if ('reason' in message)
        throw new BadInput(`${read.key} is not a message: ${message.reason}.`);
      const senderHost = hostOf(message.from);
      return {
        id: input.id,
        readAt: message.readAt ?? read.updatedAt,
        alreadyRead: true,
        receipt: {
          stored:
            senderHost === this.opts.host && store.get(keys.receipt(me, input.id)) !== undefined,
          on: senderHost,
        },
      };
    }
    const parsed = parseEnvelope(pending.value);
    if (!parsed.ok) {
      throw new BadInput(
        `${pending.key} does not hold a message envelope (${parsed.reason}); delete it with \`loopsy context delete ${pending.key}\`.`,
      );
    }
    const envelope = parsed.envelope;
    const readAt = this.opts.now();
    const senderHost = hostOf(envelope.from);
    const ops: ContextOp[] = [
      {
        op: 'set',
        key: keys.read(me, input.id),
        value: JSON.stringify({ ...JSON.parse(serializeEnvelope(envelope)), readAt }),
        expiresAt: pending.expiresAt,
      },
      { op: 'delete', key: pending.key },
    ];
    let receipt: AckResult['receipt'];
    if (senderHost === this.opts.host) {
      ops.push(...this.receiptOps(me, input.id, readAt));
      receipt = { stored: true, on: senderHost };
    } else {
      receipt = {
        stored: false,
        on: senderHost,
        error: `The sender's machine "${senderHost}" cannot be reached (peers are not available yet); the message is marked read here only.`,
      };
    }
    store.apply(ops, by);
    return { id: input.id, readAt, alreadyRead: false, receipt };
  }

  /** Whether the recipient of a message I sent acknowledged it. */
  checkAck(input: { id: string }): AckStatus {
    const entry = this.opts.store.get(keys.outbox(input.id));
    if (!entry) {
      throw new NotFound(
        `No sent message "${input.id}" in the outbox (outbox copies expire after messages.ttlSeconds). ` +
          'List sent messages with `loopsy msg outbox`.',
      );
    }
    const parsed = parseEnvelope(entry.value);
    if (!parsed.ok) throw new BadInput(`${entry.key} is not a message: ${parsed.reason}.`);
    return this.ackStatus(parsed.envelope);
  }

  /**
   * Incoming messages and what happens to them (read, removed), and receipts for messages I sent, from the
   * context change log: resumable by the same event ids, with `ready` and `reset` passed through.
   */
  async *follow(opts: {
    as?: string | undefined;
    lastEventId?: number | undefined;
    signal?: AbortSignal | undefined;
  }): AsyncGenerator<{ id: number; event: MessageStreamEvent }> {
    const me = this.me(opts.as);
    for await (const { id, event } of this.opts.store.follow({
      lastEventId: opts.lastEventId,
      signal: opts.signal,
    })) {
      const mapped = this.streamEvent(event, me);
      if (mapped) yield { id, event: mapped };
    }
  }

  private streamEvent(event: ContextStreamEvent, me: string): MessageStreamEvent | undefined {
    switch (event.type) {
      case 'ready':
        return event;
      case 'reset':
        return {
          ...event,
          message:
            event.reason === 'behind'
              ? 'Some message events were dropped before this reader got them; read the inbox again.'
              : 'This event id was not issued by this daemon; read the inbox again.',
        };
      case 'delete':
      case 'expire': {
        const prefix = keys.inboxPrefix(me);
        if (!event.key.startsWith(prefix)) return undefined;
        return {
          type: 'removed',
          id: event.key.slice(prefix.length),
          reason: event.type === 'delete' ? 'deleted' : 'expired',
        };
      }
      case 'set': {
        const { key, entry } = event;
        if (key.startsWith(keys.inboxPrefix(me))) {
          const message = toInboxMessage(entry, key.slice(keys.inboxPrefix(me).length), false);
          return 'reason' in message ? undefined : { type: 'message', message };
        }
        if (key.startsWith(keys.readPrefix(me))) {
          const read = parseJson(ReadAtSchema, entry.value);
          return read
            ? { type: 'read', id: key.slice(keys.readPrefix(me).length), readAt: read.readAt }
            : undefined;
        }
        return this.receiptEvent(key, entry, me);
      }
    }
  }

  /** `ack:<recipient>:<id>` for a message `me` sent. */
  private receiptEvent(
    key: string,
    entry: ContextEntry,
    me: string,
  ): MessageStreamEvent | undefined {
    const m = /^ack:([^:]+):(.+)$/.exec(key);
    if (!m?.[1] || !m[2]) return undefined;
    const receipt = parseJson(ReceiptSchema, entry.value);
    const sent = this.opts.store.get(keys.outbox(m[2]));
    const envelope = sent && parseEnvelope(sent.value);
    if (!receipt || !envelope?.ok || envelope.envelope.from !== me) return undefined;
    return { type: 'acked', id: m[2], by: m[1], ackedAt: receipt.ackedAt };
  }

  private ackStatus(e: Envelope): AckStatus {
    const { store } = this.opts;
    const receipt = store.get(keys.receipt(e.to, e.id));
    const parsed = receipt && parseJson(ReceiptSchema, receipt.value);
    if (parsed) return { id: e.id, to: e.to, acked: true, ackedAt: parsed.ackedAt };
    // Agents that follow the reference only write `ack:<me>` = the newest id they processed, in time order.
    const last = store.get(keys.ack(e.to));
    if (last) {
      const lastMs = idMillis(last.value);
      const ms = idMillis(e.id);
      if (last.value === e.id || (lastMs !== undefined && ms !== undefined && lastMs >= ms)) {
        return { id: e.id, to: e.to, acked: true, ackedAt: last.updatedAt };
      }
    }
    return { id: e.id, to: e.to, acked: false };
  }

  private receiptOps(me: string, id: string, ackedAt: number): ContextOp[] {
    const ttlSeconds = this.opts.config().ackTtlSeconds;
    const ops: ContextOp[] = [
      {
        op: 'set',
        key: keys.receipt(me, id),
        value: JSON.stringify({ id, by: me, ackedAt }),
        ttlSeconds,
      },
    ];
    // `ack:<me>` only moves forward: acknowledging an older message late must not hide a newer one.
    const current = this.opts.store.get(keys.ack(me));
    const currentMs = current && idMillis(current.value);
    const ms = idMillis(id);
    if (currentMs === undefined || ms === undefined || ms >= currentMs) {
      ops.push({ op: 'set', key: keys.ack(me), value: id, ttlSeconds });
    }
    return ops;
  }

  private normalizeFilter(text: string): string {
    return formatAddress(parseAddress(text, this.opts.host));
  }

  private assertReachable(address: Address): void {
    if (address.host !== this.opts.host) {
      throw new BadInput(
        `Cannot reach "${address.host}": peers are not available yet, so only this machine ` +
          `("${this.opts.host}" or "local", optionally with "/<agent>") can receive messages and tasks.`,
      );
    }
  }
}

const idMismatch = "the envelope's id does not match its key";

function toInboxMessage(
  entry: ContextEntry,
  id: string,
  read: boolean,
): InboxMessage | SkippedEntry {
  const parsed = parseEnvelope(entry.value);
  if (!parsed.ok) return { key: entry.key, reason: parsed.reason };
  if (parsed.envelope.id !== id) return { key: entry.key, reason: idMismatch };
  const readAt = read ? (parseJson(ReadAtSchema, entry.value)?.readAt ?? entry.updatedAt) : null;
  return { ...parsed.envelope, key: entry.key, readAt, expiresAt: entry.expiresAt };
}

function parseJson<T>(schema: z.ZodType<T>, value: string): T | undefined {
  try {
    const parsed = schema.safeParse(JSON.parse(value));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

function byTimeThenId(a: Envelope, b: Envelope): number {
  return a.ts - b.ts || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}
