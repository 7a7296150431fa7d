// Owns how the files commands write sizes, modes, times and the peer argument for people.
import path from 'node:path';

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

export function formatBytes(n: number): string {
  let value = n;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${UNITS[unit]}`;
}

const TYPE_CHAR = { file: '-', dir: 'd', symlink: 'l', other: '?' } as const;

/** `ls -l`'s mode column: type letter and rwx triplets (setuid/setgid/sticky shown as s/S, t/T). */
export function formatMode(type: keyof typeof TYPE_CHAR, mode: number): string {
  const bit = (mask: number, char: string) => (mode & mask ? char : '-');
  const special = (exec: boolean, set: boolean, lower: string) =>
    set ? (exec ? lower : lower.toUpperCase()) : exec ? 'x' : '-';
  return [
    TYPE_CHAR[type],
    bit(0o400, 'r'),
    bit(0o200, 'w'),
    special((mode & 0o100) !== 0, (mode & 0o4000) !== 0, 's'),
    bit(0o040, 'r'),
    bit(0o020, 'w'),
    special((mode & 0o010) !== 0, (mode & 0o2000) !== 0, 's'),
    bit(0o004, 'r'),
    bit(0o002, 'w'),
    special((mode & 0o001) !== 0, (mode & 0o1000) !== 0, 't'),
  ].join('');
}

/** `ls -l`'s time column: month, day and time within the last six months, else month, day and year. */
export function formatTime(ms: number, now = Date.now()): string {
  const d = new Date(ms);
  const month = d.toLocaleString('en-US', { month: 'short' });
  const day = String(d.getDate()).padStart(2, ' ');
  const recent = Math.abs(now - ms) < 182 * 86_400_000;
  const tail = recent
    ? `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`
    : ` ${d.getFullYear()}`;
  return `${month} ${day} ${tail}`;
}

/** `local` is this machine: the procedures take no peer then. */
export function peerInput(peer: string): { peer?: string } {
  return peer === 'local' ? {} : { peer };
}

/**
 * A path on `peer` as the user typed it: on this machine a relative path is taken from the current folder;
 * another machine's daemon only takes absolute paths or `~/…` (its own user's home).
 */
export function remotePathArg(peer: string, p: string, cwd: string): string {
  if (peer !== 'local' || p === '~' || p.startsWith('~/') || path.isAbsolute(p)) return p;
  return path.resolve(cwd, p);
}
