// Node entry of @loopsy/client-sdk: the same client, with the `ws` WebSocket by default and connectLocal().
import WebSocket from 'ws';
import {
  createLoopsyClient as createWithSocket,
  type LoopsyClient,
  type LoopsyClientOptions,
  type WebSocketLike,
} from './client.js';

export function createLoopsyClient(opts: LoopsyClientOptions): LoopsyClient {
  return createWithSocket({ WebSocket: WebSocket as unknown as WebSocketLike, ...opts });
}

export type { LoopsyClient, LoopsyClientOptions, WebSocketLike } from './client.js';
export type { AppRouter, RouterInputs, RouterOutputs } from './types.js';
export {
  connectLocal,
  connectSocket,
  DaemonNotRunning,
  localHome,
  type ConnectLocalOptions,
} from './local.js';
export { TRPCClientError } from '@trpc/client';
