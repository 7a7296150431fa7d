// Owns a minimal fetch over the daemon's unix socket (Node), for the tRPC link that sends binary inputs there:
// bodies are streamed (a Blob is never read into memory) and the answer comes back as a web Response.
import http from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { FetchLike } from './client.js';

export function socketFetch(socketPath: string): FetchLike {
  return (input, init) =>
    new Promise<Response>((resolve, reject) => {
      const url = new URL(
        typeof input === 'string' ? input : input instanceof URL ? input.href : input.url,
      );
      const headers: Record<string, string> = { host: 'localhost' };
      new Headers(init?.headers).forEach((value, name) => (headers[name] = value));
      const req = http.request(
        {
          socketPath,
          path: `${url.pathname}${url.search}`,
          method: init?.method ?? 'GET',
          headers,
        },
        (res) => {
          const out = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (typeof value === 'string') out.set(name, value);
            else if (Array.isArray(value)) for (const v of value) out.append(name, v);
          }
          resolve(
            new Response(Readable.toWeb(res) as ReadableStream<Uint8Array>, {
              status: res.statusCode ?? 500,
              headers: out,
            }),
          );
        },
      );
      req.on('error', reject);
      init?.signal?.addEventListener(
        'abort',
        () => req.destroy(new Error('The request was aborted.')),
        {
          once: true,
        },
      );
      const body = init?.body;
      if (body === undefined || body === null) req.end();
      else if (typeof body === 'string' || body instanceof Uint8Array) req.end(body);
      else if (body instanceof Blob) {
        // A File is a Blob: streamed, never read into memory.
        Readable.fromWeb(body.stream() as NodeReadableStream<Uint8Array>)
          .on('error', (err) => req.destroy(err))
          .pipe(req);
      } else {
        req.destroy();
        reject(new TypeError('socketFetch sends strings, bytes and Blobs (not FormData).'));
      }
    });
}
