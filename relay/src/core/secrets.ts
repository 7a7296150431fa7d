// Owns secret material for the relay core: random secrets and ids, SHA-256 storage hashes, constant-time compares.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { toBase64Url } from './base64url.js';

/** Ids in URLs and control frames (devices, phones, connections): base64url, never secret. */
export const ID_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;

export function randomBytes(length: number): Uint8Array {
  const out = new Uint8Array(length);
  crypto.getRandomValues(out);
  return out;
}

/** A bearer secret: 32 random bytes, base64url (43 characters). */
export function randomSecret(bytes = 32): string {
  return toBase64Url(randomBytes(bytes));
}

/** A fresh id: 16 random bytes, base64url (22 characters); unguessable so ids never need to be hidden. */
export function randomId(): string {
  return toBase64Url(randomBytes(16));
}

/** The form secrets are stored in: SHA-256 of the UTF-8 text, lowercase hex. */
export function hashSecret(secret: string): string {
  return bytesToHex(sha256(utf8ToBytes(secret)));
}

/** Compares digests, so neither the length nor the content of the secret leaks through timing. */
export function secretMatches(presented: string, storedHashHex: string): boolean {
  if (!/^[0-9a-f]{64}$/i.test(storedHashHex)) return false;
  return constantTimeEqual(sha256(utf8ToBytes(presented)), hexToBytes(storedHashHex));
}

/** Equal-length inputs take the same time whatever their content; lengths are treated as public. */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
