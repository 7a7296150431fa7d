// Owns how credentials travel on WebSocket upgrades: inside Sec-WebSocket-Protocol, never in a URL.
export const PROTOCOL_V1 = 'loopsy.v1';
export const BEARER_PREFIX = 'loopsy.bearer.';

/** Bearers are base64url secrets or pair tokens (base64url parts joined by a dot). */
const BEARER_PATTERN = /^[A-Za-z0-9_.-]{1,1024}$/;

/** What a client offers: `new WebSocket(url, bearerProtocols(secret))`. */
export function bearerProtocols(secret: string): string[] {
  return [PROTOCOL_V1, `${BEARER_PREFIX}${secret}`];
}

/** The bearer offered in a Sec-WebSocket-Protocol header; undefined when absent, malformed or repeated. */
export function bearerFromProtocols(
  headerValue: string | readonly string[] | null | undefined,
): string | undefined {
  if (headerValue === null || headerValue === undefined) return undefined;
  const joined = typeof headerValue === 'string' ? headerValue : headerValue.join(',');
  let found: string | undefined;
  for (const part of joined.split(',')) {
    const p = part.trim();
    if (!p.startsWith(BEARER_PREFIX)) continue;
    if (found !== undefined) return undefined;
    found = p.slice(BEARER_PREFIX.length);
  }
  return found !== undefined && BEARER_PATTERN.test(found) ? found : undefined;
}

/** The subprotocol the server answers: always `loopsy.v1` and never the bearer, which must not be echoed. */
export function selectProtocol(offered: Iterable<string>): typeof PROTOCOL_V1 | false {
  for (const p of offered) if (p === PROTOCOL_V1) return PROTOCOL_V1;
  return false;
}
