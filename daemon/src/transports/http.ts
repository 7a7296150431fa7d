// Owns the HTTP transport: tRPC at /trpc (batching, JSON and binary inputs); everything else is a 404.
import type http from 'node:http';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { bearerFrom, createContextInner, type Caller, type Services } from '../context.js';
import { appRouter } from '../router/index.js';

/** `local`: the unix socket, where the file's mode is the authentication and every caller is the owner's. */
export interface ListenerOptions {
  transport: 'http' | 'unix';
  local?: Caller;
}

export function createHttpListener(
  services: Services,
  opts: ListenerOptions,
): http.RequestListener {
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    maxBodySize: services.config.current().server.maxBodyBytes,
    createContext: ({ req }) =>
      createContextInner({
        services,
        transport: opts.transport,
        remote: req.socket.remoteAddress,
        token: bearerFrom(req.headers.authorization),
        ...(opts.local ? { caller: opts.local } : {}),
      }),
  });
  return (req, res) => {
    const url = req.url ?? '/';
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
