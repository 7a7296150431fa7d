// Owns the schema history: migration N (1-based) is MIGRATIONS[N-1]; never edit a shipped entry, append one.
export const MIGRATIONS: readonly string[] = [
  `CREATE TABLE meta (
     key TEXT PRIMARY KEY,
     value TEXT NOT NULL
   );
   CREATE TABLE credentials (
     id TEXT PRIMARY KEY,
     kind TEXT NOT NULL CHECK (kind IN ('peer', 'phone', 'session')),
     name TEXT NOT NULL,
     secret_hash BLOB NOT NULL,
     created_at INTEGER NOT NULL,
     expires_at INTEGER,
     revoked_at INTEGER
   );
   CREATE INDEX credentials_kind ON credentials(kind);`,
  `CREATE TABLE phones (
     id TEXT PRIMARY KEY,
     name TEXT NOT NULL,
     static_key BLOB NOT NULL UNIQUE,
     relay_url TEXT NOT NULL,
     relay_phone_id TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     last_seen_at INTEGER,
     revoked_at INTEGER
   );`,
  // 3: the context store (keys are the agents' wire format; values are UTF-8 text up to 1 MiB).
  `CREATE TABLE context_entries (
     key TEXT PRIMARY KEY,
     value TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     updated_at INTEGER NOT NULL,
     expires_at INTEGER,
     updated_by TEXT NOT NULL
   );
   CREATE INDEX context_entries_expiry ON context_entries(expires_at) WHERE expires_at IS NOT NULL;`,
];
