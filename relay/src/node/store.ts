// Owns the relay's persistent state: devices, phones (secrets only as SHA-256), used pair nonces, the token key.
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import {
  fromBase64Url,
  hashSecret,
  randomBytes,
  randomId,
  randomSecret,
  secretMatches,
  toBase64Url,
} from '../core/index.js';
import { createPrivateFileOnce, ensurePrivateDir, readFileIfExists } from './private-files.js';

export const RELAY_DB_FILE = 'relay.db';
export const RELAY_KEY_FILE = 'relay-key';

const MIGRATIONS: readonly string[] = [
  `CREATE TABLE devices (
     id TEXT PRIMARY KEY,
     secret_hash TEXT NOT NULL,
     created_at INTEGER NOT NULL
   );
   CREATE TABLE phones (
     id TEXT PRIMARY KEY,
     device_id TEXT NOT NULL REFERENCES devices(id) ON DELETE CASCADE,
     secret_hash TEXT NOT NULL UNIQUE,
     name TEXT,
     created_at INTEGER NOT NULL
   );
   CREATE INDEX phones_device ON phones(device_id);
   CREATE TABLE used_nonces (
     nonce TEXT PRIMARY KEY,
     exp INTEGER NOT NULL
   );
   CREATE INDEX used_nonces_exp ON used_nonces(exp);`,
];

/** Compared against when a device id is unknown, so both answers take the same work. */
const NO_DEVICE_HASH = hashSecret('no such device');

export interface RelayStoreOptions {
  /** Folder for `relay.db` and `relay-key`; undefined keeps everything in memory (embedded relay, tests). */
  dataDir?: string | undefined;
  now?: () => number;
}

export interface RelayStore {
  /** The HMAC key of pair tokens. */
  readonly pairKey: Uint8Array;
  createDevice(): { deviceId: string; deviceSecret: string };
  deviceExists(deviceId: string): boolean;
  authenticateDevice(deviceId: string, secret: string): boolean;
  createPhone(deviceId: string, name?: string): { phoneId: string; phoneSecret: string };
  /** The phone a secret belongs to; undefined for unknown or removed phones. */
  phoneBySecret(secret: string): { phoneId: string; deviceId: string } | undefined;
  /** Deletes one of the device's phones; false when it has no such phone. */
  removePhone(deviceId: string, phoneId: string): boolean;
  /** Marks a pair-token nonce used until `expSeconds`; false when it was already used. */
  useNonce(nonce: string, expSeconds: number): boolean;
  close(): void;
}

export function openRelayStore(opts: RelayStoreOptions = {}): RelayStore {
  const now = opts.now ?? Date.now;
  const db = opts.dataDir === undefined ? openMemory() : openFile(opts.dataDir);
  const pairKey = opts.dataDir === undefined ? randomBytes(32) : loadKey(opts.dataDir);

  const insertDevice = db.prepare(
    'INSERT INTO devices (id, secret_hash, created_at) VALUES (?, ?, ?)',
  );
  const selectDevice = db.prepare<[string], { secret_hash: string }>(
    'SELECT secret_hash FROM devices WHERE id = ?',
  );
  const insertPhone = db.prepare(
    'INSERT INTO phones (id, device_id, secret_hash, name, created_at) VALUES (?, ?, ?, ?, ?)',
  );
  const selectPhone = db.prepare<[string], { id: string; device_id: string }>(
    'SELECT id, device_id FROM phones WHERE secret_hash = ?',
  );
  const deletePhone = db.prepare('DELETE FROM phones WHERE id = ? AND device_id = ?');
  const insertNonce = db.prepare('INSERT OR IGNORE INTO used_nonces (nonce, exp) VALUES (?, ?)');
  const deleteExpiredNonces = db.prepare('DELETE FROM used_nonces WHERE exp <= ?');
  let lastCleanup = 0;

  return {
    pairKey,
    createDevice() {
      const deviceId = randomId();
      const deviceSecret = randomSecret();
      insertDevice.run(deviceId, hashSecret(deviceSecret), now());
      return { deviceId, deviceSecret };
    },
    deviceExists(deviceId) {
      return selectDevice.get(deviceId) !== undefined;
    },
    authenticateDevice(deviceId, secret) {
      const row = selectDevice.get(deviceId);
      const matches = secretMatches(secret, row?.secret_hash ?? NO_DEVICE_HASH);
      return row !== undefined && matches;
    },
    createPhone(deviceId, name) {
      const phoneId = randomId();
      const phoneSecret = randomSecret();
      insertPhone.run(phoneId, deviceId, hashSecret(phoneSecret), name ?? null, now());
      return { phoneId, phoneSecret };
    },
    phoneBySecret(secret) {
      // Looking up by hash is safe: the index sees SHA-256 of a 256-bit secret, which says nothing of it.
      const row = selectPhone.get(hashSecret(secret));
      return row ? { phoneId: row.id, deviceId: row.device_id } : undefined;
    },
    removePhone(deviceId, phoneId) {
      return deletePhone.run(phoneId, deviceId).changes > 0;
    },
    useNonce(nonce, expSeconds) {
      const t = now();
      // Expired nonces can be forgotten: their tokens fail the expiry check before the nonce is looked at.
      if (t - lastCleanup >= 60_000) {
        lastCleanup = t;
        deleteExpiredNonces.run(Math.floor(t / 1000));
      }
      return insertNonce.run(nonce, expSeconds).changes === 1;
    },
    close() {
      if (db.open) db.close();
    },
  };
}

function openFile(dataDir: string): Database.Database {
  ensurePrivateDir(dataDir);
  const file = path.join(dataDir, RELAY_DB_FILE);
  // Created 0600 before SQLite opens it; SQLite gives its -wal and -shm files the database file's mode.
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  fs.chmodSync(file, 0o600);
  const db = new Database(file);
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    migrate(db);
  } catch (err) {
    db.close();
    throw err;
  }
  return db;
}

function openMemory(): Database.Database {
  const db = new Database(':memory:');
  db.pragma('foreign_keys = ON');
  migrate(db);
  return db;
}

function migrate(db: Database.Database): void {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > MIGRATIONS.length) {
    throw new Error(
      `The relay database (schema ${current}) is newer than this Loopsy relay (knows ${MIGRATIONS.length}). Upgrade Loopsy or use another data folder.`,
    );
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    const sql = MIGRATIONS[v];
    if (sql === undefined) continue;
    db.transaction(() => {
      db.exec(sql);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

function loadKey(dataDir: string): Uint8Array {
  const file = path.join(dataDir, RELAY_KEY_FILE);
  const text =
    readFileIfExists(file) ?? createPrivateFileOnce(file, `${toBase64Url(randomBytes(32))}\n`);
  const key = fromBase64Url(text.trim());
  if (!key || key.length !== 32) {
    throw new Error(
      `${file} is not a relay key (32 bytes, base64url). Delete it to make a new one; pair tokens already handed out then stop working.`,
    );
  }
  return key;
}
