// Owns turning file-system errors (errno codes) into domain errors a user can act on. Only called for paths the
// policy admitted, so saying what exists there reveals nothing outside the shared folders.
import {
  BadInput,
  Conflict,
  LoopsyError,
  NotFound,
  PathDenied,
  Unavailable,
} from '../../errors.js';
import { showPath } from './path-text.js';

/** Returns a domain error for a known errno (or the error itself when it is one already); rethrows the rest. */
export function fileError(err: unknown, requested: string): Error {
  if (err instanceof LoopsyError) return err;
  if (isInterruption(err)) return interrupted();
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  const shown = showPath(requested);
  switch (code ?? '') {
    case 'ENOENT':
      return new NotFound(
        `Nothing exists at ${shown}. Check the path (files.list shows a folder).`,
      );
    case 'ENOTDIR':
      return new BadInput(`A part of ${shown} is a file, not a folder.`);
    case 'EISDIR':
      return new BadInput(`${shown} is a folder; name a file.`);
    case 'EACCES':
    case 'EPERM':
      return new PathDenied(
        `The daemon's user may not access ${shown} (permission denied by the file system).`,
      );
    case 'ELOOP':
      return new BadInput(`${shown} is a symbolic link that cannot be followed here.`);
    case 'EEXIST':
      return new Conflict(`${shown} already exists.`);
    case 'ENOSPC':
    case 'EDQUOT':
      return new Unavailable(
        `No space left on the disk that holds ${shown}; free some space and try again.`,
      );
    case 'EROFS':
      return new Unavailable(`${shown} is on a read-only file system.`);
    case 'EMFILE':
    case 'ENFILE':
      return new Unavailable('The daemon has too many files open; try again in a moment.');
    case 'ENAMETOOLONG':
      return new BadInput(`${shown} is too long for this file system.`);
    default:
      return err instanceof Error ? err : new Error(String(err));
  }
}

/** The client went away mid-transfer (closed the connection or aborted the request). */
export function interrupted(): LoopsyError {
  return new LoopsyError(
    'CLIENT_CLOSED_REQUEST',
    'The transfer was interrupted before it finished; nothing was written. Send it again.',
  );
}

function isInterruption(err: unknown): boolean {
  const e = err as { name?: string; code?: string } | undefined;
  return (
    e?.name === 'AbortError' ||
    e?.code === 'ECONNRESET' ||
    e?.code === 'ERR_STREAM_PREMATURE_CLOSE' ||
    e?.code === 'ABORT_ERR'
  );
}
