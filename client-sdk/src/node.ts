// Node entry of @loopsy/client-sdk: the same client, with the `ws` WebSocket by default and connectLocal().
import WebSocket from 'ws';
import type { PhoneCredentials } from './relay/credentials.js';
import { redeemPairing as redeemWithSocket, type RedeemPairingOptions } from './relay/redeem.js';
import {
  createLoopsyClient as createWithSocket,
  type LoopsyClient,
  type LoopsyClientOptions,
  type WebSocketLike,
} from './client.js';

export function createLoopsyClient(opts: LoopsyClientOptions): LoopsyClient {
  return createWithSocket({ WebSocket: WebSocket as unknown as WebSocketLike, ...opts });
}

export type {
  DirectClientOptions,
  LoopsyClient,
  LoopsyClientOptions,
  RelayClientOptions,
  WebSocketLike,
} from './client.js';
export type { PhoneCredentials } from './relay/credentials.js';
export { parsePairingLink, PairingLinkError, type PairingLink } from './relay/pairing-link.js';
export { PairingError, type RedeemPairingOptions } from './relay/redeem.js';

/** Pairs as a phone from Node (scripts, tests): the browser entry's function with the `ws` WebSocket. */
export function redeemPairing(opts: RedeemPairingOptions): Promise<PhoneCredentials> {
  return redeemWithSocket({ WebSocket: WebSocket as unknown as WebSocketLike, ...opts });
}
export type { AppRouter, RouterInputs, RouterOutputs } from './types.js';
export {
  connectLocal,
  connectSocket,
  DaemonNotRunning,
  localHome,
  type ConnectLocalOptions,
} from './local.js';
export {
  pullFile,
  pushFile,
  TransferError,
  type PullFileOptions,
  type PullFileResult,
  type PushFileOptions,
  type PushFileResult,
  type PushSource,
  type TransferProgress,
} from './files.js';
export { TRPCClientError } from '@trpc/client';
