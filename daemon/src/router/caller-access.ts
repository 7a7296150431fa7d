// Owns who may call what beyond "is authenticated": the caller kinds a procedure admits, in one place.
import type { Caller, Context } from '../context.js';
import { NotAllowed } from '../errors.js';

export type CallerKind = Caller['kind'];

/** The laptop itself: its owner key or its unix socket. */
export const LAPTOP: readonly CallerKind[] = ['owner', 'local'];
/** The laptop, or a browser on it signed in with `loopsy dashboard` (a short-lived session credential). */
export const LAPTOP_OR_DASHBOARD: readonly CallerKind[] = ['owner', 'local', 'session'];

export function callerIs(ctx: Context, kinds: readonly CallerKind[]): boolean {
  return ctx.caller !== null && kinds.includes(ctx.caller.kind);
}

/** Throws FORBIDDEN with `message` unless the caller is one of `kinds`. */
export function requireCaller(ctx: Context, kinds: readonly CallerKind[], message: string): void {
  if (!callerIs(ctx, kinds)) throw new NotAllowed(message);
}
