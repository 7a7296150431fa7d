// Owns the owner's API key: the file that holds it, rotation, and verification that follows a rotation at once.
import fs from 'node:fs';
import { randomSecret, secretMatchesHash, sha256 } from './secrets.js';
import { readFileIfExists, writePrivateFileAtomic } from './private-files.js';

const KEY_PATTERN = /^lsk_[A-Za-z0-9_-]{43}$/;

export function generateApiKey(): string {
  return `lsk_${randomSecret(32)}`;
}

export function writeApiKey(file: string, key: string): void {
  writePrivateFileAtomic(file, `${key}\n`);
}

export function readApiKey(file: string): string | undefined {
  const text = readFileIfExists(file);
  if (text === undefined) return undefined;
  const key = text.trim();
  if (!KEY_PATTERN.test(key)) {
    throw new Error(
      `${file} does not hold a Loopsy API key. Run \`loopsy key generate\` to write a new one.`,
    );
  }
  return key;
}

/**
 * Verifies bearer tokens against the key file. The file is re-read when its identity changes
 * (`loopsy key generate` replaces it atomically), so a rotation takes effect on the next request.
 */
export class OwnerKeyVerifier {
  private cachedHash: Buffer | undefined;
  private cachedStamp = '';

  constructor(private readonly file: string) {}

  verify(presented: string): boolean {
    const hash = this.currentHash();
    return hash !== undefined && secretMatchesHash(presented, hash);
  }

  private currentHash(): Buffer | undefined {
    let stamp: string;
    try {
      const st = fs.statSync(this.file, { bigint: true });
      stamp = `${st.ino}:${st.mtimeNs}:${st.size}`;
    } catch {
      this.cachedHash = undefined;
      this.cachedStamp = '';
      return undefined;
    }
    if (stamp !== this.cachedStamp) {
      const key = readApiKey(this.file);
      this.cachedHash = key === undefined ? undefined : sha256(key);
      this.cachedStamp = stamp;
    }
    return this.cachedHash;
  }
}
