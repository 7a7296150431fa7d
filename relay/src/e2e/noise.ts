// Owns the Noise Protocol Framework rev 34 state machines (CipherState, SymmetricState, HandshakeState)
// for 25519 + ChaChaPoly with a pluggable hash, driven by any handshake pattern's token lists.
import { chacha20poly1305 } from '@noble/ciphers/chacha.js';
import { x25519 } from '@noble/curves/ed25519.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { type CHash } from '@noble/hashes/utils.js';
import { E2EError } from './errors.js';
import { generateKeyPair, type KeyPair } from './keys.js';

export const DHLEN = 32;
export const TAGLEN = 16;
/** Noise §3: no handshake message is longer. */
export const MAX_NOISE_MESSAGE = 65535;
const KEYLEN = 32;
const MAX_NONCE = 2n ** 64n - 1n;
const EMPTY = new Uint8Array(0);

export interface NoiseHash {
  /** The name in the protocol name, e.g. `SHA256`. */
  readonly name: string;
  readonly fn: CHash;
}

export const SHA256: NoiseHash = { name: 'SHA256', fn: sha256 };

export type PreMessageToken = 'e' | 's';
export type MessageToken = 'e' | 's' | 'ee' | 'es' | 'se' | 'ss' | 'psk';

export interface HandshakePattern {
  /** The pattern and its modifiers as they appear in the protocol name, e.g. `IKpsk1`. */
  readonly name: string;
  readonly initiatorPreMessage: readonly PreMessageToken[];
  readonly responderPreMessage: readonly PreMessageToken[];
  /** Alternating messages, the first from the initiator. */
  readonly messages: readonly (readonly MessageToken[])[];
}

export const IK: HandshakePattern = {
  name: 'IK',
  initiatorPreMessage: [],
  responderPreMessage: ['s'],
  messages: [
    ['e', 'es', 's', 'ss'],
    ['e', 'ee', 'se'],
  ],
};

export const IK_PSK1: HandshakePattern = {
  name: 'IKpsk1',
  initiatorPreMessage: [],
  responderPreMessage: ['s'],
  messages: [
    ['e', 'es', 's', 'ss', 'psk'],
    ['e', 'ee', 'se'],
  ],
};

export function protocolName(pattern: HandshakePattern, hash: NoiseHash): string {
  return `Noise_${pattern.name}_25519_ChaChaPoly_${hash.name}`;
}

export function dh(privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  try {
    return x25519.getSharedSecret(privateKey, publicKey);
  } catch (cause) {
    // noble refuses low-order points; Noise lets DH() signal that as an error.
    throw new E2EError('handshake-failed', 'Invalid X25519 public key.', { cause });
  }
}

/** Noise §4.3 HKDF = RFC 5869 with salt = chaining key and empty info, cut into HASHLEN outputs. */
export function noiseHkdf(
  hash: NoiseHash,
  chainingKey: Uint8Array,
  inputKeyMaterial: Uint8Array,
  outputs: 2,
): [Uint8Array, Uint8Array];
export function noiseHkdf(
  hash: NoiseHash,
  chainingKey: Uint8Array,
  inputKeyMaterial: Uint8Array,
  outputs: 3,
): [Uint8Array, Uint8Array, Uint8Array];
export function noiseHkdf(
  hash: NoiseHash,
  chainingKey: Uint8Array,
  inputKeyMaterial: Uint8Array,
  outputs: 2 | 3,
): Uint8Array[] {
  const len = hash.fn.outputLen;
  const okm = hkdf(hash.fn, inputKeyMaterial, chainingKey, EMPTY, outputs * len);
  return Array.from({ length: outputs }, (_, i) => okm.slice(i * len, (i + 1) * len));
}

/** 4 zero bytes, then the 64-bit counter little-endian (Noise §12.3). */
function chachaNonce(n: bigint): Uint8Array {
  const nonce = new Uint8Array(12);
  new DataView(nonce.buffer).setBigUint64(4, n, true);
  return nonce;
}

export class CipherState {
  #k: Uint8Array | undefined;
  #n = 0n;

  constructor(key?: Uint8Array) {
    if (key) this.initializeKey(key);
  }

  initializeKey(key: Uint8Array | undefined): void {
    this.#k = key?.slice();
    this.#n = 0n;
  }

  hasKey(): boolean {
    return this.#k !== undefined;
  }

  setNonce(nonce: bigint): void {
    this.#n = nonce;
  }

  encryptWithAd(ad: Uint8Array, plaintext: Uint8Array): Uint8Array {
    if (!this.#k) return plaintext;
    // 2^64-1 is reserved for Rekey(); reaching it means this key is used up.
    if (this.#n >= MAX_NONCE) throw new E2EError('closed', 'The nonce space is exhausted.');
    const ciphertext = chacha20poly1305(this.#k, chachaNonce(this.#n), ad).encrypt(plaintext);
    this.#n++;
    return ciphertext;
  }

  /** On failure the nonce stays put (Noise §5.1); callers here abandon the state anyway. */
  decryptWithAd(ad: Uint8Array, ciphertext: Uint8Array): Uint8Array {
    if (!this.#k) return ciphertext;
    if (this.#n >= MAX_NONCE) throw new E2EError('closed', 'The nonce space is exhausted.');
    let plaintext: Uint8Array;
    try {
      plaintext = chacha20poly1305(this.#k, chachaNonce(this.#n), ad).decrypt(ciphertext);
    } catch (cause) {
      throw new E2EError('decrypt-failed', undefined, { cause });
    }
    this.#n++;
    return plaintext;
  }

  /** REKEY(k) = the first 32 bytes of ENCRYPT(k, maxnonce, zerolen, zeros) (Noise §4.2); n is kept. */
  rekey(): void {
    if (!this.#k) throw new E2EError('closed', 'No key to rotate.');
    const next = chacha20poly1305(this.#k, chachaNonce(MAX_NONCE), EMPTY).encrypt(
      new Uint8Array(KEYLEN),
    );
    this.#k = next.slice(0, KEYLEN);
  }
}

export class SymmetricState {
  readonly cipher = new CipherState();
  #ck: Uint8Array;
  #h: Uint8Array;

  constructor(
    readonly hash: NoiseHash,
    name: string,
  ) {
    const bytes = new TextEncoder().encode(name);
    const len = hash.fn.outputLen;
    if (bytes.length <= len) {
      this.#h = new Uint8Array(len);
      this.#h.set(bytes);
    } else {
      this.#h = hash.fn(bytes);
    }
    this.#ck = this.#h.slice();
  }

  mixKey(inputKeyMaterial: Uint8Array): void {
    const [ck, tempK] = noiseHkdf(this.hash, this.#ck, inputKeyMaterial, 2);
    this.#ck = ck;
    this.cipher.initializeKey(tempK.subarray(0, KEYLEN));
  }

  mixHash(data: Uint8Array): void {
    const joined = new Uint8Array(this.#h.length + data.length);
    joined.set(this.#h);
    joined.set(data, this.#h.length);
    this.#h = this.hash.fn(joined);
  }

  mixKeyAndHash(inputKeyMaterial: Uint8Array): void {
    const [ck, tempH, tempK] = noiseHkdf(this.hash, this.#ck, inputKeyMaterial, 3);
    this.#ck = ck;
    this.mixHash(tempH);
    this.cipher.initializeKey(tempK.subarray(0, KEYLEN));
  }

  handshakeHash(): Uint8Array {
    return this.#h.slice();
  }

  encryptAndHash(plaintext: Uint8Array): Uint8Array {
    const ciphertext = this.cipher.encryptWithAd(this.#h, plaintext);
    this.mixHash(ciphertext);
    return ciphertext;
  }

  decryptAndHash(ciphertext: Uint8Array): Uint8Array {
    const plaintext = this.cipher.decryptWithAd(this.#h, ciphertext);
    this.mixHash(ciphertext);
    return plaintext;
  }

  split(): [CipherState, CipherState] {
    const [k1, k2] = noiseHkdf(this.hash, this.#ck, EMPTY, 2);
    return [new CipherState(k1.subarray(0, KEYLEN)), new CipherState(k2.subarray(0, KEYLEN))];
  }
}

/** The result of the last handshake message: one CipherState per direction, from this side's view. */
export interface TransportCiphers {
  send: CipherState;
  receive: CipherState;
  handshakeHash: Uint8Array;
}

export interface HandshakeOptions {
  pattern: HandshakePattern;
  initiator: boolean;
  prologue: Uint8Array;
  hash?: NoiseHash;
  /** Local static key pair, if the pattern uses one. */
  s?: KeyPair;
  /** Local ephemeral key pair; generated when the `e` token is written. Fixed only for test vectors. */
  e?: KeyPair;
  /** Remote static public key, if known before the handshake (a pre-message). */
  rs?: Uint8Array;
  /** Remote ephemeral public key, if a pre-message carries it. */
  re?: Uint8Array;
  /** The pre-shared key, used for every `psk` token. */
  psk?: Uint8Array;
}

export class HandshakeState {
  readonly #ss: SymmetricState;
  readonly #initiator: boolean;
  readonly #pattern: HandshakePattern;
  readonly #pskMode: boolean;
  readonly #s: KeyPair | undefined;
  readonly #psk: Uint8Array | undefined;
  #e: KeyPair | undefined;
  #rs: Uint8Array | undefined;
  #re: Uint8Array | undefined;
  #next = 0;
  #failed = false;

  constructor(opts: HandshakeOptions) {
    const hash = opts.hash ?? SHA256;
    this.#pattern = opts.pattern;
    this.#initiator = opts.initiator;
    this.#s = opts.s;
    this.#e = opts.e;
    this.#rs = opts.rs;
    this.#re = opts.re;
    this.#pskMode = opts.pattern.messages.some((m) => m.includes('psk'));
    if (this.#pskMode && opts.psk?.length !== KEYLEN) {
      throw new E2EError('bad-encoding', `The psk must be ${KEYLEN} bytes.`);
    }
    this.#psk = this.#pskMode ? opts.psk?.slice() : undefined;
    this.#ss = new SymmetricState(hash, protocolName(opts.pattern, hash));
    this.#ss.mixHash(opts.prologue);
    this.#mixPreMessage(opts.pattern.initiatorPreMessage, opts.initiator);
    this.#mixPreMessage(opts.pattern.responderPreMessage, !opts.initiator);
  }

  get isComplete(): boolean {
    return this.#next >= this.#pattern.messages.length;
  }

  /** Whether the next message is ours to write. */
  get isMyTurn(): boolean {
    return !this.isComplete && this.#next % 2 === (this.#initiator ? 0 : 1);
  }

  get remoteStatic(): Uint8Array | undefined {
    return this.#rs?.slice();
  }

  writeMessage(payload: Uint8Array): {
    message: Uint8Array;
    transport: TransportCiphers | undefined;
  } {
    const tokens = this.#turn(true);
    return this.#guard(() => {
      const parts: Uint8Array[] = [];
      for (const token of tokens) {
        switch (token) {
          case 'e': {
            const e = (this.#e ??= generateKeyPair());
            parts.push(e.publicKey);
            this.#mixEphemeral(e.publicKey);
            break;
          }
          case 's':
            parts.push(this.#ss.encryptAndHash(this.#need(this.#s, 's').publicKey));
            break;
          case 'psk':
            this.#ss.mixKeyAndHash(this.#need(this.#psk, 'psk'));
            break;
          case 'ee':
          case 'es':
          case 'se':
          case 'ss':
            this.#ss.mixKey(this.#dh(token));
            break;
        }
      }
      parts.push(this.#ss.encryptAndHash(payload));
      const message = concat(parts);
      if (message.length > MAX_NOISE_MESSAGE) {
        throw new E2EError('bad-frame', 'The handshake message is over 65535 bytes.');
      }
      this.#next++;
      return { message, transport: this.#finish() };
    });
  }

  readMessage(message: Uint8Array): {
    payload: Uint8Array;
    transport: TransportCiphers | undefined;
  } {
    const tokens = this.#turn(false);
    return this.#guard(() => {
      if (message.length > MAX_NOISE_MESSAGE) {
        throw new E2EError('handshake-failed', 'The handshake message is over 65535 bytes.');
      }
      let offset = 0;
      const take = (n: number): Uint8Array => {
        if (offset + n > message.length) {
          throw new E2EError('handshake-failed', 'The handshake message is too short.');
        }
        offset += n;
        return message.subarray(offset - n, offset);
      };
      for (const token of tokens) {
        switch (token) {
          case 'e': {
            if (this.#re) throw new E2EError('handshake-failed', 'The pattern sends e twice.');
            const re = take(DHLEN).slice();
            this.#re = re;
            this.#mixEphemeral(re);
            break;
          }
          case 's': {
            if (this.#rs) throw new E2EError('handshake-failed', 'The pattern sends s twice.');
            const len = this.#ss.cipher.hasKey() ? DHLEN + TAGLEN : DHLEN;
            this.#rs = this.#ss.decryptAndHash(take(len)).slice();
            break;
          }
          case 'psk':
            this.#ss.mixKeyAndHash(this.#need(this.#psk, 'psk'));
            break;
          case 'ee':
          case 'es':
          case 'se':
          case 'ss':
            this.#ss.mixKey(this.#dh(token));
            break;
        }
      }
      const rest = message.subarray(offset);
      if (this.#ss.cipher.hasKey() && rest.length < TAGLEN) {
        throw new E2EError('handshake-failed', 'The handshake message is too short.');
      }
      const payload = this.#ss.decryptAndHash(rest).slice();
      this.#next++;
      return { payload, transport: this.#finish() };
    });
  }

  #turn(writing: boolean): readonly MessageToken[] {
    if (this.#failed) throw new E2EError('handshake-failed', 'The handshake already failed.');
    const tokens = this.#pattern.messages[this.#next];
    if (!tokens || this.isMyTurn !== writing) {
      throw new E2EError('handshake-failed', 'Handshake message out of turn.');
    }
    return tokens;
  }

  /** A handshake that failed once is abandoned: its state is half-updated and must not be reused. */
  #guard<T>(step: () => T): T {
    try {
      return step();
    } catch (error) {
      this.#failed = true;
      throw error;
    }
  }

  #mixPreMessage(tokens: readonly PreMessageToken[], mine: boolean): void {
    for (const token of tokens) {
      const local = token === 's' ? this.#s?.publicKey : this.#e?.publicKey;
      const remote = token === 's' ? this.#rs : this.#re;
      const pub = this.#need(mine ? local : remote, `pre-message ${token}`);
      if (token === 'e') this.#mixEphemeral(pub);
      else this.#ss.mixHash(pub);
    }
  }

  /** In psk handshakes every `e` also goes through MixKey (Noise §9.2). */
  #mixEphemeral(pub: Uint8Array): void {
    this.#ss.mixHash(pub);
    if (this.#pskMode) this.#ss.mixKey(pub);
  }

  #dh(token: 'ee' | 'es' | 'se' | 'ss'): Uint8Array {
    // The first letter names the initiator's key, the second the responder's.
    const [initiatorKey, responderKey] = [token[0], token[1]];
    const localKind = this.#initiator ? initiatorKey : responderKey;
    const remoteKind = this.#initiator ? responderKey : initiatorKey;
    const local = this.#need(localKind === 'e' ? this.#e : this.#s, `local ${localKind}`);
    const remote = this.#need(remoteKind === 'e' ? this.#re : this.#rs, `remote ${remoteKind}`);
    return dh(local.privateKey, remote);
  }

  #need<T>(value: T | undefined, what: string): T {
    if (value === undefined) throw new E2EError('handshake-failed', `The pattern needs ${what}.`);
    return value;
  }

  #finish(): TransportCiphers | undefined {
    if (!this.isComplete) return undefined;
    const [c1, c2] = this.#ss.split();
    const handshakeHash = this.#ss.handshakeHash();
    return this.#initiator
      ? { send: c1, receive: c2, handshakeHash }
      : { send: c2, receive: c1, handshakeHash };
  }
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}
