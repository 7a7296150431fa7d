// Owns finding the local daemon from its data folder (Node only): daemon.json says where, api-key says who.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import WebSocket from 'ws';
import { createLoopsyClient, type LoopsyClient, type WebSocketLike } from './client.js';
import { setHttpEndpoint } from './client-endpoint.js';
import { socketFetch } from './socket-fetch.js';

export interface ConnectLocalOptions {
  /** The data folder; defaults to LOOPSY_HOME, then ~/.loopsy. */
  home?: string;
  transport?: 'http' | 'ws';
}

export class DaemonNotRunning extends Error {
  override readonly name = 'DaemonNotRunning';
}

export function localHome(home?: string): string {
  return path.resolve(home ?? process.env['LOOPSY_HOME'] ?? path.join(os.homedir(), '.loopsy'));
}

/** A WebSocket class that dials the daemon's unix socket whatever URL it is given (path and query kept). */
function socketWebSocket(socketPath: string): WebSocketLike {
  class UnixWebSocket extends WebSocket {
    constructor(url: string | URL, protocols?: string | string[]) {
      const u = new URL(url);
      super(`ws+unix://${socketPath}:${u.pathname}${u.search}`, protocols);
    }
  }
  return UnixWebSocket as unknown as WebSocketLike;
}

/** Connects through the daemon's unix socket: the socket file's mode (0600) is the authentication. */
export function connectSocket(socketPath: string): LoopsyClient {
  const client = createLoopsyClient({
    url: 'http://localhost/',
    apiKey: '',
    transport: 'ws',
    WebSocket: socketWebSocket(socketPath),
    fetch: socketFetch(socketPath),
  });
  // File transfers (pushFile, pullFile) make plain HTTP requests: through the same socket.
  setHttpEndpoint(client, { url: 'http://localhost/', apiKey: '', socketPath });
  return client;
}

/**
 * Connects to the daemon that serves `home` as its owner: through its unix socket when there is one,
 * else over HTTP with the API key.
 */
export function connectLocal(opts: ConnectLocalOptions = {}): LoopsyClient {
  const home = localHome(opts.home);
  let state: { url?: unknown; pid?: unknown; socket?: unknown };
  try {
    state = JSON.parse(fs.readFileSync(path.join(home, 'daemon.json'), 'utf8')) as typeof state;
  } catch {
    throw new DaemonNotRunning(
      `No Loopsy daemon is running for ${home}. Start one with \`loopsy start\`.`,
    );
  }
  if (typeof state.url !== 'string') {
    throw new DaemonNotRunning(
      `${path.join(home, 'daemon.json')} is damaged. Restart the daemon with \`loopsy start\`.`,
    );
  }
  const socketPath = path.join(home, 'loopsyd.sock');
  if (opts.transport !== 'http' && typeof state.socket === 'string' && fs.existsSync(socketPath)) {
    return connectSocket(socketPath);
  }
  let apiKey: string;
  try {
    apiKey = fs.readFileSync(path.join(home, 'api-key'), 'utf8').trim();
  } catch {
    throw new DaemonNotRunning(`No API key in ${home}. Run \`loopsy init\` first.`);
  }
  return createLoopsyClient({
    url: state.url,
    apiKey,
    WebSocket: WebSocket as unknown as WebSocketLike,
    ...(opts.transport ? { transport: opts.transport } : {}),
  });
}
