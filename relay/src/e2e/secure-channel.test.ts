import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { type E2EError } from './errors.js';
import { Initiator, Responder } from './handshake.js';
import { CONNECT_PSK, generateKeyPair } from './keys.js';
import { CipherState } from './noise.js';
import { FrameType, SecureChannel, type SecureChannelOptions } from './secure-channel.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const failsWith = (code: E2EError['code']): unknown =>
  expect.objectContaining({ name: 'E2EError', code });

function connect(options: SecureChannelOptions = {}): {
  phone: SecureChannel;
  daemon: SecureChannel;
} {
  const daemonKeys = generateKeyPair();
  const initiator = new Initiator({
    staticKeys: generateKeyPair(),
    remoteStatic: daemonKeys.publicKey,
    psk: CONNECT_PSK,
    channel: options,
  });
  const responder = new Responder({ staticKeys: daemonKeys, psk: CONNECT_PSK, channel: options });
  responder.readMessage1(initiator.writeMessage1(new Uint8Array(0)));
  const { message, channel: daemon } = responder.writeMessage2(new Uint8Array(0));
  return { phone: initiator.readMessage2(message).channel, daemon };
}

/** A deterministic message of varying size, so runs are repeatable. */
const messageOf = (i: number): Uint8Array => {
  const m = new Uint8Array((i * 37) % 300);
  m.fill(i & 0xff);
  return m;
};

describe('secure channel', () => {
  it('carries text and bytes both ways and counts them', () => {
    const { phone, daemon } = connect();
    const frame = phone.seal(utf8('{"id":1}'));
    expect(frame.length).toBe(utf8('{"id":1}').length + 17);
    expect(daemon.open(frame)).toEqual(utf8('{"id":1}'));
    expect(phone.open(daemon.seal(Uint8Array.of(0, 255, 7)))).toEqual(Uint8Array.of(0, 255, 7));
    expect(daemon.open(phone.seal(new Uint8Array(0)))).toEqual(new Uint8Array(0));
    expect(phone.stats()).toEqual({
      sentFrames: 2,
      receivedFrames: 1,
      sentBytes: 8 + 17 + 17,
      receivedBytes: 3 + 17,
      rekeys: 0,
    });
  });

  type Attack = (frames: Uint8Array[]) => Uint8Array[];
  const ATTACKS: { name: string; attack: Attack; code: E2EError['code'] }[] = [
    {
      name: 'flips a ciphertext bit',
      attack: ([a, b]) => [a!, b!.map((x, i) => (i === 5 ? x ^ 0x01 : x))],
      code: 'decrypt-failed',
    },
    {
      name: 'flips a tag bit',
      attack: ([a, b]) => [a!, b!.map((x, i) => (i === b!.length - 1 ? x ^ 0x80 : x))],
      code: 'decrypt-failed',
    },
    { name: 'replays a frame', attack: ([a, b]) => [a!, b!, b!], code: 'decrypt-failed' },
    {
      name: 'replays an old frame',
      attack: ([a, b, c]) => [a!, b!, a!, c!],
      code: 'decrypt-failed',
    },
    { name: 'reorders two frames', attack: ([a, b, c]) => [a!, c!, b!], code: 'decrypt-failed' },
    { name: 'drops a frame', attack: ([a, , c]) => [a!, c!], code: 'decrypt-failed' },
    {
      name: 'drops a frame and sends it later',
      attack: ([a, b, c]) => [a!, c!, b!, c!],
      code: 'decrypt-failed',
    },
    {
      name: 'truncates a frame',
      attack: ([a, b]) => [a!, b!.subarray(0, b!.length - 1)],
      code: 'decrypt-failed',
    },
    {
      name: 'truncates below the tag',
      attack: ([a, b]) => [a!, b!.subarray(0, 16)],
      code: 'bad-frame',
    },
    { name: 'sends an empty frame', attack: ([a]) => [a!, new Uint8Array(0)], code: 'bad-frame' },
    {
      name: 'appends a byte',
      attack: ([a, b]) => [a!, Uint8Array.of(...b!, 0)],
      code: 'decrypt-failed',
    },
    {
      name: 'splices two frames into one',
      attack: ([a, b, c]) => [a!, Uint8Array.of(...b!, ...c!)],
      code: 'decrypt-failed',
    },
  ];

  it.each(ATTACKS)(
    'a relay that $name is caught and the channel stays closed',
    ({ attack, code }) => {
      const { phone, daemon } = connect();
      const frames = ['one', 'two', 'three', 'four'].map((m) => phone.seal(utf8(m)));
      const delivered = attack(frames);
      let failure: unknown;
      for (const frame of delivered) {
        try {
          daemon.open(frame);
        } catch (error) {
          failure = error;
          break;
        }
      }
      expect(failure).toEqual(failsWith(code));
      // Every later call is refused, genuine frames included.
      for (const frame of frames) expect(() => daemon.open(frame)).toThrow(failsWith('closed'));
      expect(() => daemon.seal(utf8('reply'))).toThrow(failsWith('closed'));
    },
  );

  it('a frame from the other direction does not open (keys differ per direction)', () => {
    const { phone, daemon } = connect();
    const fromPhone = phone.seal(utf8('hi'));
    expect(() => phone.open(fromPhone)).toThrow(failsWith('decrypt-failed'));
    expect(daemon.open(fromPhone)).toEqual(utf8('hi'));
  });

  it('bounds frame size by maxPlaintext', () => {
    const { phone, daemon } = connect({ maxPlaintext: 100 });
    expect(daemon.open(phone.seal(new Uint8Array(100)))).toHaveLength(100);
    // Sealing too much is the caller's mistake: refused, and the channel carries on.
    expect(() => phone.seal(new Uint8Array(101))).toThrow(failsWith('bad-frame'));
    expect(daemon.open(phone.seal(utf8('still fine')))).toEqual(utf8('still fine'));
    expect(() => daemon.open(new Uint8Array(100 + 18))).toThrow(failsWith('bad-frame'));
    expect(() => daemon.open(phone.seal(utf8('x')))).toThrow(failsWith('closed'));
  });

  it('the default limit takes a 1 MiB message', () => {
    const { phone, daemon } = connect();
    const big = new Uint8Array(1024 * 1024 + 64).fill(9);
    const opened = daemon.open(phone.seal(big));
    // A deep toEqual over a megabyte takes seconds; the AEAD already vouches for every byte.
    expect(opened?.length).toBe(big.length);
    expect(opened?.every((b) => b === 9)).toBe(true);
    expect(() => phone.seal(new Uint8Array(1024 * 1024 + 65))).toThrow(failsWith('bad-frame'));
  });

  it('rejects an authenticated frame of an unknown type', () => {
    const key = sha256(utf8('k'));
    const channel = new SecureChannel({
      send: new CipherState(sha256(utf8('other'))),
      receive: new CipherState(key),
      handshakeHash: new Uint8Array(32),
    });
    const forger = new CipherState(key);
    const frame = forger.encryptWithAd(new Uint8Array(0), Uint8Array.of(0x02, 1, 2, 3));
    expect(() => channel.open(frame)).toThrow(failsWith('bad-frame'));
    expect(() => channel.open(frame)).toThrow(failsWith('closed'));
  });

  it('marks the frame that crosses the byte limit as a rekey notice and rotates after it', () => {
    const key = sha256(utf8('k'));
    const channel = new SecureChannel(
      { send: new CipherState(key), receive: new CipherState(), handshakeHash: new Uint8Array(32) },
      { rekeyAfterBytes: 3 * (17 + 10) },
    );
    const mirror = new CipherState(key);
    const types = Array.from({ length: 5 }, () => {
      const frame = channel.seal(new Uint8Array(10));
      const plain = mirror.decryptWithAd(new Uint8Array(0), frame);
      if (plain[0] === FrameType.REKEY_NOTICE) mirror.rekey();
      return plain[0];
    });
    expect(types).toEqual([0, 0, 1, 0, 0]);
    expect(channel.stats().rekeys).toBe(1);
  });

  it('rotates by bytes in both directions for thousands of frames', () => {
    const limit = 2000;
    const { phone, daemon } = connect({ rekeyAfterBytes: limit });
    // The rule, per direction: the frame that brings the bytes under the current key to the limit rotates.
    const expected = new Map([phone, daemon].map((c) => [c, { since: 0, rotations: 0 }]));
    for (let i = 0; i < 4000; i++) {
      const [from, to] = i % 3 === 0 ? [daemon, phone] : [phone, daemon];
      const message = messageOf(i);
      expect(to.open(from.seal(message))).toEqual(message);
      const model = expected.get(from)!;
      model.since += message.length + 17;
      if (model.since >= limit) [model.since, model.rotations] = [0, model.rotations + 1];
    }
    const rotations = expected.get(phone)!.rotations + expected.get(daemon)!.rotations;
    expect(expected.get(daemon)!.rotations).toBeGreaterThan(100);
    expect(phone.stats()).toMatchObject({
      sentFrames: 2666,
      receivedFrames: 1334,
      rekeys: rotations,
    });
    expect(daemon.stats()).toMatchObject({
      sentFrames: 1334,
      receivedFrames: 2666,
      rekeys: rotations,
    });
    expect(phone.stats().receivedBytes).toBe(daemon.stats().sentBytes);
    expect(daemon.stats().receivedBytes).toBe(phone.stats().sentBytes);
  });

  it('rotates by time with an injected clock, each direction on its own', () => {
    let now = 1_000_000;
    const { phone, daemon } = connect({ rekeyAfterMs: 1000, now: () => now });
    for (let i = 0; i < 4000; i++) {
      now += 100;
      // The phone talks all the time; the daemon answers every 25th message, so its key ages slower.
      expect(daemon.open(phone.seal(messageOf(i)))).toEqual(messageOf(i));
      if (i % 25 === 0) expect(phone.open(daemon.seal(messageOf(i)))).toEqual(messageOf(i));
    }
    // 400 s of phone traffic: a rotation every 1 s, i.e. every 10th frame.
    const phoneRotations = 4000 / 10;
    // The daemon sends every 2.5 s: each of its 160 frames but the first (at 0.1 s) is past the 1 s mark.
    const daemonRotations = 4000 / 25 - 1;
    expect(phone.stats().rekeys).toBe(phoneRotations + daemonRotations);
    expect(daemon.stats().rekeys).toBe(phoneRotations + daemonRotations);
  });

  it('after a rotation, a frame under the old key is refused', () => {
    const { phone, daemon } = connect({ rekeyAfterBytes: 1 });
    const first = phone.seal(utf8('a'));
    expect(daemon.open(first)).toEqual(utf8('a'));
    expect(daemon.stats().rekeys).toBe(1);
    expect(() => daemon.open(first)).toThrow(failsWith('decrypt-failed'));
  });

  it('dropping a rekey notice breaks the channel', () => {
    const { phone, daemon } = connect({ rekeyAfterBytes: 3 * 18 });
    const frames = Array.from({ length: 4 }, () => phone.seal(utf8('x')));
    expect(daemon.open(frames[0]!)).toEqual(utf8('x'));
    expect(daemon.open(frames[1]!)).toEqual(utf8('x'));
    expect(() => daemon.open(frames[3]!)).toThrow(failsWith('decrypt-failed'));
  });

  it('refuses non-positive options', () => {
    expect(() => connect({ rekeyAfterBytes: 0 })).toThrow(RangeError);
    expect(() => connect({ maxPlaintext: Number.NaN })).toThrow(RangeError);
  });
});
