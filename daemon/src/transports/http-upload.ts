// Owns binary procedure calls over HTTP (files.push): the body reaches the procedure as a web stream that pauses
// the socket while the procedure is busy. tRPC's Node adapter reads bodies without pausing (and caps them at
// server.maxBodyBytes), so these calls go through its fetch adapter with a backpressured stream instead.
import type http from 'node:http';
import { finished } from 'node:stream';
import { fetchRequestHandler } from '@trpc/server/adapters/fetch';
import type { Context } from '../context.js';
import { appRouter } from '../router/index.js';

const BODY_QUEUE_BYTES = 1024 * 1024;

/** The procedures whose input is the raw request body. */
export const OCTET_PROCEDURES = new Set(['/trpc/files.push']);

export function createOctetHandler(
  createContext: (req: http.IncomingMessage) => Context,
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    void handle(req, res, createContext).catch(() => {
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json', connection: 'close' });
      }
      res.end();
      req.destroy();
    });
  };
}

/**
 * The request body as a web stream that holds at most ~1 MiB: past that the socket is paused until the
 * procedure reads on. Like Readable.toWeb, but the chunks are passed on as they are: the HTTP parser hands out
 * slices of buffers no one reuses, so copying each one (as toWeb does for pooled streams) only made garbage.
 */
function bodyStream(req: http.IncomingMessage): ReadableStream<Uint8Array> {
  req.pause();
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        req.on('data', (chunk: Buffer) => {
          controller.enqueue(chunk);
          if ((controller.desiredSize ?? 0) <= 0) req.pause();
        });
        // A client that goes away mid-body ends the stream with an error, never with a clean end.
        finished(req, (err) => {
          if (err) controller.error(err);
          else if (req.complete) controller.close();
          else
            controller.error(
              Object.assign(new Error('the body ended early'), { name: 'AbortError' }),
            );
        });
      },
      pull() {
        req.resume();
      },
      cancel() {
        req.destroy();
      },
    },
    new ByteLengthQueuingStrategy({ highWaterMark: BODY_QUEUE_BYTES }),
  );
}

async function handle(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  createContext: (req: http.IncomingMessage) => Context,
): Promise<void> {
  // The procedure's signal: the client went away before the answer.
  const aborted = new AbortController();
  res.once('close', () => {
    if (!res.writableEnded) aborted.abort();
  });
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (typeof value === 'string') headers.set(name, value);
    else if (Array.isArray(value)) for (const v of value) headers.append(name, v);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  const request = new Request(new URL(req.url ?? '/', 'http://localhost'), {
    method: req.method ?? 'POST',
    headers,
    signal: aborted.signal,
    ...(hasBody ? { body: bodyStream(req), duplex: 'half' } : {}),
  });
  const response = await fetchRequestHandler({
    endpoint: '/trpc',
    req: request,
    router: appRouter,
    createContext: () => createContext(req),
  });
  const body = Buffer.from(await response.arrayBuffer());
  // A call refused before its body was read (or cut off in the middle) must not make the server drain the
  // rest of a possibly huge body: answer, then close the connection.
  const unread = !req.complete;
  const out: Record<string, string> = {};
  response.headers.forEach((value, name) => (out[name] = value));
  res.writeHead(response.status, {
    ...out,
    'content-length': String(body.length),
    ...(unread ? { connection: 'close' } : {}),
  });
  res.end(body, () => {
    if (unread) req.destroy();
  });
}
