// Owns the laptop's own browser session (from `loopsy dashboard`): the one-time secret in the login link's
// fragment, and the short-lived credential it was exchanged for, kept in this origin's storage.

export interface LocalSession {
  token: string;
  /** ms since epoch; the daemon refuses the token after this anyway. */
  expiresAt: number;
}

const KEY = 'loopsy.localSession';
/** The secret `auth.createLogin` puts in the fragment: 32 random bytes, base64url. */
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/** The login secret in a `…/app/login#<secret>` fragment, or undefined when it is missing or malformed. */
export function loginSecretFrom(hash: string): string | undefined {
  const secret = hash.startsWith('#') ? hash.slice(1) : hash;
  return SECRET_PATTERN.test(secret) ? secret : undefined;
}

/** A stored session, checked; undefined when missing, damaged or expired. */
export function parseLocalSession(raw: string | null, now: number): LocalSession | undefined {
  if (!raw) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { token, expiresAt } = value as Record<string, unknown>;
  if (typeof token !== 'string' || token === '' || typeof expiresAt !== 'number') return undefined;
  if (expiresAt <= now) return undefined;
  return { token, expiresAt };
}

export function loadLocalSession(
  storage: Storage = localStorage,
  now = Date.now(),
): LocalSession | undefined {
  const session = parseLocalSession(storage.getItem(KEY), now);
  if (!session) storage.removeItem(KEY);
  return session;
}

export function saveLocalSession(session: LocalSession, storage: Storage = localStorage): void {
  storage.setItem(KEY, JSON.stringify({ token: session.token, expiresAt: session.expiresAt }));
}

export function clearLocalSession(storage: Storage = localStorage): void {
  storage.removeItem(KEY);
}
