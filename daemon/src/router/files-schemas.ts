// Owns the input schemas of the files procedures. Paths are bounded here; their finer rules (absolute, NUL, name
// lengths, Unicode) are checked by the path policy, whose messages say what to send instead.
import { z } from 'zod';
import { PeerSchema } from './peer-target.js';

export const Sha256Schema = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'must be 64 hex digits')
  .transform((s) => s.toLowerCase());

/** Bounded far above any valid path, so the policy reports an overlong path in words, not zod issues. */
const PathSchema = z.string().min(1).max(65_536);

export const FilesListSchema = z.strictObject({
  peer: PeerSchema,
  /** Default: the home folder of the daemon's user. */
  path: PathSchema.default('~'),
  /** The last name of the previous page. */
  cursor: z.string().min(1).max(65_536).optional(),
  limit: z.number().int().min(1).max(1000).default(200),
});

export const FilesStatSchema = z.strictObject({ peer: PeerSchema, path: PathSchema });

export const FilesBeginPushSchema = z.strictObject({
  peer: PeerSchema,
  /** Where the file goes: a file path (not a folder). */
  path: PathSchema,
  size: z.number().int().min(0).max(Number.MAX_SAFE_INTEGER),
  /**
   * SHA-256 of the whole file, hex: the daemon renames the file into place only if the bytes match it. May be
   * left out when files.push sends it as its `x-loopsy-sha256` HTTP trailer instead (computed while sending).
   */
  sha256: Sha256Schema.optional(),
  /** Replace an existing file (default: CONFLICT when the target exists). */
  overwrite: z.boolean().default(false),
  /** Create missing parent folders. */
  mkdirs: z.boolean().default(false),
});

export const FilesPullSchema = z.strictObject({ peer: PeerSchema, path: PathSchema });

/** The header that carries the upload id from files.beginPush to files.push (whose body is the file). */
export const UPLOAD_ID_HEADER = 'x-loopsy-upload';
/** The trailer of files.push that may carry the file's SHA-256, computed by the sender while sending. */
export const SHA256_TRAILER = 'x-loopsy-sha256';
