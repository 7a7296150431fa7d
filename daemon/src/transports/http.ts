// Owns the HTTP transport: tRPC at /trpc (batching, JSON and binary inputs); everything else is a 404.
import type http from 'node:http';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import { bearerFrom, createContextInner, type Services } from '../context.js';
import { appRouter } from '../router/index.js';

export function createHttpListener(services: Services): http.RequestListener {
  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: '/trpc/',
    maxBodySize: services.config.current().server.maxBodyBytes,
    createContext: ({ req }) =>
      createContextInner({
        services,
        transport: 'http',
        remote: req.socket.remoteAddress,
        token: bearerFrom(req.headers.authorization),
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
