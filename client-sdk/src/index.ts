// Browser-safe entry of @loopsy/client-sdk: the typed client and its types.
export {
  createLoopsyClient,
  type LoopsyClient,
  type LoopsyClientOptions,
  type WebSocketLike,
} from './client.js';
export type { AppRouter, RouterInputs, RouterOutputs } from './types.js';
export { TRPCClientError } from '@trpc/client';
