// Owns key material helpers: X25519 key pairs, canonical base64url, and the psk that binds a pairing code.
import { x25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { E2EError } from './errors.js';

export const KEY_LENGTH = 32;

export interface KeyPair {
  publicKey: Uint8Array;
  privateKey: Uint8Array;
}

export function generateKeyPair(): KeyPair {
  const privateKey = x25519.utils.randomSecretKey();
  return { publicKey: x25519.getPublicKey(privateKey), privateKey };
}

export function keyPairFromPrivate(privateKey: Uint8Array): KeyPair {
  assertKey(privateKey, 'private key');
  return { publicKey: x25519.getPublicKey(privateKey), privateKey: privateKey.slice() };
}

export function assertKey(key: Uint8Array, what: string): void {
  if (!(key instanceof Uint8Array) || key.length !== KEY_LENGTH) {
    throw new E2EError('bad-encoding', `The ${what} must be ${KEY_LENGTH} bytes.`);
  }
}

/**
 * Regular connections use this psk: the phone is authenticated by its static key (the daemon checks it
 * against the paired phones) and the daemon by the static key the phone learnt at pairing, so there is no
 * further shared secret to mix in. A known psk is only ever hashed into the keys, so it adds no secret
 * but leaves IK's guarantees intact, and pairing and connecting then run the one pattern, IKpsk1.
 */
export const CONNECT_PSK: Uint8Array = new Uint8Array(KEY_LENGTH);

/** Binds both ends to this protocol version: a peer speaking another prologue fails the handshake. */
export const PROLOGUE: Uint8Array = new TextEncoder().encode('loopsy-e2e-v1');

const PAIRING_PSK_LABEL = 'loopsy-e2e-v1 pairing psk';
const CODE_PATTERN = /^[0-9]{4,12}$/;

/** psk for pairing: binds the 4-digit code the laptop shows to this pairing's token nonce. */
export function pairingPsk(code: string, pairNonce: string): Uint8Array {
  // A malformed code or an empty nonce would still give a valid-looking psk; refuse them instead.
  if (!CODE_PATTERN.test(code))
    throw new E2EError('bad-encoding', 'The pairing code must be digits.');
  if (pairNonce.length === 0) throw new E2EError('bad-encoding', 'The pairing nonce is empty.');
  const encoder = new TextEncoder();
  return sha256(lengthPrefixed([PAIRING_PSK_LABEL, code, pairNonce].map((s) => encoder.encode(s))));
}

/** Each field gets a 4-byte big-endian length, so no two (code, nonce) pairs encode alike. */
function lengthPrefixed(fields: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(fields.reduce((n, f) => n + 4 + f.length, 0));
  const view = new DataView(out.buffer);
  let offset = 0;
  for (const field of fields) {
    view.setUint32(offset, field.length);
    out.set(field, offset + 4);
    offset += 4 + field.length;
  }
  return out;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

/** RFC 4648 §5 without padding. */
export function toBase64Url(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const b0 = bytes[i] ?? 0;
    const b1 = bytes[i + 1] ?? 0;
    const b2 = bytes[i + 2] ?? 0;
    const n = (b0 << 16) | (b1 << 8) | b2;
    const chars = Math.min(4, bytes.length - i + 1);
    for (let c = 0; c < chars; c++) out += ALPHABET[(n >> (18 - 6 * c)) & 63];
  }
  return out;
}

/** Accepts only the canonical unpadded form, so one key has exactly one spelling. */
export function fromBase64Url(text: string): Uint8Array {
  if (typeof text !== 'string' || text.length % 4 === 1) {
    throw new E2EError('bad-encoding', 'Not base64url.');
  }
  const out = new Uint8Array(Math.floor((text.length * 3) / 4));
  let bits = 0;
  let buffered = 0;
  let o = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    const value = code < 128 ? (DECODE[code] ?? -1) : -1;
    if (value < 0) throw new E2EError('bad-encoding', 'Not base64url.');
    buffered = ((buffered << 6) | value) & 0xffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (buffered >> bits) & 0xff;
    }
  }
  // Leftover bits must be zero, else two strings would decode to the same bytes.
  if ((buffered & ((1 << bits) - 1)) !== 0) throw new E2EError('bad-encoding', 'Not base64url.');
  return out;
}
