// Owns one-time dashboard logins: pending secrets kept in memory only as SHA-256 digests, single use, with a
// TTL; redeeming one issues a short-lived session credential. Also tidies the login page the CLI leaves behind.
import fs from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import { NotAuthenticated, QuotaExceeded, Unavailable } from '../errors.js';
import type { CredentialStore } from './credential-store.js';
import type { RateLimiter } from './rate-limiter.js';
import { randomSecret, sha256 } from './secrets.js';

/** 32 random bytes, base64url: what a login link carries in its fragment. */
export const LOGIN_SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
/** How long the browser's session credential lasts. */
export const DASHBOARD_SESSION_TTL_MS = 12 * 3600_000;
/** Redemption attempts per remote address and minute: a 256-bit secret cannot be guessed, this keeps it so. */
export const LOGIN_ATTEMPTS_PER_MINUTE = 10;
const MAX_PENDING = 20;

interface PendingLogin {
  digest: Buffer;
  expiresAt: number;
  timer: NodeJS.Timeout;
}

export interface DashboardLoginsOptions {
  credentials: CredentialStore;
  rateLimiter: RateLimiter;
  /** `dashboard-login.html` in the data folder (written by `loopsy dashboard`). */
  loginPage: string;
  now: () => number;
}

export interface DashboardLogin {
  link: string;
  expiresAt: number;
}

export class DashboardLogins {
  private baseUrl: string | undefined;
  private pending: PendingLogin[] = [];

  constructor(private readonly opts: DashboardLoginsOptions) {
    // A page left from before a restart holds a secret that died with the old process.
    this.removePageUnlessPending();
  }

  /** The URL the daemon listens on (what it writes to daemon.json); links point at its /app. */
  setBaseUrl(url: string): void {
    this.baseUrl = url.replace(/\/+$/, '');
  }

  create(ttlSeconds: number): DashboardLogin {
    if (this.baseUrl === undefined) {
      throw new Unavailable(
        'The daemon is not listening on a TCP port, so there is no dashboard to open. Start it with `loopsy start`.',
      );
    }
    this.sweep();
    if (this.pending.length >= MAX_PENDING) {
      throw new QuotaExceeded(
        `${MAX_PENDING} dashboard logins are already waiting; use one, or wait up to ${ttlSeconds} s for them to expire.`,
      );
    }
    const secret = randomSecret(32);
    const expiresAt = this.opts.now() + ttlSeconds * 1000;
    // Expiry is checked on every use; the timer only tidies memory and the login page on time.
    const timer = setTimeout(() => this.sweep(), ttlSeconds * 1000 + 100);
    timer.unref();
    this.pending.push({ digest: sha256(secret), expiresAt, timer });
    return { link: `${this.baseUrl}/app/login#${secret}`, expiresAt };
  }

  /** Spends a login secret for a session credential; `from` (the remote address) is rate-limited. */
  exchange(secret: string, from: string): { token: string; expiresAt: number } {
    const wait = this.opts.rateLimiter.take(from, 'dashboard-login', LOGIN_ATTEMPTS_PER_MINUTE);
    if (wait > 0) {
      throw new QuotaExceeded(
        `Too many dashboard login attempts from this address; wait ${wait} s, then run \`loopsy dashboard\` on the laptop again.`,
      );
    }
    this.sweep();
    const match = this.find(secret);
    if (!match) {
      throw new NotAuthenticated(
        'This dashboard login link was already used, has expired, or is not known to this daemon. Run `loopsy dashboard` on the laptop again.',
      );
    }
    this.drop([match]);
    this.removePageUnlessPending();
    const { info, token } = this.opts.credentials.issue(
      'session',
      'dashboard',
      DASHBOARD_SESSION_TTL_MS,
    );
    return { token, expiresAt: info.expiresAt ?? info.createdAt + DASHBOARD_SESSION_TTL_MS };
  }

  /** Forgets expired logins (and their page). */
  sweep(): void {
    const t = this.opts.now();
    const expired = this.pending.filter((p) => p.expiresAt <= t);
    if (expired.length === 0) return;
    this.drop(expired);
    this.removePageUnlessPending();
  }

  get pendingCount(): number {
    return this.pending.length;
  }

  close(): void {
    for (const p of this.pending) clearTimeout(p.timer);
    this.pending = [];
  }

  /** Compares against every pending digest with no early exit, so timing tells nothing about a match. */
  private find(secret: string): PendingLogin | undefined {
    const digest = sha256(secret);
    let found: PendingLogin | undefined;
    for (const p of this.pending) if (timingSafeEqual(digest, p.digest)) found = p;
    return found;
  }

  private drop(logins: PendingLogin[]): void {
    for (const p of logins) clearTimeout(p.timer);
    this.pending = this.pending.filter((p) => !logins.includes(p));
  }

  /** Deletes the login page unless the secret in it can still be redeemed. */
  private removePageUnlessPending(): void {
    const page = this.opts.loginPage;
    let text: string;
    try {
      text = fs.readFileSync(page, 'utf8');
    } catch {
      return;
    }
    const secret = /#([A-Za-z0-9_-]{43})(?![A-Za-z0-9_-])/.exec(text)?.[1];
    if (secret !== undefined && this.find(secret)) return;
    try {
      fs.rmSync(page, { force: true });
    } catch (err) {
      process.stderr.write(
        `loopsy: could not delete ${page}: ${(err as Error).message}; delete it by hand.\n`,
      );
    }
  }
}
