// Owns the relay tunnel transport: answers the relay's dial requests with a data socket, runs the E2E handshake
// (pairing or connect), then serves the same tRPC router over the sealed channel with the phone's identity.
import type http from 'node:http';
import { getWSConnectionHandler } from '@trpc/server/adapters/ws';
import WebSocket, { WebSocketServer } from 'ws';
import { MAX_DATA_FRAME } from '@loopsy/relay/core';
import { CONNECT_PSK, pairingPsk, Responder } from '@loopsy/relay/e2e';
import { createContextInner, type Services } from '../context.js';
import { appRouter } from '../router/index.js';
import type { DialRequest, RelayLink } from '../services/relay-link.js';
import { SecureSocket, toBytes } from './secure-socket.js';

export const TunnelCloseCode = {
  HANDSHAKE_FAILED: 4601,
  UNKNOWN_PHONE: 4401,
  PAIRING_CLOSED: 4403,
} as const;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export interface RelayTunnel {
  /** Live tunnels (for status). */
  count(): number;
  close(): void;
}

export function attachRelayTunnel(services: Services): RelayTunnel {
  const live = new Map<WebSocket, string>();
  const phoneOf = new WeakMap<object, string>();
  // The handler never uses `wss` (sockets are handed to it one by one); the option is only required by its type.
  const wss = new WebSocketServer({ noServer: true });
  const handler = getWSConnectionHandler({
    wss,
    router: appRouter,
    createContext: ({ res }) => {
      const phoneId = phoneOf.get(res);
      const phone = phoneId ? services.relay.phones.get(phoneId) : undefined;
      return createContextInner({
        services,
        transport: 'relay',
        ...(phone ? { caller: { kind: 'phone' as const, id: phone.id, name: phone.name } } : {}),
        outboundBacklog: () => (res as unknown as SecureSocket).bufferedAmount,
      });
    },
  });

  const audit = (procedure: string, outcome: string, message?: string): void =>
    services.audit.record({
      ts: new Date(services.now()).toISOString(),
      procedure,
      type: 'tunnel',
      caller: 'relay',
      transport: 'relay',
      durationMs: 0,
      outcome,
      ...(message ? { message } : {}),
    });

  function dataSocket(dial: DialRequest, link: RelayLink): WebSocket {
    const socket = new WebSocket(link.dataUrl(dial.connectionId), link.protocols(), {
      maxPayload: MAX_DATA_FRAME,
      handshakeTimeout: 10_000,
    });
    socket.on('error', () => undefined);
    return socket;
  }

  function acceptConnect(socket: WebSocket): void {
    socket.once('message', (data, isBinary) => {
      const responder = new Responder({ staticKeys: services.relay.staticKeys, psk: CONNECT_PSK });
      let remoteStatic: Uint8Array;
      try {
        if (!isBinary) throw new Error('text');
        remoteStatic = responder.readMessage1(toBytes(data)).remoteStatic;
      } catch {
        audit('relay.connect', 'HANDSHAKE_FAILED');
        socket.close(TunnelCloseCode.HANDSHAKE_FAILED, 'handshake failed');
        return;
      }
      const phone = services.relay.phones.findByStaticKey(remoteStatic);
      if (!phone) {
        audit('relay.connect', 'UNAUTHORIZED', 'unknown or revoked phone key');
        socket.close(TunnelCloseCode.UNKNOWN_PHONE, 'this phone is not paired (or was revoked)');
        return;
      }
      const { message, channel } = responder.writeMessage2(encoder.encode('{}'));
      socket.send(message, { binary: true });
      const secure = new SecureSocket(
        socket,
        channel,
        () => audit('relay.frame', 'DECRYPT_FAILED', `phone:${phone.name}`),
        () => {
          services.relay.phones.markSeen(phone.id);
          audit('relay.connect', 'ok', `phone:${phone.name}`);
        },
      );
      phoneOf.set(secure, phone.id);
      live.set(socket, phone.id);
      socket.once('close', () => live.delete(socket));
      handler(
        secure as unknown as WebSocket,
        { url: '/trpc', headers: { host: 'tunnel' } } as http.IncomingMessage,
      );
    });
  }

  function acceptPair(socket: WebSocket, dial: DialRequest, link: RelayLink): void {
    const nonce = dial.pairNonce ?? '';
    const sessions = services.relay.pairings;
    socket.on('message', (data, isBinary) => {
      const verdict = sessions.check(nonce);
      if (verdict.kind !== 'open') {
        socket.send(JSON.stringify({ type: 'pair.burned' }));
        socket.close(TunnelCloseCode.PAIRING_CLOSED, `pairing ${verdict.kind}`);
        return;
      }
      const responder = new Responder({
        staticKeys: services.relay.staticKeys,
        psk: pairingPsk(verdict.code, nonce),
      });
      let hello: { payload: Uint8Array; remoteStatic: Uint8Array };
      try {
        if (!isBinary) throw new Error('text');
        hello = responder.readMessage1(toBytes(data));
      } catch {
        const left = sessions.wrong(nonce);
        audit('relay.pair', 'WRONG_CODE', `${left} attempts left`);
        if (left > 0) socket.send(JSON.stringify({ type: 'pair.retry', attemptsLeft: left }));
        else {
          socket.send(JSON.stringify({ type: 'pair.burned' }));
          socket.close(TunnelCloseCode.PAIRING_CLOSED, 'too many wrong codes');
        }
        return;
      }
      sessions.complete(nonce);
      void finishPairing(socket, dial, link, responder, hello);
    });
  }

  async function finishPairing(
    socket: WebSocket,
    dial: DialRequest,
    link: RelayLink,
    responder: Responder,
    hello: { payload: Uint8Array; remoteStatic: Uint8Array },
  ): Promise<void> {
    let name = 'phone';
    try {
      const parsed = JSON.parse(decoder.decode(hello.payload)) as { name?: unknown };
      if (typeof parsed.name === 'string' && parsed.name.trim())
        name = parsed.name.trim().slice(0, 64);
    } catch {
      // A nameless phone is still a phone.
    }
    try {
      const added = await link.request(
        { type: 'phone.add', connectionId: dial.connectionId },
        'phone.added',
      );
      const phone = services.relay.phones.add({
        name,
        staticKey: hello.remoteStatic,
        relayUrl: link.settings.url,
        relayPhoneId: added.phoneId,
      });
      const { message } = responder.writeMessage2(
        encoder.encode(
          JSON.stringify({
            phoneId: added.phoneId,
            phoneSecret: added.phoneSecret,
            name: phone.name,
          }),
        ),
      );
      socket.send(message, { binary: true });
      audit('relay.pair', 'ok', `phone:${phone.name}`);
    } catch (err) {
      audit('relay.pair', 'FAILED', (err as Error).message);
      socket.close(TunnelCloseCode.PAIRING_CLOSED, 'pairing could not be completed');
    }
  }

  services.relay.onDial((dial, link) => {
    const socket = dataSocket(dial, link);
    socket.once('open', () => {
      if (dial.purpose === 'pair') acceptPair(socket, dial, link);
      else acceptConnect(socket);
    });
  });
  services.relay.onCut((phoneId) => {
    for (const [socket, id] of live) if (id === phoneId) socket.close(4410, 'phone revoked');
  });

  return {
    count: () => live.size,
    close() {
      for (const socket of live.keys()) socket.close(1001, 'daemon stopping');
      live.clear();
      wss.close();
    },
  };
}
