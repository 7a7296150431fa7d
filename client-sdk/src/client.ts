// Owns building the typed client: queries and mutations over HTTP, subscriptions over WebSocket, or all over WS.
import {
  createTRPCClient,
  createWSClient,
  httpBatchLink,
  httpLink,
  isNonJsonSerializable,
  splitLink,
  wsLink,
  type TRPCClient,
} from '@trpc/client';
import type { AppRouter } from '@loopsy/daemon/router';
import { setHttpEndpoint } from './client-endpoint.js';
import type { PhoneCredentials } from './relay/credentials.js';
import { tunnelWebSocketClass } from './relay/tunnel-socket.js';

/** Any class that behaves like the browser WebSocket (the `ws` package, an encrypting tunnel socket…). */
export type WebSocketLike = typeof globalThis.WebSocket;

export interface DirectClientOptions {
  /** The daemon's base URL, e.g. `http://127.0.0.1:19532`. */
  url: string;
  /** The owner API key or a credential issued by the daemon. */
  apiKey: string;
  /** `http` (default): calls over HTTP, subscriptions over a lazily opened WebSocket. `ws`: everything over one WebSocket. */
  transport?: 'http' | 'ws';
  /** The WebSocket class to use; defaults to the platform's global one. */
  WebSocket?: WebSocketLike;
  /** The fetch used for plain HTTP calls (binary inputs); defaults to the platform's global one. */
  fetch?: FetchLike;
}

/** What tRPC's HTTP links accept as `fetch` (the global fetch fits). */
export type FetchLike = NonNullable<Parameters<typeof httpLink>[0]['fetch']>;

export interface RelayClientOptions {
  /** A paired phone's credentials (from `redeemPairing`): every call goes end-to-end encrypted via the relay. */
  relay: PhoneCredentials;
  /** The WebSocket class used to reach the relay; defaults to the platform's global one. */
  WebSocket?: WebSocketLike;
}

export type LoopsyClientOptions = DirectClientOptions | RelayClientOptions;

export type LoopsyClient = TRPCClient<AppRouter> & {
  /** Closes the WebSocket (if one was opened). The client is unusable afterwards. */
  close(): Promise<void>;
};

export function createLoopsyClient(opts: LoopsyClientOptions): LoopsyClient {
  if ('relay' in opts) return createRelayClient(opts);
  const base = parseBaseUrl(opts.url);
  const WebSocketImpl = opts.WebSocket ?? globalThis.WebSocket;
  const transport = opts.transport ?? 'http';
  const wsUrl = `${base.protocol === 'https:' ? 'wss:' : 'ws:'}//${base.host}${base.pathname}trpc`;
  const wsClient = createWSClient({
    url: wsUrl,
    ...(WebSocketImpl ? { WebSocket: WebSocketImpl } : {}),
    lazy: { enabled: transport === 'http', closeMs: 5_000 },
    connectionParams: () => ({ token: opts.apiKey }),
    retryDelayMs: reconnectDelayMs,
  });
  const ws = wsLink<AppRouter>({ client: wsClient });
  const trpcUrl = `${base.origin}${base.pathname}trpc`;
  const auth = (): Record<string, string> =>
    opts.apiKey ? { authorization: `Bearer ${opts.apiKey}` } : {};
  const http = httpBatchLink<AppRouter>({ url: trpcUrl, headers: auth });
  // Binary inputs (files.push) cannot be batched nor sent over WebSocket: one plain request each, with the
  // upload id from the call's context (`mutate(blob, { context: { uploadId } })`) in its header.
  const binary = httpLink<AppRouter>({
    url: trpcUrl,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    headers: ({ op }) => {
      const uploadId = op.context['uploadId'];
      return typeof uploadId === 'string' ? { ...auth(), 'x-loopsy-upload': uploadId } : auth();
    },
  });
  const rest =
    transport === 'ws'
      ? ws
      : splitLink({ condition: (op) => op.type === 'subscription', true: ws, false: http });
  const client = createTRPCClient<AppRouter>({
    links: [
      splitLink({ condition: (op) => isNonJsonSerializable(op.input), true: binary, false: rest }),
    ],
  });
  const loopsy = withClose(client, () => wsClient.close());
  setHttpEndpoint(loopsy, { url: base.href, apiKey: opts.apiKey });
  return loopsy;
}

function createRelayClient(opts: RelayClientOptions): LoopsyClient {
  const Base = opts.WebSocket ?? globalThis.WebSocket;
  // The URL is not dialled: the tunnel class knows the relay and device from the credentials.
  const wsClient = createWSClient({
    url: 'ws://tunnel/trpc',
    WebSocket: tunnelWebSocketClass(opts.relay, Base),
    retryDelayMs: reconnectDelayMs,
    // A phone's network dies silently (sleep, a tunnel, a cell handover): a missed pong reconnects, and
    // subscriptions resume from their last event id.
    keepAlive: { enabled: true, intervalMs: 10_000, pongTimeoutMs: 5_000 },
  });
  return withClose(
    createTRPCClient<AppRouter>({ links: [wsLink<AppRouter>({ client: wsClient })] }),
    () => wsClient.close(),
  );
}

/** Capped exponential backoff with jitter, so many clients of one daemon do not reconnect in step. */
export function reconnectDelayMs(attempt: number): number {
  const capped = Math.min(30_000, 250 * 2 ** attempt);
  return Math.round(capped * (0.8 + Math.random() * 0.4));
}

function withClose(client: TRPCClient<AppRouter>, close: () => Promise<void>): LoopsyClient {
  // The tRPC client is a proxy in which every property is a procedure path, so `close` is layered on top.
  return new Proxy(client, {
    get: (target, prop, receiver): unknown =>
      prop === 'close' ? close : (Reflect.get(target, prop, receiver) as unknown),
  }) as LoopsyClient;
}

function parseBaseUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new TypeError(
      `"${url}" is not a URL; pass the daemon's address, e.g. http://127.0.0.1:19532`,
    );
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new TypeError(
      `The daemon URL must start with http:// or https://, not ${parsed.protocol}//`,
    );
  }
  if (!parsed.pathname.endsWith('/')) parsed.pathname += '/';
  return parsed;
}
