// Owns pairing as a phone: redeem the link's token at the relay, prove the laptop's code inside the E2E
// handshake, and receive this phone's credentials sealed from the laptop.
import { CloseCode } from '@loopsy/relay/core';
import { generateKeyPair, Initiator, pairingPsk, toBase64Url } from '@loopsy/relay/e2e';
import type { WebSocketLike } from '../client.js';
import type { PhoneCredentials } from './credentials.js';
import { parsePairingLink } from './pairing-link.js';
import { sendable } from './tunnel-socket.js';

export type PairingErrorCode =
  'wrong-code' | 'burned' | 'expired' | 'refused' | 'offline' | 'timeout' | 'network';

export class PairingError extends Error {
  override readonly name = 'PairingError';
  constructor(
    readonly code: PairingErrorCode,
    message: string,
    readonly attemptsLeft?: number,
  ) {
    super(message);
  }
}

export interface RedeemPairingOptions {
  /** The link `loopsy mobile pair` printed (or the QR code held). */
  link: string;
  /** The 4-digit code shown on the laptop. */
  code: string;
  /** A name for this phone, shown on the laptop. */
  name: string;
  /** After a wrong code: return another code to try again on the same pairing, or undefined to give up. */
  retry?: (attemptsLeft: number) => Promise<string | undefined> | string | undefined;
  WebSocket?: WebSocketLike;
  timeoutMs?: number;
}

const CODE_PATTERN = /^\d{4}$/;

export function redeemPairing(opts: RedeemPairingOptions): Promise<PhoneCredentials> {
  const link = parsePairingLink(opts.link);
  if (link.expiresAt <= Date.now()) {
    return Promise.reject(
      new PairingError('expired', 'This pairing link has expired; run `loopsy mobile pair` again.'),
    );
  }
  if (!CODE_PATTERN.test(opts.code)) {
    return Promise.reject(
      new PairingError('wrong-code', 'The code is the 4 digits shown on the laptop.'),
    );
  }
  const Base = opts.WebSocket ?? globalThis.WebSocket;
  const keys = generateKeyPair();
  const encoder = new TextEncoder();
  const decoder = new TextDecoder();

  return new Promise<PhoneCredentials>((resolve, reject) => {
    const ws = new Base(`${link.relayUrl.replace(/^http/, 'ws')}/relay/v1/pair`, [
      'loopsy.v1',
      `loopsy.bearer.${link.token}`,
    ]);
    ws.binaryType = 'arraybuffer';
    let initiator: Initiator | undefined;
    let settled = false;
    const timer = setTimeout(
      () =>
        finish(
          new PairingError(
            'timeout',
            'The laptop did not answer; is its daemon running and connected?',
          ),
        ),
      opts.timeoutMs ?? 30_000,
    );
    const finish = (result: PhoneCredentials | PairingError): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.close(1000);
      if (result instanceof PairingError) reject(result);
      else resolve(result);
    };
    const attempt = (code: string): void => {
      initiator = new Initiator({
        staticKeys: keys,
        remoteStatic: link.daemonPublicKey,
        psk: pairingPsk(code, link.pairNonce),
      });
      ws.send(
        sendable(initiator.writeMessage1(encoder.encode(JSON.stringify({ name: opts.name })))),
      );
    };

    ws.addEventListener('open', () => attempt(opts.code));
    ws.addEventListener('message', (event: MessageEvent) => {
      if (typeof event.data === 'string') {
        void onNotice(event.data);
        return;
      }
      try {
        const reply = initiator?.readMessage2(new Uint8Array(event.data as ArrayBuffer));
        if (!reply) throw new Error('no handshake in progress');
        const payload = JSON.parse(decoder.decode(reply.payload)) as {
          phoneId?: unknown;
          phoneSecret?: unknown;
        };
        if (typeof payload.phoneId !== 'string' || typeof payload.phoneSecret !== 'string') {
          throw new Error('incomplete answer');
        }
        finish({
          relayUrl: link.relayUrl,
          deviceId: link.deviceId,
          phoneId: payload.phoneId,
          phoneSecret: payload.phoneSecret,
          daemonPublicKey: toBase64Url(link.daemonPublicKey),
          phonePublicKey: toBase64Url(keys.publicKey),
          phonePrivateKey: toBase64Url(keys.privateKey),
          name: opts.name,
        });
      } catch {
        finish(
          new PairingError(
            'refused',
            'The laptop could not prove its key; the link may not be from your laptop.',
          ),
        );
      }
    });
    const onNotice = async (text: string): Promise<void> => {
      let notice: { type?: unknown; attemptsLeft?: unknown };
      try {
        notice = JSON.parse(text) as typeof notice;
      } catch {
        return finish(new PairingError('refused', 'The relay sent something unexpected.'));
      }
      if (notice.type === 'pair.retry' && typeof notice.attemptsLeft === 'number') {
        const next = await opts.retry?.(notice.attemptsLeft);
        if (next !== undefined && CODE_PATTERN.test(next)) return attempt(next);
        return finish(
          new PairingError(
            'wrong-code',
            `Wrong code (${notice.attemptsLeft} attempts left).`,
            notice.attemptsLeft,
          ),
        );
      }
      if (notice.type === 'pair.burned') {
        return finish(
          new PairingError(
            'burned',
            'Too many wrong codes: this link no longer works. Run `loopsy mobile pair` again.',
            0,
          ),
        );
      }
    };
    ws.addEventListener('close', (event: CloseEvent) => {
      if (event.code === CloseCode.UNAUTHORIZED) {
        finish(
          new PairingError(
            'expired',
            'The relay refused this link (used already or expired); run `loopsy mobile pair` again.',
          ),
        );
      } else if (event.code === CloseCode.NOT_FOUND || event.code === CloseCode.DIAL_TIMEOUT) {
        finish(new PairingError('offline', 'The laptop is not connected to its relay right now.'));
      } else if (event.code === CloseCode.RATE_LIMITED) {
        finish(new PairingError('refused', 'Too many attempts from this network; wait a minute.'));
      } else {
        finish(
          new PairingError(
            'network',
            `The connection closed before pairing finished (code ${event.code}).`,
          ),
        );
      }
    });
    ws.addEventListener('error', () => undefined);
  });
}
