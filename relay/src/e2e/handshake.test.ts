import { describe, expect, it } from 'vitest';
import { E2EError } from './errors.js';
import { Initiator, Responder } from './handshake.js';
import {
  CONNECT_PSK,
  generateKeyPair,
  keyPairFromPrivate,
  pairingPsk,
  PROLOGUE,
  type KeyPair,
} from './keys.js';
import { HandshakeState, IK_PSK1 } from './noise.js';
import { SecureChannel } from './secure-channel.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (bytes: Uint8Array | null): string => new TextDecoder().decode(bytes ?? undefined);
const failsWith = (code: E2EError['code']): unknown =>
  expect.objectContaining({ name: 'E2EError', code });

const phone = generateKeyPair();
const daemon = generateKeyPair();

function handshake(opts: {
  phoneKeys?: KeyPair;
  daemonKeys?: KeyPair;
  phoneKnows?: Uint8Array;
  phonePsk?: Uint8Array;
  daemonPsk?: Uint8Array;
}) {
  const initiator = new Initiator({
    staticKeys: opts.phoneKeys ?? phone,
    remoteStatic: opts.phoneKnows ?? daemon.publicKey,
    psk: opts.phonePsk ?? CONNECT_PSK,
  });
  const responder = new Responder({
    staticKeys: opts.daemonKeys ?? daemon,
    psk: opts.daemonPsk ?? CONNECT_PSK,
  });
  return { initiator, responder, message1: initiator.writeMessage1(utf8('{"name":"phone"}')) };
}

describe('handshake', () => {
  it.each([
    { name: 'pairing', psk: pairingPsk('0427', 'nonce-abc') },
    { name: 'connect', psk: CONNECT_PSK },
  ])('completes a $name handshake with payloads both ways', ({ psk }) => {
    const { initiator, responder, message1 } = handshake({ phonePsk: psk, daemonPsk: psk });
    const hello = responder.readMessage1(message1);
    expect(text(hello.payload)).toBe('{"name":"phone"}');
    expect(hello.remoteStatic).toEqual(phone.publicKey);

    const { message, channel: daemonChannel } = responder.writeMessage2(utf8('{"ok":true}'));
    const { payload, channel: phoneChannel } = initiator.readMessage2(message);
    expect(text(payload)).toBe('{"ok":true}');
    expect(phoneChannel.handshakeHash).toEqual(daemonChannel.handshakeHash);

    expect(text(daemonChannel.open(phoneChannel.seal(utf8('ping'))))).toBe('ping');
    expect(text(phoneChannel.open(daemonChannel.seal(utf8('pong'))))).toBe('pong');
  });

  it('sends message 1 as e (32) + encrypted s (48) + encrypted payload (n + 16)', () => {
    const { message1 } = handshake({});
    expect(message1.length).toBe(32 + 48 + utf8('{"name":"phone"}').length + 16);
  });

  it.each([
    { name: 'a wrong pairing code', phone: ['1111', 'n1'], daemon: ['1112', 'n1'] },
    { name: 'the code of another pairing', phone: ['1111', 'n1'], daemon: ['1111', 'n2'] },
  ])('the daemon cannot read message 1 with $name', ({ phone: [pc, pn], daemon: [dc, dn] }) => {
    const { responder, message1 } = handshake({
      phonePsk: pairingPsk(pc!, pn!),
      daemonPsk: pairingPsk(dc!, dn!),
    });
    expect(() => responder.readMessage1(message1)).toThrow(failsWith('handshake-failed'));
  });

  it('the pairing psk and CONNECT_PSK do not open each other', () => {
    const a = handshake({ phonePsk: pairingPsk('1234', 'n'), daemonPsk: CONNECT_PSK });
    expect(() => a.responder.readMessage1(a.message1)).toThrow(failsWith('handshake-failed'));
    const b = handshake({ phonePsk: CONNECT_PSK, daemonPsk: pairingPsk('1234', 'n') });
    expect(() => b.responder.readMessage1(b.message1)).toThrow(failsWith('handshake-failed'));
  });

  it('a phone with a stale daemon key: the daemon cannot read message 1', () => {
    const stale = generateKeyPair();
    const { responder, message1 } = handshake({ phoneKnows: stale.publicKey });
    expect(() => responder.readMessage1(message1)).toThrow(failsWith('handshake-failed'));
  });

  it('a phone with a stale daemon key: message 2 from the new key does not complete', () => {
    // The relay hands the phone a message 2 that the new key's holder wrote for another phone.
    const stale = generateKeyPair();
    const { initiator } = handshake({ phoneKnows: stale.publicKey });
    const other = handshake({ phoneKeys: generateKeyPair() });
    other.responder.readMessage1(other.message1);
    const { message } = other.responder.writeMessage2(utf8('{}'));
    expect(() => initiator.readMessage2(message)).toThrow(failsWith('handshake-failed'));
  });

  it('message 2 must come from this session', () => {
    const first = handshake({});
    const second = handshake({});
    first.responder.readMessage1(first.message1);
    second.responder.readMessage1(second.message1);
    const { message } = second.responder.writeMessage2(utf8('{}'));
    expect(() => first.initiator.readMessage2(message)).toThrow(failsWith('handshake-failed'));
  });

  it.each([
    { name: 'e', offset: 3 },
    { name: 'encrypted s', offset: 40 },
    { name: 's tag', offset: 75 },
    { name: 'payload', offset: 85 },
    { name: 'payload tag', offset: -1 },
  ])('a bit flipped in message 1 ($name) fails', ({ offset }) => {
    const { responder, message1 } = handshake({});
    const tampered = message1.slice();
    tampered[offset < 0 ? tampered.length + offset : offset]! ^= 0x10;
    expect(() => responder.readMessage1(tampered)).toThrow(failsWith('handshake-failed'));
  });

  it.each([
    { name: 'a bit flip', mangle: (m: Uint8Array) => m.map((b, i) => (i === 40 ? b ^ 1 : b)) },
    { name: 'truncation', mangle: (m: Uint8Array) => m.subarray(0, m.length - 1) },
    { name: 'a short message', mangle: (m: Uint8Array) => m.subarray(0, 20) },
    { name: 'an extra byte', mangle: (m: Uint8Array) => Uint8Array.of(...m, 0) },
    { name: 'garbage', mangle: (m: Uint8Array) => m.map((_, i) => i) },
  ])('message 2 with $name fails', ({ mangle }) => {
    const { initiator, responder, message1 } = handshake({});
    responder.readMessage1(message1);
    const { message } = responder.writeMessage2(utf8('{"ok":true}'));
    expect(() => initiator.readMessage2(mangle(message))).toThrow(failsWith('handshake-failed'));
    expect(() => initiator.readMessage2(message)).toThrow(failsWith('handshake-failed'));
  });

  it('a low-order ephemeral key in message 1 fails cleanly', () => {
    const { responder, message1 } = handshake({});
    const tampered = message1.slice();
    tampered.fill(0, 0, 32);
    expect(() => responder.readMessage1(tampered)).toThrow(failsWith('handshake-failed'));
  });

  it('a different prologue fails', () => {
    const initiator = new Initiator({
      staticKeys: phone,
      remoteStatic: daemon.publicKey,
      psk: CONNECT_PSK,
      prologue: utf8('loopsy-e2e-v2'),
    });
    const responder = new Responder({ staticKeys: daemon, psk: CONNECT_PSK });
    expect(() => responder.readMessage1(initiator.writeMessage1(utf8('{}')))).toThrow(
      failsWith('handshake-failed'),
    );
  });

  it('a responder that failed once stays failed', () => {
    const { responder, message1 } = handshake({});
    expect(() => responder.readMessage1(message1.subarray(0, 50))).toThrow(E2EError);
    expect(() => responder.readMessage1(message1)).toThrow(failsWith('handshake-failed'));
    expect(() => responder.writeMessage2(utf8('{}'))).toThrow(failsWith('handshake-failed'));
  });

  it('refuses steps out of order', () => {
    const { initiator, responder, message1 } = handshake({});
    expect(() => initiator.writeMessage1(utf8('again'))).toThrow(failsWith('handshake-failed'));
    expect(() => responder.writeMessage2(utf8('{}'))).toThrow(failsWith('handshake-failed'));
    responder.readMessage1(message1);
    expect(() => responder.readMessage1(message1)).toThrow(failsWith('handshake-failed'));
    const fresh = new Initiator({
      staticKeys: phone,
      remoteStatic: daemon.publicKey,
      psk: CONNECT_PSK,
    });
    expect(() => fresh.readMessage2(new Uint8Array(48))).toThrow(failsWith('handshake-failed'));
  });

  it.each([
    { name: 'a short remote key', opts: { remoteStatic: new Uint8Array(31) } },
    { name: 'a short psk', opts: { psk: new Uint8Array(16) } },
    {
      name: 'a public key of another pair',
      opts: { staticKeys: { ...phone, publicKey: daemon.publicKey } },
    },
  ])('refuses $name', ({ opts }) => {
    expect(
      () =>
        new Initiator({
          staticKeys: phone,
          remoteStatic: daemon.publicKey,
          psk: CONNECT_PSK,
          ...opts,
        }),
    ).toThrow(failsWith('bad-encoding'));
  });

  it('a replayed message 1 reads again (IK) but gives a session only the real phone could have had', () => {
    const { initiator, responder, message1 } = handshake({});
    responder.readMessage1(message1);
    const { channel: daemonChannel, message } = responder.writeMessage2(utf8('{}'));
    const { channel: phoneChannel } = initiator.readMessage2(message);

    const replayed = new Responder({ staticKeys: daemon, psk: CONNECT_PSK });
    expect(replayed.readMessage1(message1).remoteStatic).toEqual(phone.publicKey);
    const { channel: replayChannel } = replayed.writeMessage2(utf8('{}'));
    // The daemon's second ephemeral makes new keys: nothing the relay saw opens it.
    expect(replayChannel.handshakeHash).not.toEqual(daemonChannel.handshakeHash);
    expect(() => replayChannel.open(phoneChannel.seal(utf8('x')))).toThrow(
      failsWith('decrypt-failed'),
    );
  });

  it('forward secrecy smoke test: the same static keys give different session keys each time', () => {
    const sessions = [0, 1].map(() => {
      const { initiator, responder, message1 } = handshake({});
      responder.readMessage1(message1);
      const { message, channel: daemonChannel } = responder.writeMessage2(utf8('{}'));
      return { phone: initiator.readMessage2(message).channel, daemon: daemonChannel, message1 };
    });
    const [a, b] = sessions as [(typeof sessions)[0], (typeof sessions)[0]];
    expect(a.message1.subarray(0, 32)).not.toEqual(b.message1.subarray(0, 32));
    expect(a.phone.handshakeHash).not.toEqual(b.phone.handshakeHash);
    const same = utf8('same plaintext, same position');
    const frameA = a.phone.seal(same);
    const frameB = b.phone.seal(same);
    expect(frameA).not.toEqual(frameB);
    expect(() => b.daemon.open(frameA)).toThrow(failsWith('decrypt-failed'));
    expect(text(a.daemon.open(frameA))).toBe(text(same));
  });
});

describe('the Loopsy vector (docs/protocol-e2e.md)', () => {
  // Self-generated, so a regression pin rather than proof; the machinery that makes it matches the
  // cacophony IKpsk1 vectors and noise-handshake. Keys are the cacophony ones; prologue and psk are ours.
  const hex = (t: string): Uint8Array =>
    Uint8Array.from(t.match(/../g) ?? [], (b) => parseInt(b, 16));
  const toHex = (b: Uint8Array): string =>
    Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');

  it('pairing with code 0427 and nonce "nonce-abc"', () => {
    const key = (h: string): KeyPair => keyPairFromPrivate(hex(h));
    const phoneKeys = key('e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1');
    const daemonKeys = key('4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893');
    const psk = pairingPsk('0427', 'nonce-abc');
    const initiator = new HandshakeState({
      pattern: IK_PSK1,
      initiator: true,
      prologue: PROLOGUE,
      s: phoneKeys,
      e: key('893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a'),
      rs: daemonKeys.publicKey,
      psk,
    });
    const responder = new HandshakeState({
      pattern: IK_PSK1,
      initiator: false,
      prologue: PROLOGUE,
      s: daemonKeys,
      e: key('bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b'),
      psk,
    });
    const m1 = initiator.writeMessage(utf8('{"name":"phone"}')).message;
    expect(toHex(m1)).toBe(
      'ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c7944' +
        'ac58a6c31948ce200911c5b27b67f1c4d1bed490532dd94ed17164fcc5784d37' +
        'd7c007d9e070f2e81764c663bbab1ffd' +
        '150cc0b1327cda49d4fe5e9e6bfa1212b74bfa3ceb3518965c431d1a999d0509',
    );
    expect(text(responder.readMessage(m1).payload)).toBe('{"name":"phone"}');
    const m2 = responder.writeMessage(utf8('{}'));
    expect(toHex(m2.message)).toBe(
      '95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f144808843' +
        '54b4c1f70e8d6a080beff8d23b4684492d26',
    );
    const { transport } = initiator.readMessage(m2.message);
    expect(toHex(transport!.handshakeHash)).toBe(
      '837eac1ed5cbfc4315d9667219b0f8a1101b95c702527b4f2d2ace8a9c79640d',
    );
    // The phone's first frame: type 0x00 then "hello", sealed with n = 0 and empty associated data.
    const frame = new SecureChannel(transport!).seal(utf8('hello'));
    expect(toHex(frame)).toBe('579d0ddbe7858e24975f74b3ca8197ec1752a26575fe');
    expect(text(new SecureChannel(m2.transport!).open(frame))).toBe('hello');
  });
});
