import { describe, expect, it } from 'vitest';
import {
  DaemonToRelaySchema,
  MAX_CONTROL_FRAME,
  RelayToDaemonSchema,
  parseControlFrame,
  utf8ByteLength,
} from './protocol.js';

describe('control frames', () => {
  it.each([
    { type: 'pair.create', requestId: 'r1', ttlSeconds: 600 },
    { type: 'phone.add', requestId: 'r2', connectionId: 'c'.repeat(22) },
    { type: 'phone.remove', requestId: 'r3', phoneId: 'p'.repeat(22) },
    { type: 'ping', ts: 123 },
  ])('parses daemon → relay $type', (frame) => {
    expect(parseControlFrame(JSON.stringify(frame), DaemonToRelaySchema)).toEqual({
      ok: true,
      value: frame,
    });
  });

  it.each([
    { type: 'hello', deviceId: 'd'.repeat(22) },
    { type: 'pair.created', requestId: 'r', token: 'a.b', expiresAt: 1_700_000_000_000 },
    { type: 'phone.added', requestId: 'r', phoneId: 'p', phoneSecret: 's' },
    { type: 'phone.removed', requestId: 'r', phoneId: 'p' },
    { type: 'dial', connectionId: 'c', purpose: 'pair', pairNonce: 'n' },
    { type: 'dial', connectionId: 'c', purpose: 'connect', phoneId: 'p' },
    { type: 'pong', ts: 1 },
    { type: 'error', code: 'bad-request', message: 'm' },
    { type: 'error', requestId: 'r', code: 'not-found', message: 'm' },
  ])('parses relay → daemon $type', (frame) => {
    expect(parseControlFrame(JSON.stringify(frame), RelayToDaemonSchema)).toEqual({
      ok: true,
      value: frame,
    });
  });

  it.each([
    ['an empty string', ''],
    ['invalid JSON', '{"type":'],
    ['null', 'null'],
    ['a number', '42'],
    ['an array', '[{"type":"ping","ts":1}]'],
    ['an empty object', '{}'],
    ['an unknown type', '{"type":"reboot"}'],
    ['a relay frame sent the wrong way', '{"type":"hello","deviceId":"x"}'],
    ['a missing field', '{"type":"pair.create","requestId":"r"}'],
    ['a string ttl', '{"type":"pair.create","requestId":"r","ttlSeconds":"600"}'],
    ['a negative ttl', '{"type":"pair.create","requestId":"r","ttlSeconds":-1}'],
    ['a fractional ttl', '{"type":"pair.create","requestId":"r","ttlSeconds":1.5}'],
    ['an empty requestId', '{"type":"phone.remove","requestId":"","phoneId":"p"}'],
    ['a huge id', `{"type":"phone.remove","requestId":"r","phoneId":"${'p'.repeat(500)}"}`],
    ['a prototype key', '{"__proto__":{"type":"ping"},"ts":1}'],
  ])('refuses %s without throwing', (_name, text) => {
    const result = parseControlFrame(text, DaemonToRelaySchema);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.code).toBe('bad-request');
      expect(result.message.length).toBeGreaterThan(0);
    }
  });

  it('keeps a plausible requestId so the error can be correlated', () => {
    const result = parseControlFrame(
      '{"type":"pair.create","requestId":"abc","ttlSeconds":"x"}',
      DaemonToRelaySchema,
    );
    expect(result).toMatchObject({ ok: false, code: 'bad-request', requestId: 'abc' });
    const noId = parseControlFrame('{"type":"pair.create","requestId":7}', DaemonToRelaySchema);
    expect(noId.ok).toBe(false);
    expect(noId).not.toHaveProperty('requestId');
  });

  it('refuses frames over the limit, counting UTF-8 bytes', () => {
    const pad = (n: number, ch: string): string =>
      JSON.stringify({ type: 'ping', ts: 1, pad: ch.repeat(n) });
    const base = pad(0, 'x').length;
    expect(parseControlFrame(pad(MAX_CONTROL_FRAME - base, 'x'), DaemonToRelaySchema).ok).toBe(
      true,
    );
    expect(
      parseControlFrame(pad(MAX_CONTROL_FRAME - base + 1, 'x'), DaemonToRelaySchema),
    ).toMatchObject({
      ok: false,
      code: 'frame-too-large',
    });
    // Half as many characters, each two bytes: over the limit in bytes though not in characters.
    expect(parseControlFrame(pad(MAX_CONTROL_FRAME / 2, 'é'), DaemonToRelaySchema)).toMatchObject({
      ok: false,
      code: 'frame-too-large',
    });
    expect(
      parseControlFrame('x'.repeat(10 * MAX_CONTROL_FRAME), DaemonToRelaySchema),
    ).toMatchObject({ ok: false, code: 'frame-too-large' });
  });

  it('refuses non-string input', () => {
    expect(parseControlFrame(new Uint8Array([123, 125]), DaemonToRelaySchema).ok).toBe(false);
    expect(parseControlFrame(undefined, DaemonToRelaySchema).ok).toBe(false);
  });

  it('survives random garbage', () => {
    let seed = 42;
    const rand = (): number => {
      seed = (seed * 1_103_515_245 + 12_345) & 0x7fffffff;
      return seed;
    };
    const pieces = [
      '{',
      '}',
      '[',
      ']',
      '"',
      ':',
      ',',
      'type',
      'ping',
      'ts',
      '1',
      'null',
      '\\',
      '\u0000',
      'é',
      '\ud800',
    ];
    for (let i = 0; i < 2000; i++) {
      let s = '';
      const n = rand() % 30;
      for (let j = 0; j < n; j++) s += pieces[rand() % pieces.length];
      expect(() => parseControlFrame(s, DaemonToRelaySchema)).not.toThrow();
    }
  });

  it('counts UTF-8 bytes like TextEncoder', () => {
    for (const s of ['', 'abc', 'é', '€', '😀', 'a😀b', '\ud800', '\udc00x', 'x\ud800\ud800']) {
      expect(utf8ByteLength(s)).toBe(new TextEncoder().encode(s).length);
    }
  });
});
