import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  CONNECT_PSK,
  fromBase64Url,
  generateKeyPair,
  keyPairFromPrivate,
  pairingPsk,
  PROLOGUE,
  toBase64Url,
} from './keys.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const toHex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

describe('base64url', () => {
  it.each([
    ['', ''],
    ['f', 'Zg'],
    ['fo', 'Zm8'],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg'],
    ['fooba', 'Zm9vYmE'],
    ['foobar', 'Zm9vYmFy'],
  ])('RFC 4648 §10 %j ↔ %j (unpadded)', (plain, encoded) => {
    expect(toBase64Url(utf8(plain))).toBe(encoded);
    expect(fromBase64Url(encoded)).toEqual(utf8(plain));
  });

  it('uses the URL alphabet', () => {
    expect(toBase64Url(Uint8Array.of(0xfb, 0xff))).toBe('-_8');
    expect(fromBase64Url('-_8')).toEqual(Uint8Array.of(0xfb, 0xff));
  });

  it('round-trips every length and byte value', () => {
    for (let n = 0; n < 70; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + n * 13) & 0xff);
      const text = toBase64Url(bytes);
      expect(text).toMatch(/^[A-Za-z0-9_-]*$/);
      expect(fromBase64Url(text)).toEqual(bytes);
    }
  });

  it.each([
    ['padding', 'Zg=='],
    ['standard alphabet', 'ab+/'],
    ['one dangling char', 'Zm9vY'],
    ['non-zero trailing bits', 'Zh'],
    ['whitespace', 'Zm9v '],
    ['non-ASCII', 'Zm9é'],
  ])('rejects %s', (_name, text) => {
    expect(() => fromBase64Url(text)).toThrow(
      expect.objectContaining({ name: 'E2EError', code: 'bad-encoding' }),
    );
  });
});

describe('keys', () => {
  it('generates distinct 32-byte X25519 pairs that rebuild from the private key', () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    expect(a.publicKey).toHaveLength(32);
    expect(a.privateKey).toHaveLength(32);
    expect(a.privateKey).not.toEqual(b.privateKey);
    expect(keyPairFromPrivate(a.privateKey)).toEqual(a);
  });

  it('refuses a private key of the wrong length', () => {
    expect(() => keyPairFromPrivate(new Uint8Array(31))).toThrow(
      expect.objectContaining({ code: 'bad-encoding' }),
    );
  });

  it('CONNECT_PSK is 32 zero bytes and PROLOGUE names the version', () => {
    expect(CONNECT_PSK).toEqual(new Uint8Array(32));
    expect(new TextDecoder().decode(PROLOGUE)).toBe('loopsy-e2e-v1');
  });
});

describe('pairingPsk', () => {
  it('is SHA-256 over length-prefixed label, code and nonce (checked with node:crypto)', () => {
    const field = (text: string): Buffer => {
      const bytes = Buffer.from(text, 'utf8');
      const length = Buffer.alloc(4);
      length.writeUInt32BE(bytes.length);
      return Buffer.concat([length, bytes]);
    };
    const expected = createHash('sha256')
      .update(
        Buffer.concat([field('loopsy-e2e-v1 pairing psk'), field('0427'), field('nonce-abc')]),
      )
      .digest();
    const psk = pairingPsk('0427', 'nonce-abc');
    expect(psk).toEqual(new Uint8Array(expected));
    // Pinned so another implementation (a native phone app) can check itself against the doc.
    expect(toHex(psk)).toBe('93d96174a891ea3839588e7605823d3514983a60a3a18bf4dcd9442af81f0902');
  });

  it('changes with the code and with the nonce, and does not let them run into each other', () => {
    const base = toHex(pairingPsk('1234', 'abc'));
    expect(toHex(pairingPsk('1235', 'abc'))).not.toBe(base);
    expect(toHex(pairingPsk('1234', 'abd'))).not.toBe(base);
    expect(toHex(pairingPsk('12345', 'bc'))).not.toBe(toHex(pairingPsk('1234', '5bc')));
  });

  it.each([
    ['a short code', '123', 'n'],
    ['letters', '12a4', 'n'],
    ['spaces', '12 34', 'n'],
    ['an empty nonce', '1234', ''],
  ])('refuses %s', (_name, code, nonce) => {
    expect(() => pairingPsk(code, nonce)).toThrow(
      expect.objectContaining({ code: 'bad-encoding' }),
    );
  });
});
