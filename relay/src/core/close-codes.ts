// Owns the WebSocket close codes the relay uses to say why it refused or ended a socket.
export const CloseCode = {
  BAD_REQUEST: 4400,
  UNAUTHORIZED: 4401,
  FORBIDDEN: 4403,
  /** Unknown device, or device offline. */
  NOT_FOUND: 4404,
  DIAL_TIMEOUT: 4408,
  /** A newer control socket took over. */
  REPLACED: 4409,
  REVOKED: 4410,
  FRAME_TOO_LARGE: 4413,
  RATE_LIMITED: 4429,
  INTERNAL: 4500,
  GOING_AWAY: 4001,
} as const;

export type CloseCodeName = keyof typeof CloseCode;
export type CloseCodeValue = (typeof CloseCode)[CloseCodeName];

const NAMES = new Map<number, string>(
  Object.entries(CloseCode).map(([name, code]) => [code, name.toLowerCase().replaceAll('_', '-')]),
);

/** The short name of a relay close code (`not-found`, `dial-timeout`…), usable as a close reason. */
export function closeReason(code: number): string {
  return NAMES.get(code) ?? `code-${code}`;
}

/** True for codes an endpoint may send and the relay forwards as they are (RFC 6455 §7.4.2: 3000–4999). */
export function isApplicationCloseCode(code: number): boolean {
  return Number.isInteger(code) && code >= 3000 && code <= 4999;
}
