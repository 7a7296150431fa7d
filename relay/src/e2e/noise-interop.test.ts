// Interoperability with an independent Noise implementation: Holepunch's `noise-handshake` (libsodium).
// It only speaks BLAKE2b, so these tests run the generic machinery as Noise_*_25519_ChaChaPoly_BLAKE2b.
import { blake2b } from '@noble/hashes/blake2.js';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { keyPairFromPrivate } from './keys.js';
import {
  HandshakeState,
  IK,
  IK_PSK1,
  protocolName,
  type HandshakePattern,
  type NoiseHash,
  type TransportCiphers,
} from './noise.js';

interface NhKeyPair {
  publicKey: Uint8Array;
  secretKey: Uint8Array;
}
interface NhCurve {
  generateKeyPair(privateKey?: Uint8Array): NhKeyPair;
}
interface NhState {
  s: NhKeyPair;
  psk: Uint8Array | null;
  tx: Uint8Array | null;
  rx: Uint8Array | null;
  rs: Uint8Array | null;
  hash: Uint8Array | null;
  complete: boolean;
  protocol: Uint8Array;
  handshake: unknown[];
  isPskHandshake: boolean;
  initialise(prologue: Uint8Array, remoteStatic?: Uint8Array): void;
  send(payload?: Uint8Array): Uint8Array;
  recv(message: Uint8Array): Uint8Array;
}
type NhNoise = new (
  pattern: string,
  initiator: boolean,
  staticKeyPair?: NhKeyPair,
  opts?: { psk?: Uint8Array; curve?: NhCurve },
) => NhState;
interface NhCipher {
  encrypt(plaintext: Uint8Array, ad?: Uint8Array): Uint8Array;
  decrypt(ciphertext: Uint8Array, ad?: Uint8Array): Uint8Array;
}

const require = createRequire(import.meta.url);
const Noise = require('noise-handshake') as NhNoise;
const Cipher = require('noise-handshake/cipher') as new (key: Uint8Array) => NhCipher;
const nhCurve = require('noise-handshake/dh') as NhCurve;

const BLAKE2B: NoiseHash = { name: 'BLAKE2b', fn: blake2b };
const NN_PSK0: HandshakePattern = {
  name: 'NNpsk0',
  initiatorPreMessage: [],
  responderPreMessage: [],
  messages: [
    ['psk', 'e'],
    ['e', 'ee'],
  ],
};

const hex = (text: string): Uint8Array =>
  Uint8Array.from(text.match(/../g) ?? [], (b) => parseInt(b, 16));
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);
const empty = new Uint8Array(0);

const prologue = utf8('loopsy-e2e-v1');
const psk = hex('54686973206973206d7920417573747269616e20706572737065637469766521');
const initStatic = keyPairFromPrivate(
  hex('e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1'),
);
const initEphemeral = keyPairFromPrivate(
  hex('893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a'),
);
const respStatic = keyPairFromPrivate(
  hex('4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893'),
);
const respEphemeral = keyPairFromPrivate(
  hex('bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b'),
);

const nhKeys = (k: { publicKey: Uint8Array; privateKey: Uint8Array }): NhKeyPair => ({
  publicKey: k.publicKey.slice(),
  secretKey: k.privateKey.slice(),
});

/** noise-handshake draws ephemerals from its curve module; a fixed one makes both sides' bytes comparable. */
const fixedCurve = (ephemeral: { publicKey: Uint8Array; privateKey: Uint8Array }): NhCurve => ({
  ...nhCurve,
  generateKeyPair: () => nhKeys(ephemeral),
});

/**
 * noise-handshake lists psk0 patterns only, but its message loop handles the psk token anywhere. Its
 * token symbols are private, so they are taken from its own IK and NNpsk0 tables to build IKpsk1.
 */
function nhState(pattern: HandshakePattern, initiator: boolean): NhState {
  const ephemeral = initiator ? initEphemeral : respEphemeral;
  const opts = { psk: psk.slice(), curve: fixedCurve(ephemeral) };
  const s = nhKeys(initiator ? initStatic : respStatic);
  if (pattern !== IK_PSK1) return new Noise(pattern.name, initiator, s, opts);
  const state = new Noise('IK', initiator, s, opts);
  const pskToken = (new Noise('NNpsk0', true, undefined, opts).handshake[0] as unknown[])[0];
  const [preMessage, message1, message2] = state.handshake as [unknown, unknown[], unknown[]];
  state.handshake = [preMessage, [...message1, pskToken], message2];
  state.isPskHandshake = true;
  state.protocol = utf8(protocolName(IK_PSK1, BLAKE2B));
  return state;
}

function ourState(pattern: HandshakePattern, initiator: boolean): HandshakeState {
  const usesStatic = pattern !== NN_PSK0;
  return new HandshakeState({
    pattern,
    initiator,
    prologue,
    hash: BLAKE2B,
    e: initiator ? initEphemeral : respEphemeral,
    ...(usesStatic ? { s: initiator ? initStatic : respStatic } : {}),
    ...(usesStatic && initiator ? { rs: respStatic.publicKey } : {}),
    ...(pattern === IK ? {} : { psk }),
  });
}

/** Both directions: our sender against theirs and back, with byte-equal ciphertexts as the key check. */
function exchange(ours: TransportCiphers, theirs: NhState): void {
  const theirSend = new Cipher(theirs.tx!);
  const theirReceive = new Cipher(theirs.rx!);
  const toThem = utf8('from the generic machinery');
  const sealedByUs = ours.send.encryptWithAd(empty, toThem);
  expect(sealedByUs).toEqual(new Uint8Array(new Cipher(theirs.rx!).encrypt(toThem)));
  expect(new Uint8Array(theirReceive.decrypt(sealedByUs))).toEqual(toThem);
  const toUs = utf8('from noise-handshake');
  expect(ours.receive.decryptWithAd(empty, theirSend.encrypt(toUs))).toEqual(toUs);
}

const PATTERNS = [
  { pattern: IK, note: 'the pattern it lists' },
  { pattern: NN_PSK0, note: 'its own psk pattern' },
  { pattern: IK_PSK1, note: 'its psk token placed at psk1' },
];

describe('interop with noise-handshake (BLAKE2b)', () => {
  it.each(PATTERNS)('$pattern.name ($note): we initiate, it responds', ({ pattern }) => {
    const us = ourState(pattern, true);
    const them = nhState(pattern, false);
    them.initialise(prologue);

    const m1 = us.writeMessage(utf8('hello responder'));
    expect(new Uint8Array(them.recv(m1.message))).toEqual(utf8('hello responder'));
    const m2 = new Uint8Array(them.send(utf8('hello initiator')));
    const { payload, transport } = us.readMessage(m2);
    expect(payload).toEqual(utf8('hello initiator'));

    expect(them.complete).toBe(true);
    expect(transport!.handshakeHash).toEqual(new Uint8Array(them.hash!));
    if (pattern !== NN_PSK0) expect(new Uint8Array(them.rs!)).toEqual(initStatic.publicKey);
    exchange(transport!, them);
  });

  it.each(PATTERNS)('$pattern.name ($note): it initiates, we respond', ({ pattern }) => {
    const them = nhState(pattern, true);
    them.initialise(prologue, pattern === NN_PSK0 ? undefined : respStatic.publicKey);
    const us = ourState(pattern, false);

    const m1 = new Uint8Array(them.send(utf8('hello responder')));
    expect(us.readMessage(m1).payload).toEqual(utf8('hello responder'));
    if (pattern !== NN_PSK0) expect(us.remoteStatic).toEqual(initStatic.publicKey);
    const m2 = us.writeMessage(utf8('hello initiator'));
    expect(new Uint8Array(them.recv(m2.message))).toEqual(utf8('hello initiator'));

    expect(them.complete).toBe(true);
    expect(m2.transport!.handshakeHash).toEqual(new Uint8Array(them.hash!));
    exchange(m2.transport!, them);
  });

  it('both implementations write the same bytes from the same keys', () => {
    for (const { pattern } of PATTERNS) {
      const ours = ourState(pattern, true).writeMessage(utf8('same')).message;
      const theirs = nhState(pattern, true);
      theirs.initialise(prologue, pattern === NN_PSK0 ? undefined : respStatic.publicKey);
      expect(ours).toEqual(new Uint8Array(theirs.send(utf8('same'))));
    }
  });

  it('a wrong psk at psk1 fails on both sides alike', () => {
    const them = nhState(IK_PSK1, true);
    them.psk = new Uint8Array(32).fill(1);
    them.initialise(prologue, respStatic.publicKey);
    const us = ourState(IK_PSK1, false);
    expect(() => us.readMessage(new Uint8Array(them.send(utf8('x'))))).toThrow(
      expect.objectContaining({ code: 'decrypt-failed' }),
    );
  });
});
