// Owns agent addresses: `<host>` (the machine, as the reference) or `<host>/<agent>` (one agent on it).
import { BadInput } from '../../errors.js';

/** A host part: the machine's hostname (config server.hostname, else the OS's), as the reference uses it. */
export const HOST_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$/;
/** An agent name on a host: `claude`, `build-bot`, `codex.2`. */
export const AGENT_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/;
/** What callers may write as an address; `local` (or `local/<agent>`) names this machine. */
export const ADDRESS_PATTERN =
  /^[A-Za-z0-9][A-Za-z0-9._-]{0,62}(\/[A-Za-z0-9][A-Za-z0-9._-]{0,31})?$/;

export interface Address {
  host: string;
  agent?: string;
}

/**
 * This machine's host part for messaging: its hostname, made safe for keys (characters outside the grammar
 * become `-`, at most 63). A normal hostname is used as it is, so reference agents address it the same way.
 */
export function messagingHost(hostname: string): string {
  const cleaned = hostname
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 63);
  return cleaned === '' ? 'localhost' : cleaned;
}

export function formatAddress(a: Address): string {
  return a.agent === undefined ? a.host : `${a.host}/${a.agent}`;
}

/** Parses an address; `local` becomes `ownHost`. */
export function parseAddress(text: string, ownHost: string): Address {
  if (!ADDRESS_PATTERN.test(text)) {
    throw new BadInput(
      `"${text}" is not an agent address: use a hostname (e.g. "kai"), "<hostname>/<agent>" (e.g. "kai/claude"), ` +
        'or "local" for this machine. Letters, digits, ".", "_" and "-".',
    );
  }
  const [host = '', agent] = text.split('/');
  return {
    host: host === 'local' ? ownHost : host,
    ...(agent !== undefined ? { agent } : {}),
  };
}

/** The caller's own address on this machine: the machine itself, or one of its agents (`as`). */
export function ownAddress(ownHost: string, as: string | undefined): Address {
  if (as === undefined) return { host: ownHost };
  if (!AGENT_PATTERN.test(as)) {
    throw new BadInput(
      `"${as}" is not an agent name: 1 to 32 letters, digits, ".", "_" or "-", starting with a letter or digit.`,
    );
  }
  return { host: ownHost, agent: as };
}

/** `from` filter semantics: a bare host matches the host and every agent on it; `host/agent` matches exactly. */
export function addressMatches(address: string, filter: string): boolean {
  return filter.includes('/')
    ? address === filter
    : address === filter || address.startsWith(`${filter}/`);
}

export function hostOf(address: string): string {
  return address.split('/')[0] ?? address;
}
