// Owns credentials issued to other parties (peers, phones, short-lived sessions): stored only as SHA-256 hashes.
import { randomBytes } from 'node:crypto';
import type { Db } from './database.js';
import { randomSecret, secretMatchesHash, sha256 } from './secrets.js';

export type CredentialKind = 'peer' | 'phone' | 'session';

export interface CredentialInfo {
  id: string;
  kind: CredentialKind;
  name: string;
  createdAt: number;
  expiresAt: number | null;
  revokedAt: number | null;
}

interface CredentialRow {
  id: string;
  kind: CredentialKind;
  name: string;
  secret_hash: Buffer;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
}

const TOKEN_PATTERN = /^lpc_([0-9a-f]{16})\.([A-Za-z0-9_-]{43})$/;

export class CredentialStore {
  constructor(
    private readonly db: Db,
    private readonly now: () => number = Date.now,
  ) {}

  /** Creates a credential and returns its token; the token is shown once and never stored. */
  issue(
    kind: CredentialKind,
    name: string,
    ttlMs?: number,
  ): { info: CredentialInfo; token: string } {
    const id = randomBytes(8).toString('hex');
    const secret = randomSecret(32);
    const createdAt = this.now();
    const expiresAt = ttlMs === undefined ? null : createdAt + ttlMs;
    this.db
      .prepare(
        'INSERT INTO credentials (id, kind, name, secret_hash, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?)',
      )
      .run(id, kind, name, sha256(secret), createdAt, expiresAt);
    return {
      info: { id, kind, name, createdAt, expiresAt, revokedAt: null },
      token: `lpc_${id}.${secret}`,
    };
  }

  /** Returns the credential a token proves, or undefined for a malformed, unknown, revoked or expired one. */
  verify(token: string): CredentialInfo | undefined {
    const m = TOKEN_PATTERN.exec(token);
    if (!m) return undefined;
    const [, id, secret] = m;
    const row = this.db.prepare('SELECT * FROM credentials WHERE id = ?').get(id) as
      CredentialRow | undefined;
    if (!row || secret === undefined || !secretMatchesHash(secret, row.secret_hash))
      return undefined;
    if (row.revoked_at !== null) return undefined;
    if (row.expires_at !== null && row.expires_at <= this.now()) return undefined;
    return toInfo(row);
  }

  /** Whether a credential verified earlier (e.g. when a WebSocket opened) is still unrevoked and unexpired. */
  isActive(id: string): boolean {
    const row = this.db
      .prepare('SELECT revoked_at, expires_at FROM credentials WHERE id = ?')
      .get(id) as Pick<CredentialRow, 'revoked_at' | 'expires_at'> | undefined;
    if (!row || row.revoked_at !== null) return false;
    return row.expires_at === null || row.expires_at > this.now();
  }

  list(kind?: CredentialKind): CredentialInfo[] {
    const rows = (
      kind === undefined
        ? this.db.prepare('SELECT * FROM credentials ORDER BY created_at').all()
        : this.db.prepare('SELECT * FROM credentials WHERE kind = ? ORDER BY created_at').all(kind)
    ) as CredentialRow[];
    return rows.map(toInfo);
  }

  revoke(id: string): boolean {
    const res = this.db
      .prepare('UPDATE credentials SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL')
      .run(this.now(), id);
    return res.changes > 0;
  }
}

function toInfo(row: CredentialRow): CredentialInfo {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    createdAt: row.created_at,
    expiresAt: row.expires_at,
    revokedAt: row.revoked_at,
  };
}
