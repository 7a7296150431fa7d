// Owns Loopsy's two-message handshake, Noise_IKpsk1_25519_ChaChaPoly_SHA256: phone initiates, daemon responds.
import { x25519 } from '@noble/curves/ed25519.js';
import { equalBytes } from '@noble/ciphers/utils.js';
import { E2EError } from './errors.js';
import { assertKey, PROLOGUE, type KeyPair } from './keys.js';
import { HandshakeState, IK_PSK1 } from './noise.js';
import { SecureChannel, type SecureChannelOptions } from './secure-channel.js';

export const PROTOCOL_NAME = 'Noise_IKpsk1_25519_ChaChaPoly_SHA256';

/** Phone side. */
export class Initiator {
  readonly #state: HandshakeState;
  readonly #channel: SecureChannelOptions;
  #stage: 'new' | 'sent' | 'done' = 'new';

  constructor(opts: {
    staticKeys: KeyPair;
    remoteStatic: Uint8Array;
    psk: Uint8Array;
    prologue?: Uint8Array;
    channel?: SecureChannelOptions;
  }) {
    checkKeyPair(opts.staticKeys);
    assertKey(opts.remoteStatic, 'remote static key');
    assertKey(opts.psk, 'psk');
    this.#channel = opts.channel ?? {};
    this.#state = new HandshakeState({
      pattern: IK_PSK1,
      initiator: true,
      prologue: opts.prologue ?? PROLOGUE,
      s: opts.staticKeys,
      rs: opts.remoteStatic,
      psk: opts.psk,
    });
  }

  /** Message 1 (send as one binary frame). `payload` is encrypted to the responder. */
  writeMessage1(payload: Uint8Array): Uint8Array {
    if (this.#stage !== 'new')
      throw new E2EError('handshake-failed', 'Message 1 was already written.');
    this.#stage = 'sent';
    return this.#state.writeMessage(payload).message;
  }

  /** Message 2 from the responder; returns its payload and the transport channel. */
  readMessage2(message: Uint8Array): { payload: Uint8Array; channel: SecureChannel } {
    if (this.#stage !== 'sent') {
      throw new E2EError('handshake-failed', 'Message 2 is read once, after message 1.');
    }
    this.#stage = 'done';
    const { payload, transport } = asHandshakeFailure(
      () => this.#state.readMessage(message),
      'The reply did not come from the holder of the expected daemon key.',
    );
    if (!transport) throw new E2EError('handshake-failed', 'The handshake did not complete.');
    return { payload, channel: new SecureChannel(transport, this.#channel) };
  }
}

/** Daemon side. `psk` is looked up per connection (pairing code or CONNECT_PSK) before reading message 1. */
export class Responder {
  readonly #state: HandshakeState;
  readonly #channel: SecureChannelOptions;
  #stage: 'new' | 'read' | 'done' = 'new';

  constructor(opts: {
    staticKeys: KeyPair;
    psk: Uint8Array;
    prologue?: Uint8Array;
    channel?: SecureChannelOptions;
  }) {
    checkKeyPair(opts.staticKeys);
    assertKey(opts.psk, 'psk');
    this.#channel = opts.channel ?? {};
    this.#state = new HandshakeState({
      pattern: IK_PSK1,
      initiator: false,
      prologue: opts.prologue ?? PROLOGUE,
      s: opts.staticKeys,
      psk: opts.psk,
    });
  }

  /**
   * Throws E2EError('handshake-failed') if the message is malformed or the psk/keys do not match.
   * The payload proves who sent it, not when: whoever saw message 1 can replay it. Anything that must
   * not happen twice should wait for the initiator's first transport frame.
   */
  readMessage1(message: Uint8Array): { payload: Uint8Array; remoteStatic: Uint8Array } {
    if (this.#stage !== 'new')
      throw new E2EError('handshake-failed', 'Message 1 was already read.');
    this.#stage = 'read';
    const { payload } = asHandshakeFailure(
      () => this.#state.readMessage(message),
      'Message 1 did not decrypt: wrong psk, wrong daemon key, or a tampered message.',
    );
    const remoteStatic = this.#state.remoteStatic;
    if (!remoteStatic) throw new E2EError('handshake-failed', 'Message 1 carried no static key.');
    return { payload, remoteStatic };
  }

  writeMessage2(payload: Uint8Array): { message: Uint8Array; channel: SecureChannel } {
    if (this.#stage !== 'read') {
      throw new E2EError('handshake-failed', 'Message 2 is written once, after message 1.');
    }
    this.#stage = 'done';
    const { message, transport } = this.#state.writeMessage(payload);
    if (!transport) throw new E2EError('handshake-failed', 'The handshake did not complete.');
    return { message, channel: new SecureChannel(transport, this.#channel) };
  }
}

/** A public key that does not belong to the private key would fail later, with a misleading error. */
function checkKeyPair(keys: KeyPair): void {
  assertKey(keys.privateKey, 'static private key');
  assertKey(keys.publicKey, 'static public key');
  if (!equalBytes(x25519.getPublicKey(keys.privateKey), keys.publicKey)) {
    throw new E2EError('bad-encoding', 'The static public key does not match the private key.');
  }
}

function asHandshakeFailure<T>(step: () => T, message: string): T {
  try {
    return step();
  } catch (cause) {
    if (cause instanceof E2EError && cause.code === 'handshake-failed') throw cause;
    throw new E2EError('handshake-failed', message, { cause });
  }
}
