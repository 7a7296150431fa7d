// Owns the paired laptops this phone remembers: their PhoneCredentials in IndexedDB, one record per deviceId.
import type { PhoneCredentials } from '@loopsy/client-sdk';

export interface PairedLaptop {
  deviceId: string;
  credentials: PhoneCredentials;
  /** When this phone paired (ms since epoch). */
  pairedAt: number;
}

const DB_NAME = 'loopsy';
const DB_VERSION = 1;
const STORE = 'laptops';

const CREDENTIAL_FIELDS = [
  'relayUrl',
  'deviceId',
  'phoneId',
  'phoneSecret',
  'daemonPublicKey',
  'phonePublicKey',
  'phonePrivateKey',
  'name',
] as const satisfies readonly (keyof PhoneCredentials)[];

/** Whether a value read back from storage is a complete set of credentials (strings only, nothing missing). */
export function isPhoneCredentials(value: unknown): value is PhoneCredentials {
  if (typeof value !== 'object' || value === null) return false;
  const record = value as Record<string, unknown>;
  return CREDENTIAL_FIELDS.every((f) => typeof record[f] === 'string' && record[f] !== '');
}

/** The record stored for a laptop: only the credential fields, so nothing stray is persisted. */
export function toRecord(credentials: PhoneCredentials, pairedAt: number): PairedLaptop {
  const copy = Object.fromEntries(CREDENTIAL_FIELDS.map((f) => [f, credentials[f]]));
  return {
    deviceId: credentials.deviceId,
    credentials: copy as unknown as PhoneCredentials,
    pairedAt,
  };
}

/** A stored record, checked; undefined when it is damaged or from an incompatible version. */
export function fromRecord(value: unknown): PairedLaptop | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { deviceId, credentials, pairedAt } = value as Record<string, unknown>;
  if (typeof deviceId !== 'string' || !isPhoneCredentials(credentials)) return undefined;
  if (credentials.deviceId !== deviceId) return undefined;
  return { deviceId, credentials, pairedAt: typeof pairedAt === 'number' ? pairedAt : 0 };
}

/** A short label for a laptop in lists: its relay's host and the start of its device id. */
export function laptopLabel(laptop: PairedLaptop): string {
  let host = laptop.credentials.relayUrl;
  try {
    host = new URL(laptop.credentials.relayUrl).host;
  } catch {
    // keep the raw URL
  }
  return `${host} · ${laptop.deviceId.slice(0, 8)}`;
}

function openDb(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, DB_VERSION);
    req.onupgradeneeded = () => {
      if (!req.result.objectStoreNames.contains(STORE))
        req.result.createObjectStore(STORE, { keyPath: 'deviceId' });
    };
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error ?? new Error('IndexedDB could not open.'));
  });
}

async function run<T>(
  mode: IDBTransactionMode,
  act: (store: IDBObjectStore) => IDBRequest<T>,
): Promise<T> {
  const db = await openDb();
  try {
    return await new Promise<T>((resolve, reject) => {
      const tx = db.transaction(STORE, mode);
      const req = act(tx.objectStore(STORE));
      tx.oncomplete = () => resolve(req.result);
      tx.onerror = () => reject(tx.error ?? new Error('IndexedDB transaction failed.'));
      tx.onabort = () => reject(tx.error ?? new Error('IndexedDB transaction aborted.'));
    });
  } finally {
    db.close();
  }
}

/** Every paired laptop, most recently paired first; damaged records are skipped. */
export async function listLaptops(): Promise<PairedLaptop[]> {
  const rows = await run('readonly', (s) => s.getAll());
  return rows
    .map(fromRecord)
    .filter((r): r is PairedLaptop => r !== undefined)
    .sort((a, b) => b.pairedAt - a.pairedAt);
}

export async function getLaptop(deviceId: string): Promise<PairedLaptop | undefined> {
  return fromRecord(await run('readonly', (s) => s.get(deviceId)));
}

/** Saves (or replaces, when the laptop was paired before) this phone's credentials for a laptop. */
export async function saveLaptop(credentials: PhoneCredentials, now = Date.now()): Promise<void> {
  await run('readwrite', (s) => s.put(toRecord(credentials, now)));
}

/** Forgets one laptop on this phone (the laptop still lists the phone until `loopsy phone revoke`). */
export async function forgetLaptop(deviceId: string): Promise<void> {
  await run('readwrite', (s) => s.delete(deviceId));
}
