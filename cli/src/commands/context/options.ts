// Owns the options and formatting the context and msg commands share: --peer, TTLs, times, previews.
import { Option } from 'clipanion';
import * as t from 'typanion';

export const peerOption = () =>
  Option.String('--peer', {
    description: 'Act on this peer by node id or hostname (default, or "local": this machine)',
  });

export const ttlOption = (what: string) =>
  Option.String('--ttl', {
    description: `${what} expires after this many seconds`,
    validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(1, 315_360_000)]),
  });

export const countOption = (what: string) =>
  Option.String('--count', {
    description: `Stop after this many ${what} (default: follow until Ctrl-C)`,
    validator: t.cascade(t.isNumber(), [t.isInteger(), t.isInInclusiveRange(1, 1_000_000)]),
  });

/** `{ peer }` only when given, so inputs carry no undefined fields. */
export function peerInput(peer: string | undefined): { peer?: string } {
  return peer !== undefined ? { peer } : {};
}

export function formatTime(ms: number): string {
  return new Date(ms).toLocaleString();
}

export function formatExpiry(expiresAt: number | null): string {
  return expiresAt === null ? 'never' : formatTime(expiresAt);
}

/** One line of at most `max` characters: for tables and streams. */
export function preview(text: string, max = 60): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length > max ? `${line.slice(0, max - 1)}…` : line;
}
