import { describe, expect, it } from 'vitest';
import { fromBase64Url, toBase64Url } from './base64url.js';
import {
  DEFAULT_PAIR_TTL_SECONDS,
  MAX_PAIR_TTL_SECONDS,
  createPairToken,
  decodePairToken,
  verifyPairToken,
} from './tokens.js';

const KEY = new Uint8Array(32).fill(7);
const OTHER_KEY = new Uint8Array(32).fill(8);
const NOW = 1_700_000_000_000;
const fixedRandom = (n: number): Uint8Array => new Uint8Array(n).fill(1);
const text = new TextEncoder();

function b64json(value: unknown): string {
  return toBase64Url(text.encode(JSON.stringify(value)));
}

describe('base64url', () => {
  it('round-trips every length and byte value', () => {
    for (let len = 0; len < 70; len++) {
      const bytes = Uint8Array.from({ length: len }, (_, i) => (i * 37 + len) & 0xff);
      const encoded = toBase64Url(bytes);
      expect(encoded).toMatch(/^[A-Za-z0-9_-]*$/);
      expect(encoded).toBe(Buffer.from(bytes).toString('base64url'));
      expect(fromBase64Url(encoded)).toEqual(bytes);
    }
  });

  it.each([
    ['padding', 'AQ=='],
    ['standard alphabet', 'a+b/'],
    ['impossible length', 'AAAAA'],
    ['non-canonical trailing bits', 'AR'],
    ['non-ASCII', 'AAé'],
    ['whitespace', 'AA AA'],
  ])('refuses %s', (_name, input) => {
    expect(fromBase64Url(input)).toBeUndefined();
  });
});

describe('pair tokens', () => {
  it('creates a token that verifies and carries the device, nonce and times', () => {
    const { token, payload } = createPairToken(KEY, 'device-1234567890ab', 600, NOW, fixedRandom);
    expect(payload).toEqual({
      d: 'device-1234567890ab',
      n: toBase64Url(new Uint8Array(16).fill(1)),
      iat: NOW / 1000,
      exp: NOW / 1000 + 600,
    });
    expect(token.split('.')).toHaveLength(2);
    expect(verifyPairToken(KEY, token, NOW)).toEqual({ ok: true, payload });
    expect(decodePairToken(token)).toEqual(payload);
  });

  it('signs HMAC-SHA256 over the first part, as documented', async () => {
    const { token } = createPairToken(KEY, 'device-1234567890ab', 60, NOW, fixedRandom);
    const [body = '', mac = ''] = token.split('.');
    const { createHmac } = await import('node:crypto');
    expect(mac).toBe(createHmac('sha256', KEY).update(body).digest('base64url'));
  });

  it('uses a fresh 16-byte nonce each time by default', () => {
    const a = createPairToken(KEY, 'device-1234567890ab');
    const b = createPairToken(KEY, 'device-1234567890ab');
    expect(a.payload.n).not.toBe(b.payload.n);
    expect(fromBase64Url(a.payload.n)).toHaveLength(16);
    expect(a.payload.exp - a.payload.iat).toBe(DEFAULT_PAIR_TTL_SECONDS);
  });

  it('expires exactly at exp', () => {
    const { token, payload } = createPairToken(KEY, 'device-1234567890ab', 60, NOW);
    expect(verifyPairToken(KEY, token, payload.exp * 1000 - 1).ok).toBe(true);
    expect(verifyPairToken(KEY, token, payload.exp * 1000)).toEqual({
      ok: false,
      reason: 'expired',
    });
  });

  it('accepts the maximum lifetime and refuses more with a clear error', () => {
    expect(createPairToken(KEY, 'd', MAX_PAIR_TTL_SECONDS, NOW).payload.exp).toBe(
      NOW / 1000 + 86_400,
    );
    expect(() => createPairToken(KEY, 'd', MAX_PAIR_TTL_SECONDS + 1, NOW)).toThrow(
      /1 to 86400 seconds/,
    );
    expect(() => createPairToken(KEY, 'd', 0, NOW)).toThrow(RangeError);
    expect(() => createPairToken(KEY, 'd', 1.5, NOW)).toThrow(RangeError);
    expect(() => createPairToken(KEY, '', 60, NOW)).toThrow(RangeError);
  });

  describe('tampering', () => {
    const { token, payload } = createPairToken(KEY, 'device-1234567890ab', 600, NOW, fixedRandom);
    const [body = '', mac = ''] = token.split('.');
    const flip = (s: string, i: number): string =>
      s.slice(0, i) + (s[i] === 'A' ? 'B' : 'A') + s.slice(i + 1);

    it.each([
      ['another key', () => verifyPairToken(OTHER_KEY, token, NOW)],
      [
        'a changed device',
        () => verifyPairToken(KEY, `${b64json({ ...payload, d: 'x' })}.${mac}`, NOW),
      ],
      [
        'a later expiry',
        () => verifyPairToken(KEY, `${b64json({ ...payload, exp: payload.exp + 9 })}.${mac}`, NOW),
      ],
      ['a flipped payload character', () => verifyPairToken(KEY, `${flip(body, 5)}.${mac}`, NOW)],
      ['a flipped signature character', () => verifyPairToken(KEY, `${body}.${flip(mac, 3)}`, NOW)],
    ])('refuses %s as bad-signature', (_name, run) => {
      expect(run()).toEqual({ ok: false, reason: 'bad-signature' });
    });
  });

  describe('malformed', () => {
    const { token } = createPairToken(KEY, 'device-1234567890ab', 600, NOW);
    const [body = '', mac = ''] = token.split('.');
    const signed = async (value: unknown): Promise<string> => {
      const { createHmac } = await import('node:crypto');
      const b = typeof value === 'string' ? value : b64json(value);
      return `${b}.${createHmac('sha256', KEY).update(b).digest('base64url')}`;
    };

    it.each([
      ['empty', '', true],
      ['no dot', body, true],
      ['only a dot', '.', true],
      ['three parts', `${body}.${mac}.x`, true],
      ['empty payload', `.${mac}`, true],
      ['empty signature', `${body}.`, true],
      ['far too long', `${'A'.repeat(5000)}.${mac}`, true],
      // The payload is intact, so the unverified decode still reads it.
      ['short signature', `${body}.${mac.slice(0, 20)}`, false],
      ['padded signature', `${body}.${mac}=`, false],
      ['non-base64 signature', `${body}.${'*'.repeat(43)}`, false],
    ])('refuses %s', (_name, input, undecodable) => {
      expect(verifyPairToken(KEY, input, NOW)).toEqual({ ok: false, reason: 'malformed' });
      if (undecodable) expect(decodePairToken(input)).toBeUndefined();
    });

    it.each([
      ['not JSON', toBase64Url(text.encode('{nope'))],
      ['invalid UTF-8', toBase64Url(new Uint8Array([0xff, 0xfe, 0x7b]))],
      ['an array', b64json([1, 2])],
      ['a missing nonce', b64json({ d: 'd', iat: 1, exp: 2 })],
      ['a short nonce', b64json({ d: 'd', n: 'abc', iat: 1, exp: 2 })],
      ['string times', b64json({ d: 'd', n: 'A'.repeat(22), iat: '1', exp: '2' })],
      ['exp before iat', b64json({ d: 'd', n: 'A'.repeat(22), iat: 5, exp: 4 })],
    ])('refuses a correctly signed payload with %s', async (_name, payloadPart) => {
      expect(verifyPairToken(KEY, await signed(payloadPart), NOW)).toEqual({
        ok: false,
        reason: 'malformed',
      });
    });

    it('never throws on non-string input', () => {
      expect(verifyPairToken(KEY, 42 as unknown as string, NOW)).toEqual({
        ok: false,
        reason: 'malformed',
      });
    });
  });
});
