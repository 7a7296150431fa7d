// Owns the HTTP transport: tRPC at /trpc (batching, JSON and binary inputs), the file download route; else a 404.
import type http from 'node:http';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { bearerFrom, createContextInner, type Caller, type Services } from '../context.js';
import { appRouter } from '../router/index.js';
import { createDownloadHandler, DOWNLOAD_PATH } from './http-download.js';
import { createOctetHandler, OCTET_PROCEDURES } from './http-upload.js';

/** `local`: the unix socket, where the file's mode is the authentication and every caller is the owner's. */
export interface ListenerOptions {
  transport: 'http' | 'unix';
  local?: Caller;
}

export function createHttpListener(
  services: Services,
  opts: ListenerOptions,
): http.RequestListener {
  const createContext = (req: http.IncomingMessage) =>
    createContextInner({
      services,
      transport: opts.transport,
      remote: req.socket.remoteAddress,
      token: bearerFrom(req.headers.authorization),
      header: (name) => {
        const value = req.headers[name];
        return Array.isArray(value) ? value[0] : value;
      },
      trailer: (name) => (req.complete ? req.trailers[name] : undefined),
      ...(opts.local ? { caller: opts.local } : {}),
    });
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    maxBodySize: services.config.current().server.maxBodyBytes,
    createContext: ({ req }) => createContext(req),
  });
  const octet = createOctetHandler(createContext);
  const download = createDownloadHandler(createContext);
  return (req, res) => {
    const url = req.url ?? '/';
    const pathname = url.split('?')[0] ?? url;
    if (req.method === 'POST' && OCTET_PROCEDURES.has(pathname)) {
      octet(req, res);
      return;
    }
    if (pathname === DOWNLOAD_PATH) {
      download(req, res);
      return;
    }
    if (url.startsWith('/trpc/')) {
      trpc(req, res);
      return;
    }
    res.statusCode = 404;
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        error: { message: `No such path: ${url.split('?')[0]}. The API lives under /trpc/.` },
      }),
    );
  };
}
