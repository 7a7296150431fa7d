import { describe, expect, it } from 'vitest';
import { PROTOCOL_V1, bearerFromProtocols, bearerProtocols, selectProtocol } from './bearer.js';

describe('bearer in Sec-WebSocket-Protocol', () => {
  it('offers loopsy.v1 and the bearer', () => {
    expect(bearerProtocols('s3cret')).toEqual(['loopsy.v1', 'loopsy.bearer.s3cret']);
  });

  it.each([
    ['loopsy.v1, loopsy.bearer.abc_DEF-123', 'abc_DEF-123'],
    ['loopsy.bearer.abc,loopsy.v1', 'abc'],
    ['loopsy.v1,   loopsy.bearer.tok.en  ', 'tok.en'],
    [['loopsy.v1', 'loopsy.bearer.abc'], 'abc'],
    ['loopsy.v1', undefined],
    ['', undefined],
    [undefined, undefined],
    [null, undefined],
    ['loopsy.bearer.', undefined],
    ['loopsy.bearer.a, loopsy.bearer.b', undefined],
    ['loopsy.bearer.a b', undefined],
    ['loopsy.bearer.a/b', undefined],
    [`loopsy.bearer.${'a'.repeat(2000)}`, undefined],
    ['Loopsy.Bearer.abc', undefined],
  ])('reads %j as %j', (header, expected) => {
    expect(bearerFromProtocols(header)).toBe(expected);
  });

  it('answers loopsy.v1 only, never the bearer', () => {
    expect(selectProtocol(new Set(['loopsy.bearer.abc', 'loopsy.v1']))).toBe(PROTOCOL_V1);
    expect(selectProtocol(['loopsy.bearer.abc'])).toBe(false);
    expect(selectProtocol([])).toBe(false);
  });
});
