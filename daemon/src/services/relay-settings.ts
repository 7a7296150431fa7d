// Owns relay.json: which relay this daemon uses and its device credential there (0600; the secret never leaves it).
import { z } from 'zod';
import { readFileIfExists, writePrivateFileAtomic } from './private-files.js';

export const RelaySettingsSchema = z.object({
  url: z.url(),
  deviceId: z.string().min(1).max(100),
  deviceSecret: z.string().min(20).max(200),
  /** True when the daemon hosts this relay itself (embedded on its own port). */
  embedded: z.boolean().default(false),
});
export type RelaySettings = z.infer<typeof RelaySettingsSchema>;

export function readRelaySettings(file: string): RelaySettings | undefined {
  const text = readFileIfExists(file);
  if (text === undefined) return undefined;
  try {
    const parsed = RelaySettingsSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

export function writeRelaySettings(file: string, settings: RelaySettings): void {
  writePrivateFileAtomic(file, `${JSON.stringify(settings, null, 2)}\n`);
}

/** Registers this machine as a device at a relay; returns its credential there. */
export async function registerDevice(
  url: string,
  registrationSecret?: string,
): Promise<{ deviceId: string; deviceSecret: string }> {
  const base = url.replace(/\/$/, '');
  let res: Response;
  try {
    res = await fetch(`${base}/relay/v1/devices`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(registrationSecret ? { 'x-loopsy-registration': registrationSecret } : {}),
      },
      body: '{}',
      signal: AbortSignal.timeout(10_000),
    });
  } catch (err) {
    throw new Error(
      `Cannot reach the relay at ${base}: ${(err as Error).message}. Check the URL and that it runs.`,
      { cause: err },
    );
  }
  const body = (await res.json().catch(() => ({}))) as {
    deviceId?: unknown;
    deviceSecret?: unknown;
    error?: { message?: string };
  };
  if (!res.ok || typeof body.deviceId !== 'string' || typeof body.deviceSecret !== 'string') {
    throw new Error(
      `The relay at ${base} refused to register this machine (${res.status}): ${body.error?.message ?? 'no reason given'}.`,
    );
  }
  return { deviceId: body.deviceId, deviceSecret: body.deviceSecret };
}
