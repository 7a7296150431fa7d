// Owns finding the laptop a screen was opened for (its ?d= parameter): a paired one (through the relay), or
// `local`, the laptop serving this page, reached with a dashboard session.
import { base } from '$app/paths';
import type { LoopsyClient } from '@loopsy/client-sdk';
import { clientFor, localClient } from './connection.js';
import { loadLocalSession } from './dashboard/local-session.js';
import { getLaptop, laptopLabel } from './pairing/store.js';

export const LOCAL_ID = 'local';

export interface OpenLaptop {
  id: string;
  label: string;
  kind: 'phone' | 'local';
  client: LoopsyClient;
}

export async function laptopFromUrl(url: URL): Promise<OpenLaptop | undefined> {
  const id = url.searchParams.get('d');
  if (!id) return undefined;
  if (id === LOCAL_ID) {
    const session = loadLocalSession();
    if (!session) return undefined;
    return { id, label: location.host, kind: 'local', client: localClient(session) };
  }
  const paired = await getLaptop(id);
  if (!paired) return undefined;
  return {
    id,
    label: laptopLabel(paired),
    kind: 'phone',
    client: clientFor(paired.credentials),
  };
}

/** The app's URL for a screen of one laptop, e.g. laptopHref('sessions', id). */
export function laptopHref(screen: string, id: string, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams({ d: id, ...extra });
  return `${base}/${screen}?${params.toString()}`;
}
