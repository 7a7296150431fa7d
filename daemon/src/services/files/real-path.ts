// Owns turning an absolute path into the real path the kernel would reach: symlinks followed, `..` applied.
import fs from 'node:fs/promises';
import path from 'node:path';

/** Where an absolute path really lives: the real path of its deepest existing part, and the names below it. */
export interface RealPath {
  /** The real path (no symlink, no `.`/`..`) of the deepest part that exists. */
  existing: string;
  /** Names after `existing` that do not exist yet, in order; may contain `.` or `..` (see `dotted`). */
  missing: string[];
  /** `existing` joined with `missing`: the path the request is about, as the kernel would reach it. */
  full: string;
  /** True when a missing name is `.` or `..`: the kernel cannot walk through something that does not exist. */
  dotted: boolean;
}

/** Errors that mean "this part cannot be walked": look at its parent instead. */
const WALK_ERRORS = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'EACCES', 'ENAMETOOLONG']);

/**
 * Resolves `absolute` with realpath(3); for a path that does not exist (yet), resolves the deepest existing
 * ancestor and appends the rest. A dangling symlink therefore resolves to the link itself, never its target.
 */
export async function resolveRealPath(absolute: string): Promise<RealPath> {
  let head = absolute;
  const missing: string[] = [];
  for (;;) {
    try {
      const existing = await fs.realpath(head);
      const names = missing.filter((n) => n !== '' && n !== '.');
      return {
        existing,
        missing: names,
        full: names.length > 0 ? path.join(existing, ...names) : existing,
        dotted: names.includes('..'),
      };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code ?? '';
      const parent = path.dirname(head);
      if (!WALK_ERRORS.has(code) || parent === head) throw err;
      missing.unshift(path.basename(head));
      head = parent;
    }
  }
}
