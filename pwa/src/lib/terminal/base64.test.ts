import { describe, expect, it } from 'vitest';
import { base64ToBytes } from './base64.js';

describe('base64ToBytes', () => {
  it('decodes to the exact bytes, including a UTF-8 sequence split across chunks', () => {
    const bytes = Buffer.from('é42\r\n', 'utf8');
    expect(base64ToBytes(bytes.toString('base64'))).toEqual(new Uint8Array(bytes));
    const first = base64ToBytes(bytes.subarray(0, 1).toString('base64'));
    expect(Array.from(first)).toEqual([0xc3]);
    expect(base64ToBytes('')).toEqual(new Uint8Array(0));
  });
});
