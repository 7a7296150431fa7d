// Owns `GET /files/download`: the raw bytes of a file files.pull opened, for the caller it was opened for. The
// ticket travels in a header (never the URL); the body is chunked with the SHA-256 of what was sent as a trailer,
// computed while streaming, so the file is read once. Audited like a procedure call.
import { createHash, type Hash } from 'node:crypto';
import type { FileHandle } from 'node:fs/promises';
import type http from 'node:http';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import { TRPC_ERROR_CODES_BY_KEY } from '@trpc/server/rpc';
import type { Context } from '../context.js';
import { BadInput, NotAuthenticated, toTRPCError } from '../errors.js';
import { callerLabel } from '../trpc.js';

export const DOWNLOAD_PATH = '/files/download';
export const TICKET_HEADER = 'x-loopsy-ticket';
export const SIZE_HEADER = 'x-loopsy-size';
export const SHA256_TRAILER = 'x-loopsy-sha256';
const CHUNK = 1024 * 1024;

export function createDownloadHandler(
  createContext: (req: http.IncomingMessage) => Context,
): (req: http.IncomingMessage, res: http.ServerResponse) => void {
  return (req, res) => {
    const ctx = createContext(req);
    const started = performance.now();
    void serve(req, res, ctx).then(
      (outcome) => audit(ctx, started, outcome),
      (err: unknown) => {
        const error = toTRPCError(err);
        audit(ctx, started, error.code, error.message);
        if (res.headersSent) {
          res.destroy();
          return;
        }
        const body = JSON.stringify({
          error: {
            message: error.message,
            code: TRPC_ERROR_CODES_BY_KEY[error.code],
            data: { code: error.code, httpStatus: getHTTPStatusCodeFromError(error) },
          },
        });
        res.writeHead(getHTTPStatusCodeFromError(error), {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
        });
        res.end(body);
      },
    );
  };
}

async function serve(
  req: http.IncomingMessage,
  res: http.ServerResponse,
  ctx: Context,
): Promise<string> {
  if (req.method !== 'GET') throw new BadInput(`${DOWNLOAD_PATH} answers GET only.`);
  if (!ctx.caller) {
    throw new NotAuthenticated(
      'Authentication required: send `Authorization: Bearer <key>` with the download.',
    );
  }
  const ticket = req.headers[TICKET_HEADER];
  if (typeof ticket !== 'string' || ticket === '') {
    throw new BadInput(`Send the ticket from files.pull in the ${TICKET_HEADER} header.`);
  }
  const { handle, size } = ctx.services.files.takeDownload(ticket, ctx.caller.id);
  try {
    const hash = createHash('sha256');
    res.writeHead(200, {
      'content-type': 'application/octet-stream',
      'cache-control': 'no-store',
      [SIZE_HEADER]: String(size),
      trailer: SHA256_TRAILER,
    });
    // Exactly the size files.pull reported: a file that grows meanwhile is cut there, one that shrinks arrives
    // short (the client sees the count differ).
    await sendBody(handle, size, res, hash);
    res.addTrailers({ [SHA256_TRAILER]: hash.digest('hex') });
    await new Promise<void>((resolve) => res.end(resolve));
    return 'ok';
  } catch (err) {
    // Headers are out: the client sees a short body without the trailer, and must not trust it.
    if (res.headersSent) {
      res.destroy();
      return 'CLIENT_CLOSED_REQUEST';
    }
    throw err;
  } finally {
    await handle.close().catch(() => undefined);
  }
}

/**
 * Reads the file into three buffers used in turn: while one chunk is on its way to the socket, the next is hashed
 * and the one after is being read. Memory stays at three chunks and no garbage is made, however big the file.
 */
async function sendBody(
  handle: FileHandle,
  size: number,
  res: http.ServerResponse,
  hash: Hash,
): Promise<void> {
  const buffers = [Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK), Buffer.allocUnsafe(CHUNK)];
  const read = async (turn: number, at: number): Promise<number> => {
    if (at >= size) return 0;
    const buffer = buffers[turn % 3] as Buffer;
    return (await handle.read(buffer, 0, Math.min(CHUNK, size - at), at)).bytesRead;
  };
  let writing: Promise<void> = Promise.resolve();
  let sent = 0;
  let reading = read(0, 0);
  for (let turn = 0; ; turn++) {
    const bytesRead = await reading;
    if (bytesRead === 0) break;
    const chunk = (buffers[turn % 3] as Buffer).subarray(0, bytesRead);
    sent += bytesRead;
    // That buffer's last chunk (two turns ago) was handed to the kernel before the previous write began.
    reading = read(turn + 1, sent);
    reading.catch(() => undefined);
    hash.update(chunk);
    await writing;
    writing = writeChunk(res, chunk);
    // Awaited next turn; if a read fails first, the response is torn down anyway.
    writing.catch(() => undefined);
  }
  await writing;
}

/** Resolves once the chunk is handed to the kernel (so its buffer may be reused); rejects if the socket closes. */
function writeChunk(res: http.ServerResponse, chunk: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    const onClose = (): void => reject(new Error('the connection closed'));
    res.once('close', onClose);
    res.write(chunk, (err) => {
      res.off('close', onClose);
      if (err) reject(err);
      else resolve();
    });
  });
}

function audit(ctx: Context, started: number, outcome: string, message?: string): void {
  ctx.services.audit.record({
    ts: new Date(ctx.services.now()).toISOString(),
    procedure: 'files.download',
    type: 'http',
    caller: callerLabel(ctx),
    transport: ctx.transport,
    ...(ctx.remote !== undefined ? { remote: ctx.remote } : {}),
    durationMs: Math.round((performance.now() - started) * 1000) / 1000,
    outcome,
    ...(message !== undefined ? { message } : {}),
  });
}
