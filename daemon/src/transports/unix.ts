// Owns the local transport: the same router on a unix socket in the data folder (0600), for the owner's tools.
import fs from 'node:fs';
import http from 'node:http';
import type { Caller, Services } from '../context.js';
import { createHttpListener } from './http.js';
import { createWsTransport } from './ws.js';

export interface UnixTransport {
  path: string;
  close(): Promise<void>;
}

const LOCAL: Caller = { kind: 'local', id: 'local', name: 'local' };

export async function listenUnix(services: Services, socketPath: string): Promise<UnixTransport> {
  // The caller holds the folder's daemon lock, so a socket file left here belongs to a dead daemon.
  fs.rmSync(socketPath, { force: true });
  const server = http.createServer(
    createHttpListener(services, { transport: 'unix', local: LOCAL }),
  );
  const ws = createWsTransport(services, { transport: 'unix', local: LOCAL });
  server.on('upgrade', (req, socket, head) => ws.handleUpgrade(req, socket, head));
  server.on('clientError', (_err, socket) => socket.destroy());
  const previous = process.umask(0o177);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(socketPath, () => {
        server.off('error', reject);
        resolve();
      });
    });
  } finally {
    process.umask(previous);
  }
  fs.chmodSync(socketPath, 0o600);
  return {
    path: socketPath,
    async close() {
      ws.close();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      fs.rmSync(socketPath, { force: true });
    },
  };
}
