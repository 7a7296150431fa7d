// Owns the files procedures: list and stat, uploads in two steps (beginPush, then push with the bytes), and
// pull, which hands out a one-time ticket for the raw download route (transports/http-download.ts).
import { octetInputParser } from '@trpc/server/http';
import { authedProcedure, router } from '../trpc.js';
import {
  FilesBeginPushSchema,
  FilesListSchema,
  FilesPullSchema,
  FilesStatSchema,
  Sha256Schema,
  SHA256_TRAILER,
  UPLOAD_ID_HEADER,
} from './files-schemas.js';
import { assertLocalPeer } from './peer-target.js';

export const filesRouter = router({
  /** One page of a folder, sorted by name; `nextCursor` fetches the next. */
  list: authedProcedure.input(FilesListSchema).query(({ ctx, input }) => {
    assertLocalPeer(input.peer);
    return ctx.services.files.list(input);
  }),

  stat: authedProcedure.input(FilesStatSchema).query(({ ctx, input }) => {
    assertLocalPeer(input.peer);
    return ctx.services.files.stat(input);
  }),

  /** Checks path, size, space and conflicts; returns the id that files.push must carry (60 s, one use). */
  beginPush: authedProcedure
    .meta({ rateLimit: 'transfer' })
    .input(FilesBeginPushSchema)
    .mutation(({ ctx, input }) => {
      assertLocalPeer(input.peer);
      return ctx.services.files.beginPush(input, ctx.caller.id);
    }),

  /**
   * The file's bytes as an application/octet-stream body over HTTP, with the upload id in the
   * `x-loopsy-upload` header, and the SHA-256 in the `x-loopsy-sha256` trailer unless beginPush declared it.
   * Returns `{ path, size, sha256 }` once the file is in place.
   */
  push: authedProcedure.input(octetInputParser).mutation(({ ctx, input, signal }) =>
    ctx.services.files.push({
      body: input as ReadableStream<Uint8Array>,
      uploadId: ctx.header?.(UPLOAD_ID_HEADER),
      callerId: ctx.caller.id,
      // Asked once the body has ended: only then has the trailer arrived.
      trailerSha256: () => {
        const parsed = Sha256Schema.safeParse(ctx.trailer?.(SHA256_TRAILER));
        return parsed.success ? parsed.data : undefined;
      },
      signal,
    }),
  ),

  /**
   * Opens the file and returns a ticket (60 s, one use, for this caller only) to fetch its bytes with
   * `GET /files/download` and the header `x-loopsy-ticket: <ticket>`.
   */
  pull: authedProcedure
    .meta({ rateLimit: 'transfer' })
    .input(FilesPullSchema)
    .mutation(({ ctx, input }) => {
      assertLocalPeer(input.peer);
      return ctx.services.files.pull(input, ctx.caller.id);
    }),
});
