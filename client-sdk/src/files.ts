// Owns moving files between this machine and a daemon (Node only). pushFile asks files.beginPush, then streams the
// file to files.push with its SHA-256 (computed while sending) as a trailer; pullFile gets a ticket from files.pull,
// streams the download into a temp file beside the destination, checks size and SHA-256, and renames it into place.
import { createHash, randomBytes, type Hash } from 'node:crypto';
import type { ClientRequest, IncomingMessage } from 'node:http';
import fsp, { type FileHandle } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import type { LoopsyClient } from './client.js';
import { httpEndpointOf, type HttpEndpoint } from './client-endpoint.js';
import { answeredError, networkError, rawRequest, readBody } from './raw-http.js';

const CHUNK = 1024 * 1024;
const SHA256_TRAILER = 'x-loopsy-sha256';

/** A transfer that failed on this machine's side (local file, cut-off or corrupted download, cancel). */
export class TransferError extends Error {
  override readonly name = 'TransferError';
}

export interface TransferProgress {
  phase: 'sending' | 'receiving';
  bytes: number;
  total: number;
}

interface TransferCommon {
  /** The machine to act on (default: the daemon the client talks to). */
  peer?: string;
  onProgress?: (progress: TransferProgress) => void;
  signal?: AbortSignal;
}

export type PushSource =
  | { localPath: string }
  /** Bytes from elsewhere: their size and SHA-256 must be known before the first byte is sent. */
  | {
      stream: AsyncIterable<Uint8Array> | ReadableStream<Uint8Array>;
      size: number;
      sha256: string;
    };

export type PushFileOptions = TransferCommon &
  PushSource & {
    /** Where the file goes on the daemon's machine: absolute, or starting with `~/`. */
    remotePath: string;
    overwrite?: boolean;
    mkdirs?: boolean;
  };

export interface PushFileResult {
  /** The real path the file now has on the daemon's machine. */
  path: string;
  size: number;
  sha256: string;
}

export interface PullFileOptions extends TransferCommon {
  remotePath: string;
  /** Where to write it here (relative to the current folder). */
  localPath: string;
  overwrite?: boolean;
}

export interface PullFileResult {
  /** The absolute local path written. */
  path: string;
  /** The real path of the file on the daemon's machine. */
  remotePath: string;
  size: number;
  sha256: string;
}

export async function pushFile(
  client: LoopsyClient,
  opts: PushFileOptions,
): Promise<PushFileResult> {
  const endpoint = endpointOf(client);
  if ('localPath' in opts) {
    const handle = await fsp.open(opts.localPath, 'r').catch((err: unknown) => {
      throw localError(err, opts.localPath);
    });
    try {
      const st = await handle.stat();
      if (!st.isFile()) {
        throw new TransferError(
          `${opts.localPath} is not a regular file; send files one at a time.`,
        );
      }
      return await send(client, endpoint, opts, {
        size: st.size,
        body: () => fileChunks(handle, st.size),
        // The hash covers what was sent; a file written to meanwhile would arrive as neither version.
        beforeTrailer: async () => {
          const now = await handle.stat();
          if (now.size !== st.size || now.mtimeMs !== st.mtimeMs) {
            throw new TransferError(
              `${opts.localPath} changed while it was being sent; nothing was written. Send it again.`,
            );
          }
        },
      });
    } finally {
      await handle.close();
    }
  }
  const { stream } = opts;
  return send(client, endpoint, opts, {
    size: opts.size,
    ...(opts.sha256 !== undefined ? { sha256: opts.sha256.toLowerCase() } : {}),
    // A Node Readable is an AsyncIterable already; a web stream is adapted.
    body: () =>
      'getReader' in stream ? Readable.fromWeb(stream as NodeReadableStream<Uint8Array>) : stream,
  });
}

export async function pullFile(
  client: LoopsyClient,
  opts: PullFileOptions,
): Promise<PullFileResult> {
  const endpoint = endpointOf(client);
  const dest = path.resolve(opts.localPath);
  const folder = path.dirname(dest);
  const present = await fsp.lstat(dest).catch(() => undefined);
  if (present?.isDirectory())
    throw new TransferError(`${dest} is a folder; name the file to write.`);
  if (present && !opts.overwrite) {
    throw new TransferError(`${dest} already exists; pass overwrite (--overwrite) to replace it.`);
  }
  const folderStat = await fsp.stat(folder).catch((err: unknown) => {
    throw localError(err, folder);
  });
  if (!folderStat.isDirectory()) throw new TransferError(`${folder} is not a folder.`);

  const ticket = await client.files.pull.mutate({
    path: opts.remotePath,
    ...(opts.peer !== undefined ? { peer: opts.peer } : {}),
  });
  const res = await download(endpoint, ticket.ticket, opts.signal);
  const temp = path.join(folder, `.loopsy-download-${randomBytes(8).toString('hex')}`);
  const out = await fsp.open(temp, 'wx', 0o600).catch((err: unknown) => {
    res.destroy();
    throw localError(err, temp);
  });
  let open = true;
  try {
    const hash = createHash('sha256');
    let received = 0;
    const onAbort = (): void => void res.destroy(new Error('cancelled'));
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      received = await receive(res, out, hash, (n) =>
        opts.onProgress?.({ phase: 'receiving', bytes: n, total: ticket.size }),
      );
    } catch (err) {
      if (opts.signal?.aborted) {
        throw new TransferError('The download was cancelled; nothing was written.');
      }
      throw new TransferError(
        `The download was cut off (${(err as Error).message}); nothing was written.`,
      );
    } finally {
      opts.signal?.removeEventListener('abort', onAbort);
    }
    const sha256 = hash.digest('hex');
    const declared = res.trailers['x-loopsy-sha256'];
    if (received !== ticket.size || declared !== sha256) {
      throw new TransferError(
        received !== ticket.size
          ? `The download ended after ${received} of ${ticket.size} bytes (the file changed while it was sent?); nothing was written.`
          : `The download's SHA-256 (${sha256}) is not the one the daemon sent (${declared ?? 'none'}); nothing was written.`,
      );
    }
    if (present?.isFile() && opts.overwrite) await out.chmod(present.mode & 0o7777);
    await out.sync();
    await out.close();
    open = false;
    await commitLocal(temp, dest, opts.overwrite === true);
    await syncFolder(folder);
    return { path: dest, remotePath: ticket.path, size: ticket.size, sha256 };
  } catch (err) {
    if (open) await out.close().catch(() => undefined);
    await fsp.rm(temp, { force: true });
    throw err;
  }
}

function endpointOf(client: LoopsyClient): HttpEndpoint {
  const endpoint = httpEndpointOf(client);
  if (!endpoint) {
    throw new TransferError(
      'Files move over HTTP, which a relay client cannot do yet; connect to the daemon directly (createLoopsyClient({ url, apiKey }) or connectLocal()).',
    );
  }
  return endpoint;
}

/** What one upload sends: its size, its hash if known before sending, and its bytes. */
interface Outgoing {
  size: number;
  sha256?: string;
  body: () => AsyncIterable<Uint8Array>;
  /** Last check before the SHA-256 trailer goes out; throwing abandons the upload. */
  beforeTrailer?: () => Promise<void>;
}

async function send(
  client: LoopsyClient,
  endpoint: HttpEndpoint,
  opts: PushFileOptions,
  out: Outgoing,
): Promise<PushFileResult> {
  const { uploadId } = await client.files.beginPush.mutate({
    path: opts.remotePath,
    size: out.size,
    ...(out.sha256 !== undefined ? { sha256: out.sha256 } : {}),
    overwrite: opts.overwrite ?? false,
    mkdirs: opts.mkdirs ?? false,
    ...(opts.peer !== undefined ? { peer: opts.peer } : {}),
  });
  // Chunked, so the SHA-256 computed while sending can follow the bytes as a trailer: the file is read once.
  const req = rawRequest(endpoint, {
    method: 'POST',
    path: 'trpc/files.push',
    headers: {
      'content-type': 'application/octet-stream',
      trailer: SHA256_TRAILER,
      'x-loopsy-upload': uploadId,
    },
  });
  return postBody(req, out, opts);
}

/** Streams the body with its hash as a trailer; settles on the daemon's answer, which may come early (a refusal). */
function postBody(
  req: ClientRequest,
  out: Outgoing,
  opts: TransferCommon,
): Promise<PushFileResult> {
  return new Promise((resolve, reject) => {
    let answered = false;
    let stopped = false;
    let settled = false;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      opts.signal?.removeEventListener('abort', onAbort);
      fn();
    };
    const onAbort = (): void => {
      stopped = true;
      req.destroy();
      settle(() => reject(new TransferError('The upload was cancelled; nothing was written.')));
    };
    if (opts.signal?.aborted) return onAbort();
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    req.on('response', (res: IncomingMessage) => {
      answered = true;
      // A refusal can arrive while bytes are still going out: stop sending them.
      stopped = true;
      readBody(res).then(
        (text) =>
          settle(() => {
            if (res.statusCode === 200) resolve(resultOf(text));
            else reject(answeredError(res.statusCode ?? 0, text));
          }),
        (err: unknown) => settle(() => reject(networkError(err))),
      );
    });
    req.on('error', (err) => {
      if (!answered) settle(() => reject(networkError(err)));
    });
    const hash = createHash('sha256');
    const send = async (): Promise<void> => {
      let sent = 0;
      // One chunk on its way to the kernel while the next is read and hashed.
      let writing: Promise<void> = Promise.resolve();
      for await (const chunk of out.body()) {
        if (stopped) return;
        hash.update(chunk);
        sent += chunk.byteLength;
        opts.onProgress?.({ phase: 'sending', bytes: sent, total: out.size });
        await writing;
        if (stopped) return;
        writing = writeChunk(req, chunk);
        // Awaited next turn; if the loop stops first, its failure is moot (the upload is abandoned).
        writing.catch(() => undefined);
      }
      await writing;
      if (stopped) return;
      await out.beforeTrailer?.();
      req.addTrailers({ [SHA256_TRAILER]: hash.digest('hex') });
      req.end();
    };
    send().catch((err: unknown) => {
      if (answered) return;
      req.destroy();
      settle(() =>
        reject(
          err instanceof TransferError
            ? err
            : isLocal(err)
              ? localError(err, 'the file to send')
              : networkError(err),
        ),
      );
    });
  });
}

/**
 * A file's bytes in two buffers used in turn: a buffer comes back only after the chunk before it was written
 * (postBody keeps one write in flight), so nothing is copied or left for the GC, whatever the size.
 */
async function* fileChunks(handle: FileHandle, size: number): AsyncGenerator<Buffer> {
  const buffers = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
  for (let sent = 0, turn = 0; sent < size; turn++) {
    const buffer = buffers[turn % 2] as Buffer;
    const { bytesRead } = await handle.read(buffer, 0, Math.min(CHUNK, size - sent), sent);
    // Shorter than it was: the check before the trailer says so.
    if (bytesRead === 0) return;
    sent += bytesRead;
    yield buffer.subarray(0, bytesRead);
  }
}

/** Resolves once the chunk is handed to the kernel (its buffer may then be reused); rejects if the socket closes. */
function writeChunk(req: ClientRequest, chunk: Uint8Array): Promise<void> {
  return new Promise((resolve, reject) => {
    const onClose = (): void => reject(new Error('the connection closed'));
    req.once('close', onClose);
    req.write(chunk, (err) => {
      req.off('close', onClose);
      if (err) reject(err);
      else resolve();
    });
  });
}

function resultOf(text: string): PushFileResult {
  const parsed = JSON.parse(text) as { result?: { data?: PushFileResult } };
  const data = parsed.result?.data;
  if (!data || typeof data.path !== 'string') {
    throw new TransferError('The daemon answered files.push without a result.');
  }
  return data;
}

function download(
  endpoint: HttpEndpoint,
  ticket: string,
  signal?: AbortSignal,
): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = rawRequest(endpoint, {
      method: 'GET',
      path: 'files/download',
      headers: { 'x-loopsy-ticket': ticket },
    });
    const onAbort = (): void => {
      req.destroy();
      reject(new TransferError('The download was cancelled; nothing was written.'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    req.on('error', (err) => reject(networkError(err)));
    req.on('response', (res) => {
      signal?.removeEventListener('abort', onAbort);
      if (res.statusCode === 200) {
        resolve(res);
        return;
      }
      readBody(res).then(
        (text) => reject(answeredError(res.statusCode ?? 0, text)),
        (err: unknown) => reject(networkError(err)),
      );
    });
    req.end();
  });
}

/**
 * Writes the response into `out`, hashing it: 1 MiB batches, one written (in the thread pool) while the next
 * arrives. Returns the byte count; the response's trailers are readable afterwards.
 */
async function receive(
  res: IncomingMessage,
  out: FileHandle,
  hash: Hash,
  onBytes: (total: number) => void,
): Promise<number> {
  let received = 0;
  let batch: Buffer[] = [];
  let batchBytes = 0;
  let writing: Promise<void> = Promise.resolve();
  const flush = async (): Promise<void> => {
    await writing;
    writing = writeAll(out, batch, batchBytes);
    writing.catch(() => undefined);
    batch = [];
    batchBytes = 0;
  };
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      hash.update(chunk);
      received += chunk.length;
      onBytes(received);
      batch.push(chunk);
      batchBytes += chunk.length;
      if (batchBytes >= CHUNK) await flush();
    }
    if (batchBytes > 0) await flush();
    await writing;
    return received;
  } finally {
    await writing.catch(() => undefined);
  }
}

async function writeAll(out: FileHandle, chunks: Buffer[], total: number): Promise<void> {
  const { bytesWritten } = await out.writev(chunks);
  if (bytesWritten >= total) return;
  const rest = Buffer.concat(chunks).subarray(bytesWritten);
  for (let done = 0; done < rest.length;) done += (await out.write(rest, done)).bytesWritten;
}

/** rename to replace; link + unlink never replaces (the local twin of the daemon's commit). */
async function commitLocal(temp: string, dest: string, overwrite: boolean): Promise<void> {
  if (overwrite) {
    await fsp.rename(temp, dest);
    return;
  }
  try {
    await fsp.link(temp, dest);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new TransferError(
        `${dest} appeared during the download; it was not replaced. Pass overwrite (--overwrite).`,
      );
    }
    if (await fsp.lstat(dest).catch(() => undefined))
      throw new TransferError(`${dest} already exists.`);
    await fsp.rename(temp, dest);
    return;
  }
  await fsp.unlink(temp);
}

async function syncFolder(folder: string): Promise<void> {
  const dir = await fsp.open(folder, 'r').catch(() => undefined);
  if (!dir) return;
  await dir.sync().catch(() => undefined);
  await dir.close();
}

function isLocal(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EIO' || code === 'EACCES' || code === 'ENOENT' || code === 'EISDIR';
}

function localError(err: unknown, file: string): TransferError {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const why =
    code === 'ENOENT'
      ? 'no such file or folder'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'it is a folder'
          : code === 'EEXIST'
            ? 'it already exists'
            : code === 'ENOSPC'
              ? 'no space left on this disk'
              : (err as Error).message;
  return new TransferError(`${file}: ${why}.`);
}
