import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { closeReason, CloseCode, isApplicationCloseCode } from './close-codes.js';
import {
  ID_PATTERN,
  constantTimeEqual,
  hashSecret,
  randomId,
  randomSecret,
  secretMatches,
} from './secrets.js';

describe('secrets', () => {
  it('hashes with SHA-256 of the UTF-8 text, lowercase hex', () => {
    expect(hashSecret('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
    expect(hashSecret('é')).toBe(createHash('sha256').update('é', 'utf8').digest('hex'));
  });

  it('matches only the secret that was hashed', () => {
    const secret = randomSecret();
    const stored = hashSecret(secret);
    expect(secretMatches(secret, stored)).toBe(true);
    expect(secretMatches(secret, stored.toUpperCase())).toBe(true);
    expect(secretMatches(`${secret}x`, stored)).toBe(false);
    expect(secretMatches('', stored)).toBe(false);
    expect(secretMatches(secret, 'not-a-hash')).toBe(false);
    expect(secretMatches(secret, '')).toBe(false);
  });

  it('makes 32-byte base64url secrets and 16-byte ids, all different', () => {
    const secrets = new Set(Array.from({ length: 100 }, () => randomSecret()));
    expect(secrets.size).toBe(100);
    for (const s of secrets) expect(s).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const id = randomId();
    expect(id).toMatch(ID_PATTERN);
    expect(id).toHaveLength(22);
  });

  it('compares bytes for equality', () => {
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 2]))).toBe(true);
    expect(constantTimeEqual(new Uint8Array([1, 2]), new Uint8Array([1, 3]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array([1]), new Uint8Array([1, 0]))).toBe(false);
    expect(constantTimeEqual(new Uint8Array(), new Uint8Array())).toBe(true);
  });
});

describe('close codes', () => {
  it('names every relay code', () => {
    expect(closeReason(CloseCode.NOT_FOUND)).toBe('not-found');
    expect(closeReason(CloseCode.DIAL_TIMEOUT)).toBe('dial-timeout');
    expect(closeReason(CloseCode.GOING_AWAY)).toBe('going-away');
    expect(closeReason(1234)).toBe('code-1234');
    for (const code of Object.values(CloseCode)) expect(isApplicationCloseCode(code)).toBe(true);
    expect(isApplicationCloseCode(1000)).toBe(false);
    expect(isApplicationCloseCode(1006)).toBe(false);
  });
});
