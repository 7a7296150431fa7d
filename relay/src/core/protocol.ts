// Owns the control protocol on a daemon's control socket: JSON text frames, validated with zod both ways.
import { z } from 'zod';

/** Largest control frame either side accepts (UTF-8 bytes of the JSON text). */
export const MAX_CONTROL_FRAME = 64 * 1024;
/** Largest data frame the relay forwards: 1 MiB of payload plus room for the end-to-end framing. */
export const MAX_DATA_FRAME = 1024 * 1024 + 1024;

const RequestId = z.string().min(1).max(128);
const Id = z.string().min(1).max(128);

export const PairCreateSchema = z.object({
  type: z.literal('pair.create'),
  requestId: RequestId,
  ttlSeconds: z.number().int().positive(),
});
export const PhoneAddSchema = z.object({
  type: z.literal('phone.add'),
  requestId: RequestId,
  connectionId: Id,
});
export const PhoneRemoveSchema = z.object({
  type: z.literal('phone.remove'),
  requestId: RequestId,
  phoneId: Id,
});
export const PingSchema = z.object({ type: z.literal('ping'), ts: z.number().finite() });

export const DaemonToRelaySchema = z.discriminatedUnion('type', [
  PairCreateSchema,
  PhoneAddSchema,
  PhoneRemoveSchema,
  PingSchema,
]);
export type DaemonToRelay = z.infer<typeof DaemonToRelaySchema>;

export const HelloSchema = z.object({ type: z.literal('hello'), deviceId: Id });
export const PairCreatedSchema = z.object({
  type: z.literal('pair.created'),
  requestId: RequestId,
  token: z.string().min(1).max(1024),
  /** Unix time in milliseconds. */
  expiresAt: z.number().int(),
});
export const PhoneAddedSchema = z.object({
  type: z.literal('phone.added'),
  requestId: RequestId,
  phoneId: Id,
  phoneSecret: z.string().min(1).max(256),
});
export const PhoneRemovedSchema = z.object({
  type: z.literal('phone.removed'),
  requestId: RequestId,
  phoneId: Id,
});
export const DialSchema = z.object({
  type: z.literal('dial'),
  connectionId: Id,
  purpose: z.enum(['connect', 'pair']),
  phoneId: Id.optional(),
  pairNonce: z.string().min(1).max(128).optional(),
});
export const PongSchema = z.object({ type: z.literal('pong'), ts: z.number().finite() });
export const ControlErrorSchema = z.object({
  type: z.literal('error'),
  requestId: RequestId.optional(),
  code: z.string().min(1).max(64),
  message: z.string().max(1024),
});

export const RelayToDaemonSchema = z.discriminatedUnion('type', [
  HelloSchema,
  PairCreatedSchema,
  PhoneAddedSchema,
  PhoneRemovedSchema,
  DialSchema,
  PongSchema,
  ControlErrorSchema,
]);
export type RelayToDaemon = z.infer<typeof RelayToDaemonSchema>;

/** The `code` values of the relay's `error` frames. */
export const ControlErrorCode = {
  BAD_REQUEST: 'bad-request',
  FRAME_TOO_LARGE: 'frame-too-large',
  NOT_FOUND: 'not-found',
  FORBIDDEN: 'forbidden',
  CONFLICT: 'conflict',
  INTERNAL: 'internal',
} as const;
export type ControlErrorCodeValue = (typeof ControlErrorCode)[keyof typeof ControlErrorCode];

export type ParseResult<T> =
  | { ok: true; value: T }
  | {
      ok: false;
      code: 'frame-too-large' | 'bad-request';
      message: string;
      /** The frame's `requestId` when it had a plausible one, so the reply can be correlated. */
      requestId?: string;
    };

/** Parses one control frame; garbage of any kind (type, size, JSON, shape) is a result, never a throw. */
export function parseControlFrame<T>(text: unknown, schema: z.ZodType<T>): ParseResult<T> {
  if (typeof text !== 'string') {
    return { ok: false, code: 'bad-request', message: 'Control frames are JSON text frames.' };
  }
  if (text.length > MAX_CONTROL_FRAME || utf8ByteLength(text) > MAX_CONTROL_FRAME) {
    return {
      ok: false,
      code: 'frame-too-large',
      message: `Control frames are at most ${MAX_CONTROL_FRAME} bytes.`,
    };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { ok: false, code: 'bad-request', message: 'The control frame is not valid JSON.' };
  }
  const parsed = schema.safeParse(raw);
  if (parsed.success) return { ok: true, value: parsed.data };
  const requestId = plausibleRequestId(raw);
  const issue = parsed.error.issues[0];
  const where = issue && issue.path.length > 0 ? ` at ${issue.path.join('.')}` : '';
  return {
    ok: false,
    code: 'bad-request',
    message: `Invalid control frame${where}: ${issue?.message ?? 'unexpected shape'}.`.slice(
      0,
      512,
    ),
    ...(requestId !== undefined ? { requestId } : {}),
  };
}

function plausibleRequestId(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const id = (raw as Record<string, unknown>)['requestId'];
  return RequestId.safeParse(id).success ? (id as string) : undefined;
}

/** UTF-8 length of a JS string without encoding it (lone surrogates count as the 3 bytes of U+FFFD). */
export function utf8ByteLength(text: string): number {
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const d = text.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) {
        n += 4;
        i++;
      } else n += 3;
    } else n += 3;
  }
  return n;
}
