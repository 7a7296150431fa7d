// Browser-safe entry of @loopsy/client-sdk: the typed client and its types.
export {
  createLoopsyClient,
  type LoopsyClient,
  type DirectClientOptions,
  type LoopsyClientOptions,
  type RelayClientOptions,
  type WebSocketLike,
} from './client.js';
export type { PhoneCredentials } from './relay/credentials.js';
export { parsePairingLink, PairingLinkError, type PairingLink } from './relay/pairing-link.js';
export {
  PairingError,
  redeemPairing,
  type PairingErrorCode,
  type RedeemPairingOptions,
} from './relay/redeem.js';
export type { AppRouter, RouterInputs, RouterOutputs } from './types.js';
export { TRPCClientError } from '@trpc/client';
