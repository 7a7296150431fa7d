// Owns the pairing link format: `<relay>/app#<token>.<daemon key>`; the fragment never reaches the relay.
import { decodePairToken } from '@loopsy/relay/core';
import { fromBase64Url } from '@loopsy/relay/e2e';

export interface PairingLink {
  relayUrl: string;
  token: string;
  deviceId: string;
  pairNonce: string;
  expiresAt: number;
  daemonPublicKey: Uint8Array;
}

export class PairingLinkError extends Error {
  override readonly name = 'PairingLinkError';
}

export function parsePairingLink(link: string): PairingLink {
  let url: URL;
  try {
    url = new URL(link.trim());
  } catch {
    throw new PairingLinkError(
      'That is not a pairing link; copy the whole link `loopsy mobile pair` printed.',
    );
  }
  const parts = url.hash.replace(/^#/, '').split('.');
  if (parts.length !== 3 || parts.some((p) => !/^[A-Za-z0-9_-]+$/.test(p))) {
    throw new PairingLinkError(
      'The pairing link is incomplete; copy the whole link, including what follows #.',
    );
  }
  const [payload, mac, key] = parts as [string, string, string];
  const token = `${payload}.${mac}`;
  const decoded = decodePairToken(token);
  if (!decoded)
    throw new PairingLinkError('The pairing link is damaged; run `loopsy mobile pair` again.');
  const daemonPublicKey = fromBase64Url(key);
  if (daemonPublicKey.length !== 32)
    throw new PairingLinkError('The pairing link carries no valid laptop key.');
  const base = url.pathname.replace(/\/app\/?$/, '');
  return {
    relayUrl: `${url.origin}${base}`,
    token,
    deviceId: decoded.d,
    pairNonce: decoded.n,
    expiresAt: decoded.exp * 1000,
    daemonPublicKey,
  };
}

export function formatPairingLink(
  relayUrl: string,
  token: string,
  daemonPublicKey: string,
): string {
  return `${relayUrl.replace(/\/$/, '')}/app#${token}.${daemonPublicKey}`;
}
