// Owns writing one upload: the body streams into a 0600 temp file beside the target (constant memory, the
// socket paused while the disk is busy), is size- and SHA-256-checked and fsynced, then put at the target in one
// step (link, or rename to replace). On any failure the temp file is removed and the target is untouched.
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import fsp, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { BadInput, ChecksumMismatch, Conflict, NotFound, TooLarge } from '../../errors.js';
import { AnchoredDir } from './anchored-dir.js';
import { fileError, interrupted } from './fs-errors.js';
import type { PathPolicy } from './path-policy.js';
import { showPath } from './path-text.js';

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
/** Writes are gathered to this size: fewer syscalls, and still a small, fixed amount of memory. */
const WRITE_BATCH = 1024 * 1024;
export const TEMP_PREFIX = '.loopsy-upload-';

/** What files.beginPush decided, carried by the upload id to files.push. */
export interface UploadPlan {
  requested: string;
  /** The real target path admitted at beginPush. */
  full: string;
  size: number;
  /** Declared up front; otherwise the request's trailer must carry it. */
  sha256?: string;
  overwrite: boolean;
  mkdirs: boolean;
}

export interface PushResult {
  path: string;
  size: number;
  sha256: string;
}

export interface ReceiveOptions {
  plan: UploadPlan;
  body: ReadableStream<Uint8Array>;
  policy: PathPolicy;
  maxFileSize: () => number;
  /** The SHA-256 in the request's trailer, if the sender put one there (asked after the body ended). */
  trailerSha256: () => string | undefined;
  signal?: AbortSignal | undefined;
}

export async function receiveUpload(opts: ReceiveOptions): Promise<PushResult> {
  const { plan, policy } = opts;
  const shown = showPath(plan.requested);
  const checked = await policy.resolve(plan.requested);
  if (checked.full !== plan.full) {
    throw new Conflict(
      `${shown} changed on disk since files.beginPush (a folder or link was created or moved); start the upload again.`,
    );
  }
  const name = path.basename(checked.full);
  let dir: AnchoredDir | undefined;
  try {
    dir = await anchorParent(checked.existing, checked.missing, plan, policy);
    return await writeAndCommit(dir, name, opts);
  } catch (err) {
    throw fileError(err, plan.requested);
  } finally {
    await dir?.close();
  }
}

/** Opens the target's folder, creating the missing ones (each admitted by the policy) when `mkdirs` allows. */
async function anchorParent(
  existing: string,
  missing: string[],
  plan: UploadPlan,
  policy: PathPolicy,
): Promise<AnchoredDir> {
  if (missing.length === 0) return AnchoredDir.open(path.dirname(existing));
  const toCreate = missing.slice(0, -1);
  if (toCreate.length > 0 && !plan.mkdirs) {
    throw new NotFound(
      `The folder ${showPath(path.dirname(plan.requested))} does not exist; pass mkdirs (--mkdirs) to create it.`,
    );
  }
  let dir = await AnchoredDir.open(existing);
  try {
    for (const folder of toCreate) {
      const next = path.join(dir.realPath, folder);
      await policy.check(next, plan.requested);
      const parent = dir;
      const child = await parent.openChild(folder, true).catch(async (err: unknown) => {
        // Created meanwhile by someone else: use it, as mkdir -p would.
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        return parent.openChild(folder, false);
      });
      await dir.close();
      dir = child;
    }
    return dir;
  } catch (err) {
    await dir.close();
    throw err;
  }
}

async function writeAndCommit(
  dir: AnchoredDir,
  name: string,
  opts: ReceiveOptions,
): Promise<PushResult> {
  const { plan } = opts;
  const tempName = `${TEMP_PREFIX}${randomBytes(8).toString('hex')}`;
  const temp = await fsp.open(dir.child(tempName), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  let open = true;
  try {
    // The temp file must be where the policy looked: verified before a byte is written.
    await dir.verify();
    const sha256 = await copyBody(temp, opts);
    const existing = await fsp.lstat(dir.child(name)).catch(() => undefined);
    if (existing?.isDirectory()) {
      throw new BadInput(
        `${showPath(plan.requested)} is a folder; name the file to write inside it.`,
      );
    }
    // Replacing a file keeps its permissions; a new file stays private (0600) until its owner decides.
    if (existing?.isFile() && plan.overwrite) await temp.chmod(existing.mode & 0o7777);
    await temp.sync();
    await temp.close();
    open = false;
    assertChecksum(sha256, plan.sha256, opts.trailerSha256());
    // Last look before the rename: the folder is still the admitted one, and the rules (re-read) still admit it.
    await dir.verify();
    await opts.policy.check(path.join(dir.realPath, name), plan.requested);
    await commit(dir, tempName, name, plan);
    await dir.sync();
    return { path: path.join(dir.realPath, name), size: plan.size, sha256 };
  } catch (err) {
    if (open) await temp.close().catch(() => undefined);
    await fsp.rm(dir.child(tempName), { force: true }).catch(() => undefined);
    throw err;
  }
}

/** The sender's SHA-256 (declared up front, sent as a trailer, or both) must be the hash of what arrived. */
function assertChecksum(actual: string, declared: string | undefined, trailer: string | undefined) {
  if (declared === undefined && trailer === undefined) {
    throw new BadInput(
      'No SHA-256 came with the file: declare it in files.beginPush or send it as the x-loopsy-sha256 trailer. Nothing was written.',
    );
  }
  for (const [claimed, where] of [
    [declared, 'declared in files.beginPush'],
    [trailer, 'sent in the trailer'],
  ] as const) {
    if (claimed !== undefined && claimed !== actual) {
      throw new ChecksumMismatch(
        `The bytes that arrived hash to SHA-256 ${actual}, not the ${claimed} ${where}; nothing was written. Send the file again.`,
      );
    }
  }
}

/** Streams the body into `temp`, counting and hashing; stops at the first byte over the limits. */
async function copyBody(temp: FileHandle, opts: ReceiveOptions): Promise<string> {
  const { plan } = opts;
  const max = opts.maxFileSize();
  const hash = createHash('sha256');
  const reader = opts.body.getReader();
  let bytes = 0;
  let batch: Uint8Array[] = [];
  let batchBytes = 0;
  // A batch is written (in the thread pool) while the next one is read and hashed: two at most in memory.
  let writing: Promise<void> = Promise.resolve();
  const flush = async (): Promise<void> => {
    await writing;
    const chunks = batch;
    writing = writeAll(temp, chunks, batchBytes);
    // A failed write surfaces at the next flush or at the end, never as an unhandled rejection.
    writing.catch(() => undefined);
    batch = [];
    batchBytes = 0;
  };
  try {
    for (;;) {
      if (opts.signal?.aborted) throw interrupted();
      const { done, value } = await reader.read();
      if (done) break;
      bytes += value.byteLength;
      if (bytes > plan.size) {
        throw new TooLarge(
          `More bytes arrived than the ${plan.size} declared in files.beginPush; nothing was written. Declare the real size.`,
        );
      }
      if (bytes > max) {
        throw new TooLarge(
          `The upload passed transfer.maxFileSize (${max} bytes); nothing was written.`,
        );
      }
      hash.update(value);
      batch.push(value);
      batchBytes += value.byteLength;
      if (batchBytes >= WRITE_BATCH) await flush();
    }
    if (batchBytes > 0) await flush();
    await writing;
    if (bytes < plan.size) {
      throw new BadInput(
        `The upload ended after ${bytes} of the ${plan.size} bytes declared; nothing was written. Send it again.`,
      );
    }
    return hash.digest('hex');
  } finally {
    // Not cancelled: the transport answers first, then drops the connection and whatever is still unread.
    reader.releaseLock();
    // Nothing may still be writing when the caller closes and removes the temp file.
    await writing.catch(() => undefined);
  }
}

async function writeAll(temp: FileHandle, chunks: Uint8Array[], total: number): Promise<void> {
  const { bytesWritten } = await temp.writev(chunks);
  if (bytesWritten < total) {
    const rest = Buffer.concat(chunks).subarray(bytesWritten);
    let done = 0;
    while (done < rest.length) done += (await temp.write(rest, done)).bytesWritten;
  }
}

/** Puts the temp file at the target in one step: rename to replace, link to never replace (atomic no-clobber). */
async function commit(
  dir: AnchoredDir,
  tempName: string,
  name: string,
  plan: UploadPlan,
): Promise<void> {
  const from = dir.child(tempName);
  const to = dir.child(name);
  if (plan.overwrite) {
    await fsp.rename(from, to);
    return;
  }
  const conflict = () =>
    new Conflict(
      `${showPath(plan.requested)} appeared while the file was uploading; it was not replaced. Pass overwrite (--overwrite) to replace it.`,
    );
  try {
    await fsp.link(from, to);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw conflict();
    // A file system without hard links: check, then rename (a narrow window instead of none).
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EMLINK') {
      throw err;
    }
    if (await fsp.lstat(to).catch(() => undefined)) throw conflict();
    await fsp.rename(from, to);
    return;
  }
  await fsp.unlink(from);
}
