import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { hashSecret } from '../core/index.js';
import { RELAY_DB_FILE, RELAY_KEY_FILE, openRelayStore, type RelayStore } from './store.js';

const dirs: string[] = [];
const stores: RelayStore[] = [];
afterEach(() => {
  for (const s of stores.splice(0)) s.close();
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'loopsy-relay-store-'));
  dirs.push(dir);
  return path.join(dir, 'relay');
}

function open(opts: Parameters<typeof openRelayStore>[0]): RelayStore {
  const s = openRelayStore(opts);
  stores.push(s);
  return s;
}

describe('relay store', () => {
  it('keeps private files in a private folder, in WAL mode', () => {
    const dataDir = tempDir();
    const store = open({ dataDir });
    store.createDevice();
    expect(fs.statSync(dataDir).mode & 0o777).toBe(0o700);
    for (const f of [
      RELAY_DB_FILE,
      `${RELAY_DB_FILE}-wal`,
      `${RELAY_DB_FILE}-shm`,
      RELAY_KEY_FILE,
    ]) {
      expect(fs.statSync(path.join(dataDir, f)).mode & 0o777, f).toBe(0o600);
    }
    store.close();
    const db = new Database(path.join(dataDir, RELAY_DB_FILE), { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    db.close();
    expect(fs.readdirSync(dataDir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('stores device and phone secrets only as SHA-256 hashes', () => {
    const dataDir = tempDir();
    const store = open({ dataDir });
    const { deviceId, deviceSecret } = store.createDevice();
    const { phoneId, phoneSecret } = store.createPhone(deviceId);
    store.close();
    const db = new Database(path.join(dataDir, RELAY_DB_FILE), { readonly: true });
    const device = db.prepare('SELECT * FROM devices').get() as Record<string, unknown>;
    const phone = db.prepare('SELECT * FROM phones').get() as Record<string, unknown>;
    db.close();
    expect(device).toMatchObject({ id: deviceId, secret_hash: hashSecret(deviceSecret) });
    expect(phone).toMatchObject({
      id: phoneId,
      device_id: deviceId,
      secret_hash: hashSecret(phoneSecret),
    });
    const everything = fs.readdirSync(dataDir).map((f) => fs.readFileSync(path.join(dataDir, f)));
    for (const content of everything) {
      expect(content.includes(deviceSecret)).toBe(false);
      expect(content.includes(phoneSecret)).toBe(false);
    }
  });

  it('authenticates devices and finds phones by secret', () => {
    const store = open({});
    const { deviceId, deviceSecret } = store.createDevice();
    expect(store.authenticateDevice(deviceId, deviceSecret)).toBe(true);
    expect(store.authenticateDevice(deviceId, `${deviceSecret}x`)).toBe(false);
    expect(store.authenticateDevice('A'.repeat(22), deviceSecret)).toBe(false);
    expect(store.deviceExists(deviceId)).toBe(true);
    expect(store.deviceExists('A'.repeat(22))).toBe(false);
    const { phoneId, phoneSecret } = store.createPhone(deviceId);
    expect(store.phoneBySecret(phoneSecret)).toEqual({ phoneId, deviceId });
    expect(store.phoneBySecret('nope')).toBeUndefined();
    const other = store.createDevice();
    expect(store.removePhone(other.deviceId, phoneId)).toBe(false);
    expect(store.removePhone(deviceId, phoneId)).toBe(true);
    expect(store.removePhone(deviceId, phoneId)).toBe(false);
    expect(store.phoneBySecret(phoneSecret)).toBeUndefined();
    expect(() => store.createPhone('A'.repeat(22))).toThrow(/FOREIGN KEY/);
  });

  it('uses a nonce once and forgets it after it expires', () => {
    let t = 1_700_000_000_000;
    const dataDir = tempDir();
    const store = open({ dataDir, now: () => t });
    const exp = t / 1000 + 60;
    expect(store.useNonce('n1', exp)).toBe(true);
    expect(store.useNonce('n1', exp)).toBe(false);
    expect(store.useNonce('n2', exp + 600)).toBe(true);
    t += 120_000;
    expect(store.useNonce('n3', t / 1000 + 60)).toBe(true);
    store.close();
    const db = new Database(path.join(dataDir, RELAY_DB_FILE), { readonly: true });
    const nonces = db.prepare('SELECT nonce FROM used_nonces ORDER BY nonce').all();
    db.close();
    expect(nonces).toEqual([{ nonce: 'n2' }, { nonce: 'n3' }]);
  });

  it('keeps the token key and the data across reopen', () => {
    const dataDir = tempDir();
    const first = open({ dataDir });
    const key = first.pairKey;
    const { deviceId, deviceSecret } = first.createDevice();
    first.useNonce('used', Math.floor(Date.now() / 1000) + 600);
    first.close();
    const second = open({ dataDir });
    expect(second.pairKey).toEqual(key);
    expect(key).toHaveLength(32);
    expect(second.authenticateDevice(deviceId, deviceSecret)).toBe(true);
    expect(second.useNonce('used', Math.floor(Date.now() / 1000) + 600)).toBe(false);
  });

  it('refuses a corrupt key file with advice', () => {
    const dataDir = tempDir();
    fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(path.join(dataDir, RELAY_KEY_FILE), 'short\n', { mode: 0o600 });
    expect(() => openRelayStore({ dataDir })).toThrow(/not a relay key.*Delete it/);
  });

  it('keeps everything in memory without a data folder', () => {
    const a = open({});
    const b = open({});
    expect(a.pairKey).not.toEqual(b.pairKey);
    const { deviceId } = a.createDevice();
    expect(b.deviceExists(deviceId)).toBe(false);
  });
});
