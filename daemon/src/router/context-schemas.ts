// Owns the input schemas of the context procedures: key grammar, value and TTL limits, paging, stream resume.
import { z } from 'zod';
import {
  KEY_CHARSET,
  KEY_PATTERN,
  MAX_KEY_LENGTH,
  MAX_TTL_SECONDS,
  MAX_VALUE_BYTES,
  PREFIX_PATTERN,
} from '../services/context-rules.js';
import { PeerSchema } from './peer-target.js';

export const ContextKeySchema = z
  .string()
  .min(1, 'A key cannot be empty.')
  .max(MAX_KEY_LENGTH, `A key is at most ${MAX_KEY_LENGTH} characters.`)
  .regex(KEY_PATTERN, `A key uses only these characters: ${KEY_CHARSET}.`);

export const ContextPrefixSchema = z
  .string()
  .max(MAX_KEY_LENGTH, `A prefix is at most ${MAX_KEY_LENGTH} characters.`)
  .regex(PREFIX_PATTERN, `A prefix uses only these characters: ${KEY_CHARSET}.`);

/**
 * UTF-8 text. The character cap is only a cheap first bound; the service checks the byte size (1 MiB) and
 * says how large the value was. Lone surrogates cannot be stored as UTF-8, so they are refused, not mangled.
 */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export const ContextValueSchema = z
  .string()
  .max(MAX_VALUE_BYTES, 'A value is at most 1 MiB (1,048,576 bytes of UTF-8).')
  .refine(
    (v) => !LONE_SURROGATE.test(v),
    'The value is not valid Unicode text (it has a lone surrogate).',
  );

export const TtlSecondsSchema = z
  .number()
  .int('ttlSeconds is a whole number of seconds.')
  .min(1, 'ttlSeconds is at least 1; leave it out for an entry that never expires.')
  .max(MAX_TTL_SECONDS, 'ttlSeconds is at most ten years; leave it out for "never".');

/** tracked() ids of the change stream are decimal sequence numbers. */
export const LastEventIdSchema = z
  .string()
  .regex(/^\d{1,15}$/, 'lastEventId is the id of an event this stream yielded.')
  .nullish();

export const ContextSetSchema = z.strictObject({
  key: ContextKeySchema,
  value: ContextValueSchema,
  ttlSeconds: TtlSecondsSchema.optional(),
  peer: PeerSchema,
});

export const ContextKeyInputSchema = z.strictObject({ key: ContextKeySchema, peer: PeerSchema });

export const ContextListSchema = z
  .strictObject({
    prefix: ContextPrefixSchema.optional(),
    limit: z.number().int().min(1).max(1000).default(100),
    cursor: z
      .string()
      .max(400)
      .regex(/^[A-Za-z0-9_-]+$/, 'cursor is the nextCursor of a previous page.')
      .optional(),
    peer: PeerSchema,
  })
  .prefault({});

export const ContextOnChangeSchema = z
  .strictObject({
    prefix: ContextPrefixSchema.optional(),
    lastEventId: LastEventIdSchema,
    peer: PeerSchema,
  })
  .prefault({});
