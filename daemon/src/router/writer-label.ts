// Owns how a caller is named in what it writes (a context entry's `updatedBy`): short, stable, no secrets.
import type { Caller } from '../context.js';

/** `owner` and `local` (the laptop itself), else `<kind>:<name>`, e.g. `phone:pixel`, `peer:kai`. */
export function writerLabel(caller: Caller): string {
  return caller.kind === 'owner' || caller.kind === 'local'
    ? caller.kind
    : `${caller.kind}:${caller.name}`;
}
