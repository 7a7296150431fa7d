// Owns pair tokens: short-lived, HMAC-signed invitations to pair a phone with one device.
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { z } from 'zod';
import { fromBase64Url, toBase64Url } from './base64url.js';
import { constantTimeEqual, randomBytes as defaultRandomBytes } from './secrets.js';

export const DEFAULT_PAIR_TTL_SECONDS = 1800;
export const MAX_PAIR_TTL_SECONDS = 86_400;
/** Far above any real token (~170 characters); bounds the work spent on garbage. */
const MAX_TOKEN_LENGTH = 1024;

const PayloadSchema = z
  .object({
    /** Device id. */
    d: z.string().min(1).max(128),
    /** 16 random bytes, base64url: the single-use handle the host's store marks at redemption. */
    n: z.string().regex(/^[A-Za-z0-9_-]{22}$/),
    /** Issued at, Unix seconds. */
    iat: z.number().int().nonnegative(),
    /** Expires at, Unix seconds. */
    exp: z.number().int().nonnegative(),
  })
  .refine((p) => p.exp > p.iat, 'exp must be after iat');
export type PairTokenPayload = z.infer<typeof PayloadSchema>;

export interface PairToken {
  token: string;
  payload: PairTokenPayload;
}

export type VerifyPairTokenResult =
  | { ok: true; payload: PairTokenPayload }
  | { ok: false; reason: 'malformed' | 'bad-signature' | 'expired' };

/**
 * Mints `base64url(JSON(payload)).base64url(HMAC-SHA256(key, firstPart))`.
 * A lifetime above MAX_PAIR_TTL_SECONDS is refused rather than clamped, so a caller never gets a token
 * that lives shorter than it asked for without noticing.
 */
export function createPairToken(
  key: Uint8Array,
  deviceId: string,
  ttlSeconds: number = DEFAULT_PAIR_TTL_SECONDS,
  nowMs: number = Date.now(),
  randomBytes: (length: number) => Uint8Array = defaultRandomBytes,
): PairToken {
  if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1 || ttlSeconds > MAX_PAIR_TTL_SECONDS) {
    throw new RangeError(
      `A pair token lives 1 to ${MAX_PAIR_TTL_SECONDS} seconds (24 h); got ${String(ttlSeconds)}.`,
    );
  }
  if (deviceId.length === 0 || deviceId.length > 128) {
    throw new RangeError('A pair token needs a device id of 1 to 128 characters.');
  }
  const nonce = randomBytes(16);
  if (nonce.length !== 16) throw new RangeError('randomBytes(16) must return 16 bytes.');
  const iat = Math.floor(nowMs / 1000);
  const payload: PairTokenPayload = {
    d: deviceId,
    n: toBase64Url(nonce),
    iat,
    exp: iat + ttlSeconds,
  };
  const body = toBase64Url(utf8ToBytes(JSON.stringify(payload)));
  return { token: `${body}.${toBase64Url(sign(key, body))}`, payload };
}

export function verifyPairToken(
  key: Uint8Array,
  token: string,
  nowMs: number = Date.now(),
): VerifyPairTokenResult {
  const parts = split(token);
  if (!parts) return { ok: false, reason: 'malformed' };
  const mac = fromBase64Url(parts.mac);
  if (!mac || mac.length !== 32) return { ok: false, reason: 'malformed' };
  if (!constantTimeEqual(mac, sign(key, parts.body))) return { ok: false, reason: 'bad-signature' };
  const payload = readPayload(parts.body);
  if (!payload) return { ok: false, reason: 'malformed' };
  if (nowMs >= payload.exp * 1000) return { ok: false, reason: 'expired' };
  return { ok: true, payload };
}

/** Reads the payload without checking the signature or expiry (the daemon reads its nonce this way). */
export function decodePairToken(token: string): PairTokenPayload | undefined {
  const parts = split(token);
  return parts ? readPayload(parts.body) : undefined;
}

function sign(key: Uint8Array, body: string): Uint8Array {
  return hmac(sha256, key, utf8ToBytes(body));
}

function split(token: unknown): { body: string; mac: string } | undefined {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH) return undefined;
  const dot = token.indexOf('.');
  if (dot <= 0 || dot !== token.lastIndexOf('.') || dot === token.length - 1) return undefined;
  return { body: token.slice(0, dot), mac: token.slice(dot + 1) };
}

function readPayload(body: string): PairTokenPayload | undefined {
  const bytes = fromBase64Url(body);
  if (!bytes) return undefined;
  try {
    const parsed = PayloadSchema.safeParse(
      JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes)),
    );
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
