// Owns the daemon's static X25519 key for end-to-end sessions: created once, kept 0600 like an SSH host key.
import { z } from 'zod';
import {
  fromBase64Url,
  generateKeyPair,
  keyPairFromPrivate,
  toBase64Url,
  type KeyPair,
} from '@loopsy/relay/e2e';
import { readFileIfExists, writePrivateFileAtomic } from './private-files.js';

const KeyFileSchema = z.object({ version: z.literal(1), privateKey: z.string().min(40) });

export function loadOrCreateStaticKey(file: string): KeyPair {
  const text = readFileIfExists(file);
  if (text !== undefined) {
    const parsed = KeyFileSchema.safeParse(JSON.parse(text));
    if (!parsed.success) {
      throw new Error(
        `${file} is not a Loopsy key file. Move it away to create a new key (paired phones must pair again).`,
      );
    }
    return keyPairFromPrivate(fromBase64Url(parsed.data.privateKey));
  }
  const keys = generateKeyPair();
  writePrivateFileAtomic(
    file,
    `${JSON.stringify({ version: 1, privateKey: toBase64Url(keys.privateKey) })}\n`,
  );
  return keys;
}
