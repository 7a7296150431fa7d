// Owns the tRPC context: who is calling, over which transport, and the services procedures may use.

export type Transport = 'http' | 'ws' | 'unix' | 'relay' | 'in-process';

export interface Caller {
  kind: 'owner' | 'local' | 'peer' | 'phone' | 'session';
  id: string;
  name: string;
}

/**
 * The services procedures reach through the context. Its members are declared in services.ts by declaration
 * merging, so the router's public type (and the SDK's declaration bundle) never carries daemon internals.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging in services.ts
export interface Services {}

export interface Context {
  services: Services;
  caller: Caller | null;
  /** Why `caller` is null when a token was offered: used for the 401 message and the audit line. */
  authProblem: 'missing' | 'invalid' | null;
  transport: Transport;
  remote: string | undefined;
  /**
   * The issued credential the caller proved, if any: checked again on every call, because a WebSocket keeps
   * its context for as long as it is open and the credential may be revoked or expire meanwhile.
   */
  credentialId?: string | undefined;
  /** Bytes queued on the caller's socket, so streams can wait instead of growing memory. */
  outboundBacklog?: (() => number) | undefined;
  /** A header of the HTTP request (lower-case name), for binary calls whose body is all bytes (files.push). */
  header?: ((name: string) => string | undefined) | undefined;
  /** A trailer of the HTTP request, once its body has been read to the end (files.push's SHA-256). */
  trailer?: ((name: string) => string | undefined) | undefined;
}

export interface ContextInput {
  services: Services;
  transport: Transport;
  remote?: string | undefined;
  /** A bearer token to check, or a caller already established (unix socket: the file mode is the auth). */
  token?: string | undefined;
  caller?: Caller;
  outboundBacklog?: () => number;
  header?: (name: string) => string | undefined;
  trailer?: (name: string) => string | undefined;
}

export function createContextInner(input: ContextInput): Context {
  const base = {
    services: input.services,
    transport: input.transport,
    remote: input.remote,
    outboundBacklog: input.outboundBacklog,
    header: input.header,
    trailer: input.trailer,
  };
  if (input.caller) return { ...base, caller: input.caller, authProblem: null };
  if (input.token === undefined || input.token === '') {
    return { ...base, caller: null, authProblem: 'missing' };
  }
  const caller = authenticate(input.services, input.token);
  return {
    ...base,
    caller,
    authProblem: caller ? null : 'invalid',
    ...(caller && caller.kind !== 'owner' ? { credentialId: caller.id } : {}),
  };
}

export function authenticate(services: Services, token: string): Caller | null {
  if (services.ownerKey.verify(token)) return { kind: 'owner', id: 'owner', name: 'owner' };
  const cred = services.credentials.verify(token);
  return cred ? { kind: cred.kind, id: cred.id, name: cred.name } : null;
}

/** Extracts a bearer token from an `Authorization` header value. */
export function bearerFrom(header: string | string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (!value) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(value);
  return m?.[1];
}
