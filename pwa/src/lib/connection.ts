// Owns one SDK client per laptop for this tab (through the relay as a paired phone, or direct on the laptop
// itself with a dashboard session), and the tab's stable viewer id.
import { createLoopsyClient, type LoopsyClient, type PhoneCredentials } from '@loopsy/client-sdk';
import type { LocalSession } from './dashboard/local-session.js';

export type { ConnectionState } from './connection-state.js';

const clients = new Map<string, LoopsyClient>();

/** The client for a paired laptop, reused across screens so one tunnel carries every call and stream. */
export function clientFor(credentials: PhoneCredentials): LoopsyClient {
  let client = clients.get(credentials.deviceId);
  if (!client) {
    client = createLoopsyClient({ relay: credentials });
    clients.set(credentials.deviceId, client);
  }
  return client;
}

function localKey(session: LocalSession): string {
  return `local:${session.token}`;
}

/** The client for the laptop this page is served by, with a dashboard session's credential. */
export function localClient(session: LocalSession): LoopsyClient {
  const key = localKey(session);
  let client = clients.get(key);
  if (!client) {
    client = createLoopsyClient({ url: location.origin, apiKey: session.token, transport: 'ws' });
    clients.set(key, client);
  }
  return client;
}

/** Closes a laptop's client (after forgetting it, or logging out). */
export async function closeClient(key: string): Promise<void> {
  const client = clients.get(key);
  clients.delete(key);
  await client?.close();
}

/** Ends a dashboard session on the laptop (its credential is revoked there), then closes its client. */
export async function logoutLocal(session: LocalSession): Promise<void> {
  try {
    await localClient(session).auth.logout.mutate();
  } finally {
    await closeClient(localKey(session));
  }
}

const VIEWER_KEY = 'loopsy.viewerId';

/** An id for this tab that survives reloads (sessionStorage), so the daemon sees one viewer, not many. */
export function viewerId(): string {
  let id = sessionStorage.getItem(VIEWER_KEY);
  if (!id) {
    // crypto.randomUUID needs a secure context; a phone on the LAN over http has none.
    const bytes = crypto.getRandomValues(new Uint8Array(12));
    id = `pwa-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
    sessionStorage.setItem(VIEWER_KEY, id);
  }
  return id;
}

/** A message for an error thrown by the SDK or the daemon. */
export function errorMessage(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
