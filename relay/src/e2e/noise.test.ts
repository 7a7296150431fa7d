import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import { E2EError } from './errors.js';
import { keyPairFromPrivate } from './keys.js';
import {
  CipherState,
  dh,
  HandshakeState,
  IK,
  IK_PSK1,
  noiseHkdf,
  protocolName,
  SHA256,
  SymmetricState,
  type HandshakePattern,
} from './noise.js';

const hex = (text: string): Uint8Array => {
  const clean = text.replace(/[\s:]/g, '');
  return Uint8Array.from(clean.match(/../g) ?? [], (b) => parseInt(b, 16));
};
const toHex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

describe('primitives, through the functions the Noise code calls', () => {
  it.each([
    {
      name: 'RFC 7748 §5.2 vector 1',
      scalar: 'a546e36bf0527c9d3b16154b82465edd62144c0ac1fc5a18506a2244ba449ac4',
      u: 'e6db6867583030db3594c1a424b15f7c726624ec26b3353b10a903a6d0ab1c4c',
      out: 'c3da55379de9c6908e94ea4df28d084f32eccf03491c71f754b4075577a28552',
    },
    {
      name: 'RFC 7748 §5.2 vector 2',
      scalar: '4b66e9d4d1b4673c5ad22691957d6af5c11b6421e0ea01d42ca4169e7918ba0d',
      u: 'e5210f12786811d3f4b7959d0538ae2c31dbe7106fc03c3efc4cd549c715a493',
      out: '95cbde9476e8907d7aade45cb4b873f88b595a68799fa152e6f8f7647aac7957',
    },
  ])('X25519 $name', ({ scalar, u, out }) => {
    expect(toHex(dh(hex(scalar), hex(u)))).toBe(out);
  });

  it('X25519 RFC 7748 §5.2 iterated from k = u = 9: after 1 and 1,000 rounds', () => {
    let k: Uint8Array = new Uint8Array(32);
    k[0] = 9;
    let u: Uint8Array = k.slice();
    const after: Record<number, string> = {};
    for (let round = 1; round <= 1000; round++) {
      [k, u] = [dh(k, u), k];
      if (round === 1 || round === 1000) after[round] = toHex(k);
    }
    expect(after).toEqual({
      1: '422c8e7a6227d7bca1350b3e2bb7279f7897b87bb6854b783c60e80311ae3079',
      1000: '684cf59ba83309552800ef566f2f4d3c1c3887c49360e3875f2eb94d99532c51',
    });
  });

  it('X25519 RFC 7748 §6.1 Diffie-Hellman', () => {
    const alice = keyPairFromPrivate(
      hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a'),
    );
    const bob = keyPairFromPrivate(
      hex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb'),
    );
    expect(toHex(alice.publicKey)).toBe(
      '8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a',
    );
    expect(toHex(bob.publicKey)).toBe(
      'de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f',
    );
    const shared = '4a5d9d5ba4ce2de1728e3bf480350f25e07e21c947d19e3376f09b3c1e161742';
    expect(toHex(dh(alice.privateKey, bob.publicKey))).toBe(shared);
    expect(toHex(dh(bob.privateKey, alice.publicKey))).toBe(shared);
  });

  it('X25519 refuses a low-order public key as a handshake failure', () => {
    const keys = keyPairFromPrivate(new Uint8Array(32).fill(7));
    expect(() => dh(keys.privateKey, new Uint8Array(32))).toThrow(E2EError);
  });

  it('ChaCha20-Poly1305 RFC 8439 §2.8.2', () => {
    const key = Uint8Array.from({ length: 32 }, (_, i) => 0x80 + i);
    const nonce = hex('07000000 4041424344454647');
    const aad = hex('50515253c0c1c2c3c4c5c6c7');
    const plaintext = utf8(
      "Ladies and Gentlemen of the class of '99: If I could offer you only one tip for the future, sunscreen would be it.",
    );
    const ciphertext = hex(`
      d31a8d34648e60db7b86afbc53ef7ec2 a4aded51296e08fea9e2b5a736ee62d6
      3dbea45e8ca9671282fafb69da92728b 1a71de0a9e060b2905d6a5b67ecd3b36
      92ddbd7f2d778b8c9803aee328091b58 fab324e4fad675945585808b4831d7bc
      3ff4def08e4b7a9de576d26586cec64b 6116`);
    const tag = hex('1ae10b594f09e26a7e902ecbd0600691');
    const sealed = chacha20poly1305(key, nonce, aad).encrypt(plaintext);
    expect(toHex(sealed)).toBe(toHex(ciphertext) + toHex(tag));
    expect(chacha20poly1305(key, nonce, aad).decrypt(sealed)).toEqual(plaintext);
  });

  it.each([
    {
      name: 'RFC 4231 test case 1',
      key: new Uint8Array(20).fill(0x0b),
      data: utf8('Hi There'),
      mac: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7',
    },
    {
      name: 'RFC 4231 test case 2',
      key: utf8('Jefe'),
      data: utf8('what do ya want for nothing?'),
      mac: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843',
    },
  ])('HMAC-SHA256 $name', ({ key, data, mac }) => {
    expect(toHex(hmac(sha256, key, data))).toBe(mac);
  });

  it('SHA-256 FIPS 180-2 "abc"', () => {
    expect(toHex(sha256(utf8('abc')))).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    );
  });

  it('HKDF-SHA256 RFC 5869 test case 1', () => {
    const okm = hkdf(
      sha256,
      new Uint8Array(22).fill(0x0b),
      hex('000102030405060708090a0b0c'),
      hex('f0f1f2f3f4f5f6f7f8f9'),
      42,
    );
    expect(toHex(okm)).toBe(
      '3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf34007208d5b887185865',
    );
  });

  it('Noise HKDF equals the spec text: temp = HMAC(ck, ikm); out_i = HMAC(temp, out_i-1 || i)', () => {
    const ck = sha256(utf8('chaining key'));
    const ikm = utf8('input key material');
    const temp = hmac(sha256, ck, ikm);
    const out1 = hmac(sha256, temp, Uint8Array.of(1));
    const out2 = hmac(sha256, temp, Uint8Array.of(...out1, 2));
    const out3 = hmac(sha256, temp, Uint8Array.of(...out2, 3));
    expect(noiseHkdf(SHA256, ck, ikm, 3)).toEqual([out1, out2, out3]);
    expect(noiseHkdf(SHA256, ck, ikm, 2)).toEqual([out1, out2]);
  });
});

describe('CipherState', () => {
  it('uses 4 zero bytes + the 64-bit little-endian counter as the nonce', () => {
    const key = sha256(utf8('k'));
    const cs = new CipherState(key);
    cs.setNonce(0x0102030405060708n);
    const ad = utf8('ad');
    const expected = chacha20poly1305(key, hex('00000000 0807060504030201'), ad).encrypt(utf8('x'));
    expect(cs.encryptWithAd(ad, utf8('x'))).toEqual(expected);
  });

  it('passes data through before a key is set', () => {
    const cs = new CipherState();
    expect(cs.hasKey()).toBe(false);
    expect(cs.encryptWithAd(new Uint8Array(0), utf8('plain'))).toEqual(utf8('plain'));
  });

  it('Rekey() = first 32 bytes of ENCRYPT(k, 2^64-1, empty, 32 zero bytes), nonce kept', () => {
    const key = sha256(utf8('k'));
    const next = chacha20poly1305(key, hex('00000000 ffffffffffffffff'), new Uint8Array(0))
      .encrypt(new Uint8Array(32))
      .slice(0, 32);
    const cs = new CipherState(key);
    cs.encryptWithAd(new Uint8Array(0), utf8('first'));
    cs.rekey();
    const expected = chacha20poly1305(next, hex('00000000 0100000000000000')).encrypt(utf8('y'));
    expect(cs.encryptWithAd(new Uint8Array(0), utf8('y'))).toEqual(expected);
  });

  it('refuses the reserved nonce 2^64-1', () => {
    const cs = new CipherState(sha256(utf8('k')));
    cs.setNonce(2n ** 64n - 1n);
    expect(() => cs.encryptWithAd(new Uint8Array(0), utf8('x'))).toThrow(E2EError);
  });

  it('does not advance the nonce when a decryption fails', () => {
    const key = sha256(utf8('k'));
    const sender = new CipherState(key);
    const receiver = new CipherState(key);
    const frame = sender.encryptWithAd(new Uint8Array(0), utf8('hello'));
    const bad = frame.slice();
    bad[0]! ^= 1;
    expect(() => receiver.decryptWithAd(new Uint8Array(0), bad)).toThrow(
      expect.objectContaining({ code: 'decrypt-failed' }),
    );
    expect(receiver.decryptWithAd(new Uint8Array(0), frame)).toEqual(utf8('hello'));
  });
});

describe('SymmetricState', () => {
  it('pads a short protocol name to HASHLEN and hashes a long one', () => {
    const short = new SymmetricState(SHA256, 'Noise_IK_25519_ChaChaPoly_SHA256');
    const padded = new Uint8Array(32);
    padded.set(utf8('Noise_IK_25519_ChaChaPoly_SHA256'));
    expect(short.handshakeHash()).toEqual(padded);
    const name = 'Noise_IKpsk1_25519_ChaChaPoly_SHA256';
    expect(new SymmetricState(SHA256, name).handshakeHash()).toEqual(sha256(utf8(name)));
  });
});

/**
 * The cacophony test vectors for these two protocol names (the shared Noise vectors also run by snow and
 * noise-c): initiator = "local", responder = "remote", payloads alternate starting with the initiator;
 * messages 3..6 are transport messages.
 */
const CACOPHONY = {
  prologue: utf8('John Galt'),
  initStatic: 'e61ef9919cde45dd5f82166404bd08e38bceb5dfdfded0a34c8df7ed542214d1',
  initEphemeral: '893e28b9dc6ca8d611ab664754b8ceb7bac5117349a4439a6b0569da977c464a',
  respStatic: '4a3acbfdb163dec651dfa3194dece676d437029c62a408b4c5ea9114246e4893',
  respEphemeral: 'bbdb4cdbd309f1a1f2e1456967fe288cadd6f712d65dc7b7793d5e63da6b375b',
  payloads: [
    '4c756477696720766f6e204d69736573',
    '4d757272617920526f746862617264',
    '462e20412e20486179656b',
    '4361726c204d656e676572',
    '4a65616e2d426170746973746520536179',
    '457567656e2042f6686d20766f6e2042617765726b',
  ],
};

const VECTORS: {
  pattern: HandshakePattern;
  psk?: string;
  handshakeHash: string;
  ciphertexts: string[];
}[] = [
  {
    pattern: IK,
    handshakeHash: '0b0f68fb0c27e03ce9b97565995ed4838cc0581b762ef72b062f6a546419fad7',
    ciphertexts: [
      `ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c7944
       718da798efbcd91528520204f904b9bd6c7413dccdc214d951e15253e39987f1
       8146e8cd0873654207148333479d4d16 c289f0294b29960a72f48e0b7bba2e89
       083169825e59642148d492020664ccf7`,
      `95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f144808843
       5361e70b2ed446e6c9ec387d1d6b3b 840f194e373979d241b203c4acafccf5`,
      '050e9f3c8fac16b68dbce8f8c4bfbf6617c897f9ada4aa29aa19c8',
      '344233a6cabb7141d80f3da2fedc311d9646bbb0f505afe403a667',
      '62cdeeb172ad7ade7aa7d9e069da5790f12331bfa00177787a1d0810c67dc3b2b4',
      '029bead1b40992327044d409d9a1f3ad8f36c3c452775d557e18bbeb2e8dfcead32d514024',
    ],
  },
  {
    pattern: IK_PSK1,
    psk: '54686973206973206d7920417573747269616e20706572737065637469766521',
    handshakeHash: '3ad252ed6f724c52da3450383b7d8b806c183e1ef157bbe0465ad24997ec4717',
    ciphertexts: [
      `ca35def5ae56cec33dc2036731ab14896bc4c75dbb07a61f879f8e3afa4c7944
       ac58a6c31948ce200911c5b27b67f1c4d1bed490532dd94ed17164fcc5784d37
       30fc302b70cc0f19beedaeb56bd974c0 e57d747d11534c746eb2a32ac3fde3e4
       cdf6c3a4705762a6c6ca664b3bc89490`,
      `95ebc60d2b1fa672c1f46a8aa265ef51bfe38e7ccb39ec5be34069f144808843
       846a944a0652fb390d213d0700d5ae 8fef7aad0ecc79a9216d15de5d7f3ee4`,
      '5d872673f64813a47a00369b15c8da92691605ad71ba019de8e718',
      '2045266a750b6af2547f7eb1391058196b742d0aac4b3a1bcc1913',
      '9ec47ed0e7628c7d7a4eed631b963740ac2fd754eadaa9232e99054af4f7b29174',
      '310e359407350594cfb96eb4596e35677d4a71ceb42aa8cbba097bb9e7150b0d1bd749c4aa',
    ],
  },
];

describe('Noise handshakes against the cacophony vectors', () => {
  it.each(VECTORS)('$pattern.name reproduces every message byte for byte', (vector) => {
    const initStatic = keyPairFromPrivate(hex(CACOPHONY.initStatic));
    const respStatic = keyPairFromPrivate(hex(CACOPHONY.respStatic));
    const psk = vector.psk === undefined ? {} : { psk: hex(vector.psk) };
    const initiator = new HandshakeState({
      pattern: vector.pattern,
      initiator: true,
      prologue: CACOPHONY.prologue,
      s: initStatic,
      e: keyPairFromPrivate(hex(CACOPHONY.initEphemeral)),
      rs: respStatic.publicKey,
      ...psk,
    });
    const responder = new HandshakeState({
      pattern: vector.pattern,
      initiator: false,
      prologue: CACOPHONY.prologue,
      s: respStatic,
      e: keyPairFromPrivate(hex(CACOPHONY.respEphemeral)),
      ...psk,
    });
    const [p0, p1, ...transportPayloads] = CACOPHONY.payloads.map(hex);
    const [c0, c1, ...transportCiphertexts] = vector.ciphertexts;

    const m1 = initiator.writeMessage(p0!);
    expect(toHex(m1.message)).toBe(toHex(hex(c0!)));
    expect(responder.readMessage(m1.message).payload).toEqual(p0);
    expect(responder.remoteStatic).toEqual(initStatic.publicKey);

    const m2 = responder.writeMessage(p1!);
    expect(toHex(m2.message)).toBe(toHex(hex(c1!)));
    const read2 = initiator.readMessage(m2.message);
    expect(read2.payload).toEqual(p1);

    const init = read2.transport!;
    const resp = m2.transport!;
    expect(toHex(init.handshakeHash)).toBe(vector.handshakeHash);
    expect(toHex(resp.handshakeHash)).toBe(vector.handshakeHash);

    const empty = new Uint8Array(0);
    transportPayloads.forEach((payload, i) => {
      const [from, to] = i % 2 === 0 ? [init, resp] : [resp, init];
      const ciphertext = from.send.encryptWithAd(empty, payload);
      expect(toHex(ciphertext)).toBe(transportCiphertexts[i]);
      expect(to.receive.decryptWithAd(empty, ciphertext)).toEqual(payload);
    });
  });

  it('names the protocols as the spec does', () => {
    expect(protocolName(IK, SHA256)).toBe('Noise_IK_25519_ChaChaPoly_SHA256');
    expect(protocolName(IK_PSK1, SHA256)).toBe('Noise_IKpsk1_25519_ChaChaPoly_SHA256');
  });
});

describe('HandshakeState', () => {
  const respStatic = keyPairFromPrivate(hex(CACOPHONY.respStatic));
  const initStatic = keyPairFromPrivate(hex(CACOPHONY.initStatic));
  const base = { pattern: IK, prologue: utf8('p') };

  it('refuses messages out of turn', () => {
    const initiator = new HandshakeState({
      ...base,
      initiator: true,
      s: initStatic,
      rs: respStatic.publicKey,
    });
    expect(() => initiator.readMessage(new Uint8Array(100))).toThrow(
      expect.objectContaining({ code: 'handshake-failed' }),
    );
    const responder = new HandshakeState({ ...base, initiator: false, s: respStatic });
    expect(() => responder.writeMessage(new Uint8Array(0))).toThrow(
      expect.objectContaining({ code: 'handshake-failed' }),
    );
  });

  it('requires the pre-message key and a 32-byte psk in psk patterns', () => {
    expect(() => new HandshakeState({ ...base, initiator: true, s: initStatic })).toThrow(E2EError);
    expect(
      () =>
        new HandshakeState({
          pattern: IK_PSK1,
          prologue: utf8('p'),
          initiator: false,
          s: respStatic,
          psk: new Uint8Array(31),
        }),
    ).toThrow(expect.objectContaining({ code: 'bad-encoding' }));
  });

  it('stays failed after a failed read', () => {
    const responder = new HandshakeState({ ...base, initiator: false, s: respStatic });
    const initiator = new HandshakeState({
      ...base,
      initiator: true,
      s: initStatic,
      rs: respStatic.publicKey,
    });
    const { message } = initiator.writeMessage(utf8('hi'));
    expect(() => responder.readMessage(message.subarray(0, 40))).toThrow(E2EError);
    expect(() => responder.readMessage(message)).toThrow(/already failed/);
  });
});
