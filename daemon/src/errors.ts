// Owns domain errors and their one mapping to tRPC error codes. Messages are safe to show a user or a model.
import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';

export class LoopsyError extends Error {
  constructor(
    readonly code: TRPC_ERROR_CODE_KEY,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

export class NotFound extends LoopsyError {
  constructor(message: string) {
    super('NOT_FOUND', message);
  }
}
export class BadInput extends LoopsyError {
  constructor(message: string) {
    super('BAD_REQUEST', message);
  }
}
export class Conflict extends LoopsyError {
  constructor(message: string) {
    super('CONFLICT', message);
  }
}
export class CommandDenied extends LoopsyError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}
export class PathDenied extends LoopsyError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}
/** Bytes that arrived do not hash to the SHA-256 the sender declared (files.push): nothing was written. */
export class ChecksumMismatch extends LoopsyError {
  constructor(message: string) {
    super('UNPROCESSABLE_CONTENT', message);
  }
}
export class QuotaExceeded extends LoopsyError {
  constructor(message: string) {
    super('TOO_MANY_REQUESTS', message);
  }
}
/** The caller is known but may not do this (e.g. a phone asking for what only the laptop may do). */
export class NotAllowed extends LoopsyError {
  constructor(message: string) {
    super('FORBIDDEN', message);
  }
}
/** A public handshake (e.g. a dashboard login secret) that proves nothing: used, expired or unknown. */
export class NotAuthenticated extends LoopsyError {
  constructor(message: string) {
    super('UNAUTHORIZED', message);
  }
}
/** A value or message over its size limit (context values, message bodies, files). */
export class TooLarge extends LoopsyError {
  constructor(message: string) {
    super('PAYLOAD_TOO_LARGE', message);
  }
}
export class Unavailable extends LoopsyError {
  constructor(message: string) {
    super('PRECONDITION_FAILED', message);
  }
}

const INTERNAL_MESSAGE =
  'Internal error in the Loopsy daemon; details are in its log (loopsy logs).';

/** The single mapping from anything thrown to what a client sees. */
export function toTRPCError(err: unknown): TRPCError {
  if (err instanceof TRPCError) {
    if (err.cause instanceof LoopsyError) return toTRPCError(err.cause);
    if (err.code === 'INTERNAL_SERVER_ERROR' && !(err.cause instanceof LoopsyError)) {
      return new TRPCError({
        code: 'INTERNAL_SERVER_ERROR',
        message: INTERNAL_MESSAGE,
        cause: err,
      });
    }
    return err;
  }
  if (err instanceof LoopsyError) {
    return new TRPCError({ code: err.code, message: err.message, cause: err });
  }
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: INTERNAL_MESSAGE, cause: err });
}

/** The innermost cause, for the daemon's own log. */
export function rootCause(err: unknown): unknown {
  let e = err;
  while (e instanceof TRPCError && e.cause !== undefined && e.cause !== e) e = e.cause;
  return e;
}
