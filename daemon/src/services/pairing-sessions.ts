// Owns pending phone pairings: the 4-digit code shown only on the laptop, its token nonce, expiry, and the
// five-attempt budget after which the pairing is burned.
import { randomInt } from 'node:crypto';

export const MAX_CODE_ATTEMPTS = 5;

interface Session {
  nonce: string;
  code: string;
  expiresAt: number;
  attempts: number;
  burned: boolean;
}

export type AttemptVerdict =
  { kind: 'unknown' } | { kind: 'expired' } | { kind: 'burned' } | { kind: 'open'; code: string };

export class PairingSessions {
  private readonly sessions = new Map<string, Session>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Starts a pairing for the token with this nonce; returns the code to show. */
  open(nonce: string, expiresAt: number): string {
    this.prune();
    const code = String(randomInt(0, 10_000)).padStart(4, '0');
    this.sessions.set(nonce, { nonce, code, expiresAt, attempts: 0, burned: false });
    return code;
  }

  /** The code to check an attempt against, if the pairing can still be tried. */
  check(nonce: string): AttemptVerdict {
    const s = this.sessions.get(nonce);
    if (!s) return { kind: 'unknown' };
    if (s.burned) return { kind: 'burned' };
    if (s.expiresAt <= this.now()) return { kind: 'expired' };
    return { kind: 'open', code: s.code };
  }

  /** Records a wrong code; returns the attempts left (0 means the pairing is burned). */
  wrong(nonce: string): number {
    const s = this.sessions.get(nonce);
    if (!s) return 0;
    s.attempts++;
    if (s.attempts >= MAX_CODE_ATTEMPTS) s.burned = true;
    return Math.max(0, MAX_CODE_ATTEMPTS - s.attempts);
  }

  /** A pairing succeeds once: the session is gone afterwards. */
  complete(nonce: string): void {
    this.sessions.delete(nonce);
  }

  private prune(): void {
    const t = this.now();
    for (const [k, s] of this.sessions) if (s.expiresAt <= t) this.sessions.delete(k);
  }
}
