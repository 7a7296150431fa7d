// Owns secret material primitives: generation, hashing for storage, and constant-time comparison.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

export function randomSecret(bytes = 32): string {
  return randomBytes(bytes).toString('base64url');
}

export function sha256(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/** Compares digests, so neither the length nor the content of a secret leaks through timing. */
export function secretMatchesHash(presented: string, storedHash: Buffer): boolean {
  const digest = sha256(presented);
  return digest.length === storedHash.length && timingSafeEqual(digest, storedHash);
}
