// Owns a running daemon: services plus every transport on one port, and an orderly shutdown.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import type { Services } from './context.js';
import { dataPaths } from './paths.js';
import { openServices } from './services.js';
import { createHttpListener } from './transports/http.js';
import { listenUnix, type UnixTransport } from './transports/unix.js';
import { createWsTransport } from './transports/ws.js';

export interface StartDaemonOptions {
  home: string;
  config: Config;
  /** Overrides config.server.port / host for this run (tests pass port 0). */
  port?: number;
  host?: string;
  now?: () => number;
  /** Listen on the data folder's unix socket too (default true). */
  unixSocket?: boolean;
  sweepIntervalMs?: number;
}

export interface RunningDaemon {
  url: string;
  port: number;
  host: string;
  /** The unix socket path, when the local socket is up. */
  socket: string | undefined;
  services: Services;
  close(): Promise<void>;
}

export async function startDaemon(opts: StartDaemonOptions): Promise<RunningDaemon> {
  const opened = openServices({
    home: opts.home,
    config: opts.config,
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.sweepIntervalMs !== undefined ? { sweepIntervalMs: opts.sweepIntervalMs } : {}),
  });
  const { services } = opened;
  const server = http.createServer(createHttpListener(services, { transport: 'http' }));
  const ws = createWsTransport(services, { transport: 'http' });
  server.on('upgrade', (req, socket, head) => ws.handleUpgrade(req, socket, head));
  // A client that vanishes mid-request must never take the daemon down.
  server.on('clientError', (_err, socket) => socket.destroy());

  const host = opts.host ?? opts.config.server.host;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? opts.config.server.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    opened.close();
    throw listenError(err, host, opts.port ?? opts.config.server.port);
  }
  let unix: UnixTransport | undefined;
  if (opts.unixSocket !== false) {
    try {
      unix = await listenUnix(services, dataPaths(opts.home).socket);
    } catch (err) {
      // The TCP port still serves everything; local tools fall back to it with the API key.
      process.stderr.write(
        `loopsy: no local socket (${(err as Error).message}); local tools will use ${host}.\n`,
      );
    }
  }
  const port = (server.address() as AddressInfo).port;
  const urlHost =
    host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${urlHost}:${port}`,
    port,
    host,
    socket: unix?.path,
    services,
    close() {
      closing ??= (async () => {
        await unix?.close();
        ws.close();
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        opened.close();
      })();
      return closing;
    },
  };
}

function listenError(err: unknown, host: string, port: number): Error {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new Error(
      `Port ${port} on ${host} is already in use. Stop what uses it or start with another port (loopsy start --port N).`,
    );
  }
  if (code === 'EADDRNOTAVAIL') {
    return new Error(
      `Cannot listen on ${host}: no such address on this machine. Check server.host in config.yaml.`,
    );
  }
  return err instanceof Error ? err : new Error(String(err));
}
