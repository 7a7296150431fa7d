// Owns the files capability behind the router: list, stat, the two steps of an upload, and download tickets.
// Every path goes through the PathPolicy first; every access after that goes through an anchored folder.
import fs from 'node:fs';
import fsp, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { BadInput, Conflict, NotFound, TooLarge, Unavailable } from '../../errors.js';
import { AnchoredDir } from './anchored-dir.js';
import { entryType, listPage, type EntryType, type ListingPage } from './directory-listing.js';
import { fileError } from './fs-errors.js';
import { PathPolicy, type CheckedPath } from './path-policy.js';
import { showPath } from './path-text.js';
import { OneTimeTokens } from './one-time-tokens.js';
import { receiveUpload, type PushResult, type UploadPlan } from './upload-receiver.js';

const { O_RDONLY, O_NOFOLLOW, O_NONBLOCK } = fs.constants;
/** Upload ids and download tickets live this long: enough to start the transfer, not to hoard them. */
export const TOKEN_TTL_MS = 60_000;
const MAX_PENDING_PER_CALLER = 16;

export interface TransferSettings {
  allowedPaths: readonly string[];
  deniedPaths: readonly string[];
  maxFileSize: number;
}

export interface FileServiceOptions {
  settings: () => TransferSettings;
  /** The Loopsy data folder: never shared. */
  dataFolder: string;
  userHome: string;
  now: () => number;
  caseInsensitive?: boolean;
}

export interface FileStat {
  path: string;
  type: EntryType;
  size: number;
  mtimeMs: number;
  mode: number;
}

export interface BeginPushInput {
  path: string;
  size: number;
  /** Absent: files.push must carry it as a trailer. */
  sha256?: string | undefined;
  overwrite: boolean;
  mkdirs: boolean;
}

/** An open file waiting for its download: the descriptor is what was checked, so what is sent is that file. */
export interface PendingDownload {
  handle: FileHandle;
  path: string;
  size: number;
}

export class FileService {
  readonly policy: PathPolicy;
  private readonly uploads: OneTimeTokens<UploadPlan>;
  private readonly downloads: OneTimeTokens<PendingDownload>;

  constructor(private readonly opts: FileServiceOptions) {
    this.policy = new PathPolicy({
      settings: opts.settings,
      dataFolder: opts.dataFolder,
      userHome: opts.userHome,
      ...(opts.caseInsensitive !== undefined ? { caseInsensitive: opts.caseInsensitive } : {}),
    });
    this.uploads = new OneTimeTokens<UploadPlan>({
      ttlMs: TOKEN_TTL_MS,
      maxPerCaller: MAX_PENDING_PER_CALLER,
      now: opts.now,
      release: () => undefined,
      tooMany: `${MAX_PENDING_PER_CALLER} uploads are already waiting for their bytes; send them (files.push) or wait a minute.`,
    });
    this.downloads = new OneTimeTokens<PendingDownload>({
      ttlMs: TOKEN_TTL_MS,
      maxPerCaller: MAX_PENDING_PER_CALLER,
      now: opts.now,
      release: (d) => void d.handle.close().catch(() => undefined),
      tooMany: `${MAX_PENDING_PER_CALLER} downloads are already waiting; fetch them or wait a minute.`,
    });
  }

  async list(input: {
    path: string;
    cursor?: string | undefined;
    limit: number;
  }): Promise<ListingPage & { path: string }> {
    const checked = await this.policy.resolve(input.path);
    const shown = showPath(input.path);
    if (checked.missing.length > 0) throw new NotFound(`There is no folder at ${shown}.`);
    let dir: AnchoredDir | undefined;
    try {
      dir = await AnchoredDir.open(checked.full).catch((err: unknown) => {
        if ((err as NodeJS.ErrnoException).code === 'ENOTDIR') {
          throw new BadInput(`${shown} is a file, not a folder; files.stat describes it.`);
        }
        throw err;
      });
      return { path: checked.full, ...(await listPage(dir, input.cursor, input.limit)) };
    } catch (err) {
      throw fileError(err, input.path);
    } finally {
      await dir?.close();
    }
  }

  async stat(input: { path: string }): Promise<FileStat> {
    const checked = await this.policy.resolve(input.path);
    try {
      const st = await this.lstatChecked(checked);
      return {
        path: checked.full,
        type: entryType(st),
        size: st.size,
        mtimeMs: st.mtimeMs,
        mode: st.mode & 0o7777,
      };
    } catch (err) {
      throw fileError(err, input.path);
    }
  }

  /** Step one of an upload: checks everything that can be checked before a byte is sent. */
  async beginPush(
    input: BeginPushInput,
    callerId: string,
  ): Promise<{ uploadId: string; expiresAt: number }> {
    const shown = showPath(input.path);
    const max = this.opts.settings().maxFileSize;
    if (input.size > max) {
      throw new TooLarge(
        `The file is ${input.size} bytes; this daemon accepts at most ${max} (transfer.maxFileSize). Nothing was sent.`,
      );
    }
    const checked = await this.policy.resolve(input.path);
    if (checked.full === path.dirname(checked.full)) {
      throw new BadInput(`${shown} is a folder; name the file to write inside it.`);
    }
    try {
      const toCreate = checked.missing.slice(0, -1);
      if (toCreate.length > 0 && !input.mkdirs) {
        throw new NotFound(
          `The folder ${showPath(path.dirname(input.path))} does not exist; pass mkdirs (--mkdirs) to create it.`,
        );
      }
      let folder = checked.existing;
      for (const name of toCreate) {
        folder = path.join(folder, name);
        await this.policy.check(folder, input.path);
      }
      if (checked.missing.length > 0 && !(await fsp.stat(checked.existing)).isDirectory()) {
        throw new BadInput(`A part of ${shown} is a file, not a folder.`);
      }
      const existing = await this.lstatChecked(checked).catch(() => undefined);
      if (existing?.isDirectory()) {
        throw new BadInput(`${shown} is a folder; name the file to write inside it.`);
      }
      if (existing && !input.overwrite) {
        throw new Conflict(`${shown} already exists; pass overwrite (--overwrite) to replace it.`);
      }
      await this.assertSpace(checked.existing, input.size, shown);
    } catch (err) {
      throw fileError(err, input.path);
    }
    const { token, expiresAt } = this.uploads.issue(callerId, {
      requested: input.path,
      full: checked.full,
      size: input.size,
      ...(input.sha256 !== undefined ? { sha256: input.sha256 } : {}),
      overwrite: input.overwrite,
      mkdirs: input.mkdirs,
    });
    return { uploadId: token, expiresAt };
  }

  /** Step two: the bytes. The upload id is spent here, whatever happens next. */
  async push(input: {
    body: ReadableStream<Uint8Array>;
    uploadId: string | undefined;
    callerId: string;
    /** The SHA-256 the sender put in the request's trailer, asked once the body has ended. */
    trailerSha256?: () => string | undefined;
    signal?: AbortSignal | undefined;
  }): Promise<PushResult> {
    const { uploadId } = input;
    if (uploadId === undefined || uploadId === '') {
      throw new BadInput(
        'files.push needs the x-loopsy-upload header with the id files.beginPush returned.',
      );
    }
    const plan = this.uploads.take(uploadId, input.callerId);
    if (!plan) {
      throw new NotFound(
        'This upload id is unknown, already used, expired (after 60 s) or was issued to another caller; call files.beginPush again.',
      );
    }
    return receiveUpload({
      plan,
      body: input.body,
      policy: this.policy,
      maxFileSize: () => this.opts.settings().maxFileSize,
      trailerSha256: input.trailerSha256 ?? (() => undefined),
      signal: input.signal,
    });
  }

  /** Opens the file now (so what was checked is what is sent) and returns a one-time ticket for its bytes. */
  async pull(
    input: { path: string },
    callerId: string,
  ): Promise<{ ticket: string; expiresAt: number; path: string; size: number; mtimeMs: number }> {
    const checked = await this.policy.resolve(input.path);
    const shown = showPath(input.path);
    let handle: FileHandle | undefined;
    try {
      if (checked.missing.length > 0) throw new NotFound(`There is no file at ${shown}.`);
      const name = path.basename(checked.full);
      if (name === '') throw new BadInput(`${shown} is a folder; pull files one at a time.`);
      const dir = await AnchoredDir.open(path.dirname(checked.full));
      try {
        handle = await fsp.open(dir.child(name), O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
      } finally {
        await dir.close();
      }
      const st = await handle.stat();
      if (st.isDirectory()) throw new BadInput(`${shown} is a folder; pull files one at a time.`);
      if (!st.isFile())
        throw new BadInput(`${shown} is not a regular file; only files can be pulled.`);
      const max = this.opts.settings().maxFileSize;
      if (st.size > max) {
        throw new TooLarge(
          `${shown} is ${st.size} bytes; this daemon sends at most ${max} (transfer.maxFileSize).`,
        );
      }
      const { token, expiresAt } = this.downloads.issue(callerId, {
        handle,
        path: checked.full,
        size: st.size,
      });
      return { ticket: token, expiresAt, path: checked.full, size: st.size, mtimeMs: st.mtimeMs };
    } catch (err) {
      await handle?.close().catch(() => undefined);
      throw fileError(err, input.path);
    }
  }

  /** Spends a download ticket; the caller of this owns (and must close) the returned handle. */
  takeDownload(ticket: string, callerId: string): PendingDownload {
    const pending = this.downloads.take(ticket, callerId);
    if (!pending) {
      throw new NotFound(
        'This download ticket is unknown, already used, expired (after 60 s) or was issued to another caller; call files.pull again.',
      );
    }
    return pending;
  }

  /** Drops expired upload ids and tickets (closing their files); tests call it after moving their clock. */
  sweep(): void {
    this.uploads.sweep();
    this.downloads.sweep();
  }

  close(): void {
    this.uploads.close();
    this.downloads.close();
  }

  /** lstat of the checked path itself, through its anchored folder. */
  private async lstatChecked(checked: CheckedPath): Promise<fs.Stats> {
    if (checked.missing.length > 1) {
      throw new NotFound(`Nothing exists at ${showPath(checked.requested)}.`);
    }
    const parent = path.dirname(checked.full);
    if (parent === checked.full) return fsp.lstat(parent);
    const dir = await AnchoredDir.open(parent);
    try {
      return await fsp.lstat(dir.child(path.basename(checked.full)));
    } finally {
      await dir.close();
    }
  }

  private async assertSpace(folder: string, size: number, shown: string): Promise<void> {
    const fsStat = await fsp.statfs(folder).catch(() => undefined);
    if (fsStat && fsStat.bavail * fsStat.bsize < size) {
      throw new Unavailable(
        `Not enough free space for ${shown}: ${size} bytes needed, ${fsStat.bavail * fsStat.bsize} free. Free some space and try again.`,
      );
    }
  }
}
