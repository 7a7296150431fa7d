// Owns one SDK client per paired laptop for this tab, and the tab's stable viewer id.
import { createLoopsyClient, type LoopsyClient, type PhoneCredentials } from '@loopsy/client-sdk';

/** What the connection indicator shows. */
export type ConnectionState = 'connecting' | 'connected' | 'reconnecting' | 'offline';

const clients = new Map<string, LoopsyClient>();

/** The client for a laptop, reused across screens so one tunnel carries every call and subscription. */
export function clientFor(credentials: PhoneCredentials): LoopsyClient {
  let client = clients.get(credentials.deviceId);
  if (!client) {
    client = createLoopsyClient({ relay: credentials });
    clients.set(credentials.deviceId, client);
  }
  return client;
}

/** Closes a laptop's client (after forgetting it). */
export async function closeClient(deviceId: string): Promise<void> {
  const client = clients.get(deviceId);
  clients.delete(deviceId);
  await client?.close();
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
