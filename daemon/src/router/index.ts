// Owns the app router: every capability is one sub-router here. Its type is what the client SDK is built from.
import type { TRPCBuiltRouter } from '@trpc/server';
import { router } from '../trpc.js';
import { authRouter } from './auth.js';
import { contextRouter } from './context.js';
import { execRouter } from './exec.js';
import { filesRouter } from './files.js';
import { messagesRouter } from './messages.js';
import { phonesRouter } from './phones.js';
import { relayRouter } from './relay.js';
import { systemRouter } from './system.js';
import { terminalRouter } from './terminal.js';

export const appRouter = router({
  system: systemRouter,
  auth: authRouter,
  relay: relayRouter,
  phones: phonesRouter,
  terminal: terminalRouter,
  exec: execRouter,
  files: filesRouter,
  context: contextRouter,
  messages: messagesRouter,
});

type RootTypes = (typeof appRouter)['_def']['_config']['$types'];

/**
 * The router as clients see it: the same procedures, with the server-side context erased, so the SDK's
 * declaration bundle carries no daemon internals (services, database, config types).
 */
export type AppRouter = TRPCBuiltRouter<
  {
    ctx: object;
    meta: RootTypes['meta'];
    errorShape: RootTypes['errorShape'];
    transformer: RootTypes['transformer'];
  },
  (typeof appRouter)['_def']['record']
>;
