// Owns the one error type of the end-to-end channel, so callers map every failure by its code.

export type E2EErrorCode =
  'bad-encoding' | 'handshake-failed' | 'decrypt-failed' | 'bad-frame' | 'closed';

const DEFAULT_MESSAGES: Record<E2EErrorCode, string> = {
  'bad-encoding': 'The bytes or text are not a valid encoding.',
  'handshake-failed': 'The end-to-end handshake failed.',
  'decrypt-failed': 'A frame failed to decrypt.',
  'bad-frame': 'The frame is malformed.',
  closed: 'The secure channel is closed.',
};

export class E2EError extends Error {
  override readonly name = 'E2EError';

  constructor(
    readonly code: E2EErrorCode,
    message: string = DEFAULT_MESSAGES[code],
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
