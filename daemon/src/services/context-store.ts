// Owns the context store: TTL'd key/value entries in SQLite, the entry cap, the expiry sweep and the change log.
import { NotFound, QuotaExceeded } from '../errors.js';
import { assertValueSize, KEY_UPPER } from './context-rules.js';
import type { Db } from './database.js';
import { EventLog, type LoggedEvent } from './event-log.js';

export interface ContextEntry {
  key: string;
  value: string;
  createdAt: number;
  updatedAt: number;
  /** When the entry stops existing (ms since the epoch), or null for never. */
  expiresAt: number | null;
  /** Who wrote it last: `owner`, `local`, or `<caller kind>:<name>` (e.g. `phone:pixel`). */
  updatedBy: string;
}

export type ContextChange =
  | { type: 'set'; key: string; entry: ContextEntry }
  | { type: 'delete'; key: string }
  | { type: 'expire'; key: string };

export type ContextResetReason = 'behind' | 'unknown-id';

/** What `onChange` yields: changes, plus where the stream starts (`ready`) and where it cannot resume (`reset`). */
export type ContextStreamEvent =
  | ContextChange
  | { type: 'ready' }
  | { type: 'reset'; reason: ContextResetReason; message: string };

/** One write of an atomic batch. `expiresAt` (absolute) wins over `ttlSeconds`; neither means "never". */
export type ContextOp =
  | { op: 'set'; key: string; value: string; ttlSeconds?: number; expiresAt?: number | null }
  | { op: 'delete'; key: string };

export interface ContextPage {
  entries: ContextEntry[];
  /** Pass back as `cursor` for the next page; absent on the last page. */
  nextCursor?: string;
}

export interface ContextStoreOptions {
  db: Db;
  now: () => number;
  /** Read on every write, so a config reload applies at once. */
  limits: () => { maxEntries: number };
  /** Change events kept for resumption (default 1000). */
  changeLogEvents?: number;
  /** And at most this much value text in them (default 32 MiB). */
  changeLogBytes?: number;
  /** How often expired entries are deleted (default 10 s); 0 turns the timer off (tests call sweep()). */
  sweepIntervalMs?: number;
}

/** A page of `list` carries at most this much value text; `limit` entries otherwise. */
const PAGE_VALUE_BYTES = 4 * 1024 * 1024;

interface Row {
  key: string;
  value: string;
  created_at: number;
  updated_at: number;
  expires_at: number | null;
  updated_by: string;
}

const LIVE = '(expires_at IS NULL OR expires_at > @now)';

export class ContextStore {
  /** Every committed change, with the persisted sequence number as its id. */
  readonly changes: EventLog<ContextChange>;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private readonly stmt: ReturnType<typeof prepareStatements>;

  constructor(private readonly opts: ContextStoreOptions) {
    const { db } = opts;
    this.now = opts.now;
    this.stmt = prepareStatements(db);
    const seq = Number(this.stmt.readSeq.get() ?? 0);
    this.changes = new EventLog<ContextChange>(opts.changeLogEvents ?? 1000, {
      startAfter: Number.isSafeInteger(seq) && seq > 0 ? seq : 0,
      maxBytes: opts.changeLogBytes ?? 32 * 1024 * 1024,
      sizeOf: (c) => 128 + 2 * (c.key.length + (c.type === 'set' ? c.entry.value.length : 0)),
    });
  }

  /** Starts the expiry sweep (unref'd: it never keeps the process alive). */
  start(): void {
    const every = this.opts.sweepIntervalMs ?? 10_000;
    if (every <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      try {
        this.sweep();
      } catch (err) {
        // A busy or failing disk must not take the daemon down; the next sweep tries again.
        process.stderr.write(`loopsy: context expiry sweep failed: ${String(err)}\n`);
      }
    }, every);
    this.timer.unref();
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  get(key: string): ContextEntry | undefined {
    const row = this.stmt.getLive.get({ key, now: this.now() }) as Row | undefined;
    return row && toEntry(row);
  }

  /** The entry, or NOT_FOUND (an expired entry does not exist). */
  require(key: string): ContextEntry {
    const entry = this.get(key);
    if (!entry) throw missingEntry(key);
    return entry;
  }

  set(key: string, value: string, by: string, ttlSeconds?: number): ContextEntry {
    const [entry] = this.apply(
      [{ op: 'set', key, value, ...(ttlSeconds !== undefined ? { ttlSeconds } : {}) }],
      by,
    );
    return entry as ContextEntry;
  }

  /** True when a live entry was deleted. */
  delete(key: string, by: string): boolean {
    return this.apply([{ op: 'delete', key }], by)[0] === true;
  }

  /**
   * Applies writes atomically, in one durable transaction: all of them or none. Returns, per op, the entry
   * written (set) or whether a live entry was deleted (delete). Change events go out after the commit.
   */
  apply(ops: readonly ContextOp[], by: string): Array<ContextEntry | boolean> {
    for (const op of ops) if (op.op === 'set') assertValueSize(op.key, op.value);
    const now = this.now();
    const changes: ContextChange[] = [];
    const results = this.opts.db.transaction(() => {
      const out: Array<ContextEntry | boolean> = [];
      for (const op of ops) {
        if (op.op === 'delete') {
          const deleted = this.stmt.deleteLive.run({ key: op.key, now }).changes > 0;
          if (deleted) changes.push({ type: 'delete', key: op.key });
          out.push(deleted);
          continue;
        }
        const existing = this.stmt.getLive.get({ key: op.key, now }) as Row | undefined;
        if (!existing) this.ensureRoom(now, changes);
        const entry: ContextEntry = {
          key: op.key,
          value: op.value,
          createdAt: existing?.created_at ?? now,
          updatedAt: now,
          expiresAt:
            op.expiresAt !== undefined
              ? op.expiresAt
              : op.ttlSeconds !== undefined
                ? now + op.ttlSeconds * 1000
                : null,
          updatedBy: by,
        };
        this.stmt.upsert.run(entry);
        changes.push({ type: 'set', key: op.key, entry });
        out.push(entry);
      }
      if (changes.length > 0) this.stmt.writeSeq.run({ seq: this.changes.lastId + changes.length });
      return out;
    })();
    for (const c of changes) this.changes.push(c);
    return results;
  }

  /** Entries ordered by key, after `cursor`, at most `limit` (and about 4 MiB of values) per page. */
  list(opts: { prefix?: string; limit: number; cursor?: string }): ContextPage {
    const prefix = opts.prefix ?? '';
    const rows = this.stmt.page.all({
      from: prefix,
      to: prefix + KEY_UPPER,
      after: opts.cursor !== undefined ? decodeCursor(opts.cursor) : '',
      limit: opts.limit + 1,
      now: this.now(),
    }) as Row[];
    const entries: ContextEntry[] = [];
    let bytes = 0;
    for (const row of rows.slice(0, opts.limit)) {
      if (entries.length > 0 && bytes + row.value.length > PAGE_VALUE_BYTES) break;
      bytes += row.value.length;
      entries.push(toEntry(row));
    }
    const last = entries.at(-1);
    return rows.length > entries.length && last
      ? { entries, nextCursor: encodeCursor(last.key) }
      : { entries };
  }

  /** Every live entry under `prefix`, in key order, page by page (for services that filter them). */
  *scan(prefix: string): Generator<ContextEntry> {
    let cursor: string | undefined;
    do {
      const page = this.list({ prefix, limit: 500, ...(cursor ? { cursor } : {}) });
      yield* page.entries;
      cursor = page.nextCursor;
    } while (cursor);
  }

  /** Live entries. */
  count(): number {
    return this.stmt.countLive.get({ now: this.now() }) as number;
  }

  /** Deletes expired entries and reports each as an `expire` change; returns how many. */
  sweep(): number {
    const changes: ContextChange[] = [];
    this.opts.db.transaction(() => {
      this.sweepInto(this.now(), changes);
      if (changes.length > 0) this.stmt.writeSeq.run({ seq: this.changes.lastId + changes.length });
    })();
    for (const c of changes) this.changes.push(c);
    return changes.length;
  }

  /**
   * The changes after `lastEventId` (exactly those, in order), then live ones, filtered by key prefix. Without
   * an id the stream starts with `ready` (its id marks the start); an id the log no longer holds, or never
   * issued, gets `reset`: the reader should list again, and continues from there.
   */
  async *follow(opts: {
    lastEventId?: number | undefined;
    prefix?: string | undefined;
    signal?: AbortSignal | undefined;
  }): AsyncGenerator<LoggedEvent<ContextStreamEvent>> {
    const log = this.changes;
    let cursor = opts.lastEventId ?? log.lastId;
    if (opts.lastEventId === undefined) {
      yield { id: cursor, event: { type: 'ready' } };
    } else if (opts.lastEventId > log.lastId) {
      cursor = log.lastId;
      yield { id: cursor, event: reset('unknown-id') };
    }
    while (!opts.signal?.aborted) {
      const { events, missed } = log.since(cursor);
      if (missed) {
        cursor = log.lastId;
        yield { id: cursor, event: reset('behind') };
        continue;
      }
      for (const e of events) {
        cursor = e.id;
        if (opts.prefix === undefined || e.event.key.startsWith(opts.prefix)) yield e;
      }
      if (events.length === 0) await log.next(opts.signal);
    }
  }

  private ensureRoom(now: number, changes: ContextChange[]): void {
    const { maxEntries } = this.opts.limits();
    if ((this.stmt.countAll.get() as number) < maxEntries) return;
    this.sweepInto(now, changes);
    if ((this.stmt.countAll.get() as number) < maxEntries) return;
    throw new QuotaExceeded(
      `The context store is full (${maxEntries} entries, context.maxEntries). Delete entries you no longer ` +
        'need (loopsy context delete), give entries a TTL, or raise context.maxEntries in config.yaml.',
    );
  }

  private sweepInto(now: number, changes: ContextChange[]): void {
    const keys = (this.stmt.deleteExpired.all({ now }) as Array<{ key: string }>)
      .map((r) => r.key)
      .sort();
    for (const key of keys) changes.push({ type: 'expire', key });
  }
}

function prepareStatements(db: Db) {
  return {
    getLive: db.prepare(`SELECT * FROM context_entries WHERE key = @key AND ${LIVE}`),
    upsert: db.prepare(
      `INSERT INTO context_entries (key, value, created_at, updated_at, expires_at, updated_by)
       VALUES (@key, @value, @createdAt, @updatedAt, @expiresAt, @updatedBy)
       ON CONFLICT(key) DO UPDATE SET value = excluded.value, created_at = excluded.created_at,
         updated_at = excluded.updated_at, expires_at = excluded.expires_at, updated_by = excluded.updated_by`,
    ),
    deleteLive: db.prepare(`DELETE FROM context_entries WHERE key = @key AND ${LIVE}`),
    deleteExpired: db.prepare('DELETE FROM context_entries WHERE expires_at <= @now RETURNING key'),
    countAll: db.prepare('SELECT count(*) AS n FROM context_entries').pluck(),
    countLive: db.prepare(`SELECT count(*) AS n FROM context_entries WHERE ${LIVE}`).pluck(),
    page: db.prepare(
      `SELECT * FROM context_entries
       WHERE key >= @from AND key < @to AND key > @after AND ${LIVE}
       ORDER BY key LIMIT @limit`,
    ),
    readSeq: db.prepare("SELECT value FROM meta WHERE key = 'context_seq'").pluck(),
    writeSeq: db.prepare(
      "INSERT INTO meta (key, value) VALUES ('context_seq', @seq) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
    ),
  };
}

/** NOT_FOUND for a key with no live entry. */
export function missingEntry(key: string): NotFound {
  return new NotFound(
    `No context entry "${key}" (it may have expired). List keys with \`loopsy context list\`.`,
  );
}

function reset(reason: ContextResetReason): ContextStreamEvent {
  return {
    type: 'reset',
    reason,
    message:
      reason === 'behind'
        ? 'Some changes were dropped from the change log before this reader got them; list the entries again.'
        : 'This event id was not issued by this store (another daemon or data folder); list the entries again.',
  };
}

function toEntry(row: Row): ContextEntry {
  return {
    key: row.key,
    value: row.value,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    expiresAt: row.expires_at,
    updatedBy: row.updated_by,
  };
}

/** Cursors are opaque to clients: the last key of the page, base64url-encoded. */
function encodeCursor(key: string): string {
  return Buffer.from(key, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): string {
  return Buffer.from(cursor, 'base64url').toString('utf8');
}
