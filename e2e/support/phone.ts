// Test helpers for the phone side: pair through a daemon's relay and open a client through the tunnel.
import WebSocket from 'ws';
import {
  createLoopsyClient,
  redeemPairing,
  type LoopsyClient,
  type PhoneCredentials,
  type WebSocketLike,
} from '@loopsy/client-sdk/node';

/** Pairs a phone with the daemon the owner client talks to; returns the phone's credentials. */
export async function pairPhone(
  owner: LoopsyClient,
  name = 'test-phone',
): Promise<PhoneCredentials> {
  const offer = await owner.phones.createPairing.mutate({ ttlSeconds: 300 });
  return redeemPairing({ link: offer.link, code: offer.code, name });
}

export function phoneClient(
  creds: PhoneCredentials,
  Base: WebSocketLike = WebSocket as unknown as WebSocketLike,
): LoopsyClient {
  return createLoopsyClient({ relay: creds, WebSocket: Base });
}

/** A `ws` WebSocket subclass that lets a test act as a hostile relay on the phone's outgoing frames. */
export function tamperingWebSocket(
  tamper: (frame: Buffer, index: number, send: (data: Buffer) => void) => void,
): WebSocketLike {
  class Tampering extends WebSocket {
    private sent = 0;
    override send(data: unknown, ...rest: unknown[]): void {
      if (Buffer.isBuffer(data) || data instanceof Uint8Array) {
        const frame = Buffer.from(data as Uint8Array);
        tamper(frame, this.sent++, (d) => super.send(d, ...(rest as [])));
        return;
      }
      super.send(data as string, ...(rest as []));
    }
  }
  return Tampering as unknown as WebSocketLike;
}

/** A `ws` WebSocket subclass that reports the close codes the phone's relay sockets receive. */
export function observingWebSocket(onClose: (code: number) => void): WebSocketLike {
  class Observing extends WebSocket {
    constructor(...args: ConstructorParameters<typeof WebSocket>) {
      super(...args);
      this.on('close', (code) => onClose(code));
    }
  }
  return Observing as unknown as WebSocketLike;
}
