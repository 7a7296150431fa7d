// Owns plain HTTP requests to a daemon from Node (file bodies and downloads): over its URL or its unix socket,
// with the client's credential, and the daemon's JSON error answers turned into TRPCClientErrors.
import http from 'node:http';
import https from 'node:https';
import { TRPCClientError } from '@trpc/client';
import type { HttpEndpoint } from './client-endpoint.js';

export interface RawRequestOptions {
  method: 'GET' | 'POST';
  /** Relative to the daemon's base URL, e.g. `trpc/files.push`. */
  path: string;
  headers?: Record<string, string>;
}

export function rawRequest(endpoint: HttpEndpoint, opts: RawRequestOptions): http.ClientRequest {
  const url = new URL(opts.path, endpoint.url);
  const headers: Record<string, string> = {
    ...(endpoint.apiKey ? { authorization: `Bearer ${endpoint.apiKey}` } : {}),
    ...opts.headers,
  };
  // A connection of its own (agent: false), closed after the answer: a transfer gains nothing from reuse, and
  // an idle kept-alive socket would hold a short-lived process (the CLI) open until the server drops it.
  if (endpoint.socketPath !== undefined) {
    return http.request({
      socketPath: endpoint.socketPath,
      path: `${url.pathname}${url.search}`,
      method: opts.method,
      headers: { host: 'localhost', ...headers },
      agent: false,
    });
  }
  return (url.protocol === 'https:' ? https : http).request(url, {
    method: opts.method,
    headers,
    agent: false,
  });
}

/** Reads a whole (small) response body. */
export async function readBody(res: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of res) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** The error a daemon answered (tRPC's `{ error: { message, data } }`), as the typed client would raise it. */
export function answeredError(status: number, body: string): TRPCClientError<never> {
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } };
    if (parsed.error && typeof parsed.error.message === 'string') {
      return TRPCClientError.from(parsed as { error: never });
    }
  } catch {
    // Not JSON: a proxy or an older daemon answered.
  }
  return TRPCClientError.from(
    new Error(`The daemon answered HTTP ${status}: ${body.slice(0, 200) || '(no body)'}`),
  );
}

/** A network failure (refused, reset) in the form the typed client reports it. */
export function networkError(err: unknown): TRPCClientError<never> {
  return TRPCClientError.from(err instanceof Error ? err : new Error(String(err)));
}
