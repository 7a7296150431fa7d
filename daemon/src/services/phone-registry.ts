// Owns the phones paired with this machine: their E2E static keys, relay ids, and revocation.
import { randomBytes } from 'node:crypto';
import type { Db } from './database.js';

export interface PhoneInfo {
  id: string;
  name: string;
  relayUrl: string;
  relayPhoneId: string;
  createdAt: number;
  lastSeenAt: number | null;
  revokedAt: number | null;
}

interface PhoneRow {
  id: string;
  name: string;
  static_key: Buffer;
  relay_url: string;
  relay_phone_id: string;
  created_at: number;
  last_seen_at: number | null;
  revoked_at: number | null;
}

export class PhoneRegistry {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  add(input: {
    name: string;
    staticKey: Uint8Array;
    relayUrl: string;
    relayPhoneId: string;
  }): PhoneInfo {
    const id = randomBytes(8).toString('hex');
    // A phone that pairs again with the same key replaces its old record.
    this.db.prepare('DELETE FROM phones WHERE static_key = ?').run(Buffer.from(input.staticKey));
    this.db
      .prepare(
        'INSERT INTO phones (id, name, static_key, relay_url, relay_phone_id, created_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(
        id,
        input.name,
        Buffer.from(input.staticKey),
        input.relayUrl,
        input.relayPhoneId,
        this.now(),
      );
    return this.get(id) as PhoneInfo;
  }

  get(id: string): PhoneInfo | undefined {
    const row = this.db.prepare('SELECT * FROM phones WHERE id = ?').get(id) as
      PhoneRow | undefined;
    return row && toInfo(row);
  }

  /** The active (not revoked) phone that holds this static key. */
  findByStaticKey(key: Uint8Array): PhoneInfo | undefined {
    const row = this.db
      .prepare('SELECT * FROM phones WHERE static_key = ? AND revoked_at IS NULL')
      .get(Buffer.from(key)) as PhoneRow | undefined;
    return row && toInfo(row);
  }

  list(): PhoneInfo[] {
    return (this.db.prepare('SELECT * FROM phones ORDER BY created_at').all() as PhoneRow[]).map(
      toInfo,
    );
  }

  markSeen(id: string): void {
    this.db.prepare('UPDATE phones SET last_seen_at = ? WHERE id = ?').run(this.now(), id);
  }

  revoke(id: string): PhoneInfo | undefined {
    this.db
      .prepare('UPDATE phones SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
      .run(this.now(), id);
    return this.get(id);
  }

  count(): number {
    return (
      this.db.prepare('SELECT COUNT(*) AS n FROM phones WHERE revoked_at IS NULL').get() as {
        n: number;
      }
    ).n;
  }
}

function toInfo(row: PhoneRow): PhoneInfo {
  return {
    id: row.id,
    name: row.name,
    relayUrl: row.relay_url,
    relayPhoneId: row.relay_phone_id,
    createdAt: row.created_at,
    lastSeenAt: row.last_seen_at,
    revokedAt: row.revoked_at,
  };
}
