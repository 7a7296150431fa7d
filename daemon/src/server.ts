// Owns a running daemon: services plus every transport on one port, and an orderly shutdown.
import http from 'node:http';
import os from 'node:os';
import type { AddressInfo } from 'node:net';
import type { Config } from './config.js';
import type { Services } from './context.js';
import { createRelayHost } from '@loopsy/relay/node';
import { dataPaths } from './paths.js';
import { findPhoneAppBuild } from './phone-app.js';
import { readRelaySettings, writeRelaySettings } from './services/relay-settings.js';
import { attachRelayTunnel } from './transports/relay-tunnel.js';
import { openServices } from './services.js';
import { allowedHostNames, refuseHttpHost, refuseUpgradeHost } from './transports/host-check.js';
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
  /** Host a relay on the daemon's own port when none is configured (default true). */
  embeddedRelay?: boolean;
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
  const paths = dataPaths(opts.home);
  // With no relay of its own configured, the daemon hosts one on its port, so phones work out of the box.
  const existing = readRelaySettings(paths.relaySettings);
  const embedded = opts.embeddedRelay !== false && (existing === undefined || existing.embedded);
  const relayHost = embedded
    ? createRelayHost({ dataDir: paths.relayData, appDir: findPhoneAppBuild() })
    : undefined;
  const daemonListener = createHttpListener(services, { transport: 'http' });
  const host = opts.host ?? opts.config.server.host;
  // Read on each request, so a change to server.allowedHosts applies without a restart.
  const allowedHosts = (): string[] =>
    allowedHostNames(services.config.current().server.allowedHosts, host);
  const server = http.createServer((req, res) => {
    if (refuseHttpHost(req, res, allowedHosts())) return;
    if (relayHost?.handleRequest(req, res)) return;
    daemonListener(req, res);
  });
  const ws = createWsTransport(services, { transport: 'http' });
  server.on('upgrade', (req, socket, head) => {
    if (refuseUpgradeHost(req, socket, allowedHosts())) return;
    if (relayHost?.handleUpgrade(req, socket, head)) return;
    ws.handleUpgrade(req, socket, head);
  });
  // A client that vanishes mid-request must never take the daemon down.
  server.on('clientError', (_err, socket) => socket.destroy());

  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(opts.port ?? opts.config.server.port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } catch (err) {
    await relayHost?.close();
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

  const tunnel = attachRelayTunnel(services);
  const url = `http://${urlHost}:${port}`;
  services.dashboardLogins.setBaseUrl(url);
  if (embedded) {
    const ownUrl = `http://${publicHost(host)}:${port}`;
    if (existing) writeRelaySettings(paths.relaySettings, { ...existing, url: ownUrl });
    if (!existing || !services.relay.startFromSettings()) {
      await services.relay.configure(ownUrl, { embedded: true }).catch((err: unknown) => {
        process.stderr.write(
          `loopsy: the built-in relay could not start: ${(err as Error).message}\n`,
        );
      });
    }
  } else {
    services.relay.startFromSettings();
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    host,
    socket: unix?.path,
    services,
    close() {
      closing ??= (async () => {
        services.relay.stop();
        tunnel.close();
        await relayHost?.close();
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

/** The address phones should use: the LAN address when listening on every interface. */
function publicHost(host: string): string {
  if (host !== '0.0.0.0' && host !== '::') return host.includes(':') ? `[${host}]` : host;
  for (const addrs of Object.values(os.networkInterfaces())) {
    for (const a of addrs ?? []) if (a.family === 'IPv4' && !a.internal) return a.address;
  }
  return '127.0.0.1';
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
