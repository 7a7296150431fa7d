// Owns running the relay alone: an HTTP server on its own port around one relay host.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRelayHost, type RelayHost, type RelayHostOptions } from './relay-host.js';

export const DEFAULT_RELAY_PORT = 19533;
export const DEFAULT_RELAY_HOST = '127.0.0.1';

export interface RelayServerOptions extends RelayHostOptions {
  /** Default 19533; 0 picks a free port. */
  port?: number | undefined;
  /** Default 127.0.0.1; a public relay binds 0.0.0.0 behind a TLS proxy. */
  host?: string | undefined;
}

export interface RelayServer {
  url: string;
  port: number;
  host: RelayHost;
  close(): Promise<void>;
}

export async function startRelayServer(opts: RelayServerOptions = {}): Promise<RelayServer> {
  const relay = createRelayHost(opts);
  const server = http.createServer((req, res) => {
    if (relay.handleRequest(req, res)) return;
    res.statusCode = 404;
    res.setHeader('content-type', 'application/json; charset=utf-8');
    res.end(
      JSON.stringify({
        error: {
          code: 'not-found',
          message: 'Not a relay path. The relay lives under /relay/v1/.',
        },
      }),
    );
  });
  server.on('upgrade', (req, socket, head) => {
    if (!relay.handleUpgrade(req, socket, head)) {
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
    }
  });
  // A client that vanishes mid-request must never take the relay down.
  server.on('clientError', (_err, socket) => socket.destroy());

  const host = opts.host ?? DEFAULT_RELAY_HOST;
  const port = opts.port ?? DEFAULT_RELAY_PORT;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await relay.close();
    throw listenError(err, host, port);
  }
  const actual = (server.address() as AddressInfo).port;
  const urlHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${actual}`,
    port: actual,
    host: relay,
    close() {
      closing ??= (async () => {
        await relay.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      })();
      return closing;
    },
  };
}

function listenError(err: unknown, host: string, port: number): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new Error(
      `Port ${port} on ${host} is already in use. Stop what uses it or start the relay with another port.`,
    );
  }
  if (code === 'EADDRNOTAVAIL') {
    return new Error(`Cannot listen on ${host}: no such address on this machine.`);
  }
  return err instanceof Error ? err : new Error(String(err));
}
