// Owns the context store's limits and key grammar, shared by its service, its procedures and the messaging layer.
import { TooLarge } from '../errors.js';

/** Letters, digits and `. _ : / @ + -`: enough for `inbox:<host/agent>:<id>`, paths and e-mail-like names. */
export const KEY_CHARSET = 'A-Z a-z 0-9 . _ : / @ + -';
export const KEY_PATTERN = /^[A-Za-z0-9._:/@+-]+$/;
/** The same characters, possibly none: a prefix of a key. */
export const PREFIX_PATTERN = /^[A-Za-z0-9._:/@+-]*$/;
export const MAX_KEY_LENGTH = 256;
/** Values are UTF-8 text; the limit counts bytes (the reference counted UTF-16 units). */
export const MAX_VALUE_BYTES = 1024 * 1024;
/** Ten years: longer TTLs are a mistake, not a plan (leave ttlSeconds out for "never"). */
export const MAX_TTL_SECONDS = 10 * 365 * 86400;
/**
 * Greater than every character a key may contain, so `[prefix, prefix + KEY_UPPER)` is exactly the keys
 * that start with `prefix` in SQLite's byte order.
 */
export const KEY_UPPER = '\u007f';

export function assertValueSize(key: string, value: string): void {
  const bytes = Buffer.byteLength(value, 'utf8');
  if (bytes > MAX_VALUE_BYTES) {
    throw new TooLarge(
      `The value for "${key}" is ${bytes} bytes of UTF-8; the limit is ${MAX_VALUE_BYTES} bytes (1 MiB). ` +
        'Store large data as a file and put its path in the context instead.',
    );
  }
}
