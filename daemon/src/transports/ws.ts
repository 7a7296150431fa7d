// Owns the WebSocket transport: tRPC subscriptions (and any call) at /trpc; auth by connection params or header.
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { applyWSSHandler } from '@trpc/server/adapters/ws';
import { WebSocketServer } from 'ws';
import { bearerFrom, createContextInner, type Services } from '../context.js';
import type { ListenerOptions } from './http.js';
import { appRouter } from '../router/index.js';

export interface WsTransport {
  handleUpgrade(req: http.IncomingMessage, socket: Duplex, head: Buffer): void;
  close(): void;
}

export function createWsTransport(services: Services, opts: ListenerOptions): WsTransport {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: services.config.current().server.maxBodyBytes,
  });
  const handler = applyWSSHandler({
    wss,
    router: appRouter,
    keepAlive: { enabled: true, pingMs: 25_000, pongWaitMs: 10_000 },
    createContext: ({ req, res, info }) => {
      const params = info.connectionParams;
      const token = params?.['token'] ?? bearerFrom(req.headers.authorization);
      return createContextInner({
        services,
        transport: opts.transport === 'unix' ? 'unix' : 'ws',
        remote: req.socket.remoteAddress,
        token: token ?? undefined,
        outboundBacklog: () => res.bufferedAmount,
        ...(opts.local ? { caller: opts.local } : {}),
      });
    },
  });
  return {
    handleUpgrade(req, socket, head) {
      const path = (req.url ?? '/').split('?')[0];
      if (path !== '/trpc' && path !== '/trpc/') {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
    },
    close() {
      handler.broadcastReconnectNotification();
      for (const client of wss.clients) client.terminate();
      wss.close();
    },
  };
}
