// Owns the transport phase: one Noise transport message per WebSocket frame, fail-closed, with key rotation.
import { E2EError } from './errors.js';
import { TAGLEN, type CipherState, type TransportCiphers } from './noise.js';

export interface SecureChannelOptions {
  /** Rotate the sending key once this many frame bytes went out under it. Default 64 MiB. */
  rekeyAfterBytes?: number;
  /** Rotate the sending key on the first frame sent this long after the last rotation. Default 1 h. */
  rekeyAfterMs?: number;
  now?: () => number;
  /** Largest application message. Default 1 MiB + 64. */
  maxPlaintext?: number;
}

/** Frame type: the first plaintext byte of every transport message. */
export const FrameType = {
  /** The rest is one application message. */
  DATA: 0x00,
  /** The rest is one application message, and the sender rotates its key right after this frame. */
  REKEY_NOTICE: 0x01,
} as const;

const FRAME_OVERHEAD = 1 + TAGLEN;
const EMPTY = new Uint8Array(0);

/** Transport after the handshake: each sent frame is one WebSocket binary message. */
export class SecureChannel {
  /** The Noise handshake hash: equal on both ends, unique per session (channel binding). */
  readonly handshakeHash: Uint8Array;
  readonly #send: CipherState;
  readonly #receive: CipherState;
  readonly #rekeyAfterBytes: number;
  readonly #rekeyAfterMs: number;
  readonly #now: () => number;
  readonly #maxPlaintext: number;
  #closed = false;
  #bytesSinceRekey = 0;
  #lastRekeyAt: number;
  #sentFrames = 0;
  #receivedFrames = 0;
  #sentBytes = 0;
  #receivedBytes = 0;
  #rekeys = 0;

  /** Made by `Initiator.readMessage2` and `Responder.writeMessage2`; not meant to be built directly. */
  constructor(ciphers: TransportCiphers, options: SecureChannelOptions = {}) {
    this.#send = ciphers.send;
    this.#receive = ciphers.receive;
    this.handshakeHash = ciphers.handshakeHash.slice();
    this.#rekeyAfterBytes = positive(
      options.rekeyAfterBytes ?? 64 * 1024 * 1024,
      'rekeyAfterBytes',
    );
    this.#rekeyAfterMs = positive(options.rekeyAfterMs ?? 60 * 60 * 1000, 'rekeyAfterMs');
    this.#maxPlaintext = positive(options.maxPlaintext ?? 1024 * 1024 + 64, 'maxPlaintext');
    this.#now = options.now ?? Date.now;
    this.#lastRekeyAt = this.#now();
  }

  /** Encrypts one application message (UTF-8 text or bytes) into one frame. May rotate keys. */
  seal(plaintext: Uint8Array): Uint8Array {
    this.#assertOpen();
    if (plaintext.length > this.#maxPlaintext) {
      throw new E2EError('bad-frame', `The message is over ${this.#maxPlaintext} bytes.`);
    }
    const frameLength = plaintext.length + FRAME_OVERHEAD;
    const now = this.#now();
    // The frame that crosses a limit carries the notice, so rotation never costs an extra frame.
    const rotate =
      this.#bytesSinceRekey + frameLength >= this.#rekeyAfterBytes ||
      now - this.#lastRekeyAt >= this.#rekeyAfterMs;
    const body = new Uint8Array(1 + plaintext.length);
    body[0] = rotate ? FrameType.REKEY_NOTICE : FrameType.DATA;
    body.set(plaintext, 1);
    let frame: Uint8Array;
    try {
      frame = this.#send.encryptWithAd(EMPTY, body);
      if (rotate) this.#send.rekey();
    } catch (error) {
      this.#closed = true;
      throw error;
    }
    if (rotate) {
      this.#bytesSinceRekey = 0;
      this.#lastRekeyAt = now;
      this.#rekeys++;
    } else {
      this.#bytesSinceRekey += frameLength;
    }
    this.#sentFrames++;
    this.#sentBytes += frame.length;
    return frame;
  }

  /**
   * Decrypts one frame and returns its application message. Every frame this version sends carries one,
   * so null (reserved for control frames without a message) does not occur yet. Any failure closes the
   * channel: the nonce is implicit, so a tampered, replayed, reordered, dropped or truncated frame
   * desynchronises it for good.
   */
  open(frame: Uint8Array): Uint8Array | null {
    this.#assertOpen();
    try {
      if (frame.length < FRAME_OVERHEAD || frame.length > this.#maxPlaintext + FRAME_OVERHEAD) {
        throw new E2EError('bad-frame', `A frame of ${frame.length} bytes is out of bounds.`);
      }
      const body = this.#receive.decryptWithAd(EMPTY, frame);
      const type = body[0];
      if (type === FrameType.REKEY_NOTICE) {
        this.#receive.rekey();
        this.#rekeys++;
      } else if (type !== FrameType.DATA) {
        throw new E2EError('bad-frame', `Unknown frame type ${String(type)}.`);
      }
      this.#receivedFrames++;
      this.#receivedBytes += frame.length;
      return body.subarray(1);
    } catch (error) {
      this.#closed = true;
      if (error instanceof E2EError) throw error;
      throw new E2EError('decrypt-failed', undefined, { cause: error });
    }
  }

  /** Bytes sent/received and rekeys done (both directions), for status and tests. */
  stats(): {
    sentFrames: number;
    receivedFrames: number;
    sentBytes: number;
    receivedBytes: number;
    rekeys: number;
  } {
    return {
      sentFrames: this.#sentFrames,
      receivedFrames: this.#receivedFrames,
      sentBytes: this.#sentBytes,
      receivedBytes: this.#receivedBytes,
      rekeys: this.#rekeys,
    };
  }

  #assertOpen(): void {
    if (this.#closed) throw new E2EError('closed');
  }
}

function positive(value: number, name: string): number {
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`${name} must be positive.`);
  return value;
}
