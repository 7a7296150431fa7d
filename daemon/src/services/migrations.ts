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
];
