import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase, schemaVersion } from './database.js';
import { MIGRATIONS } from './migrations.js';
import { loadNodeIdentity } from './node-identity.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function tempDb(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-db-'));
  dirs.push(dir);
  return path.join(dir, 'loopsy.db');
}

describe('database', () => {
  it('opens in WAL mode, private, with every migration applied', () => {
    const file = tempDb();
    const db = openDatabase(file);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    // FULL (2): each commit is fsynced, so an acknowledged write survives kill -9 and power loss.
    expect(db.pragma('synchronous', { simple: true })).toBe(2);
    expect(schemaVersion(db)).toBe(MIGRATIONS.length);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    db.close();
  });

  it('keeps the node id across reopen (a daemon restart)', () => {
    const file = tempDb();
    const first = openDatabase(file);
    const id = loadNodeIdentity(first).nodeId;
    first.close();
    const second = openDatabase(file);
    expect(loadNodeIdentity(second).nodeId).toBe(id);
    expect(schemaVersion(second)).toBe(MIGRATIONS.length);
    second.close();
  });

  it('refuses a database from a newer Loopsy', () => {
    const file = tempDb();
    const db = openDatabase(file);
    db.pragma(`user_version = ${MIGRATIONS.length + 1}`);
    db.close();
    expect(() => openDatabase(file)).toThrow(/newer than this Loopsy/);
  });
});
