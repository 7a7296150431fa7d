// Owns finding the laptop a screen was opened for (its ?d= parameter) among the paired ones.
import { getLaptop, type PairedLaptop } from './pairing/store.js';

export async function laptopFromUrl(url: URL): Promise<PairedLaptop | undefined> {
  const deviceId = url.searchParams.get('d');
  if (!deviceId) return undefined;
  return getLaptop(deviceId);
}
