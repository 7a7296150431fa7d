// Owns short-lived single-use tokens bound to a caller (upload ids, download tickets): only their SHA-256 is kept,
// a token works once, for the caller it was issued to, until it expires; what it holds is released either way.
import { randomSecret, sha256 } from '../secrets.js';
import { QuotaExceeded } from '../../errors.js';

export interface OneTimeTokensOptions<T> {
  ttlMs: number;
  /** At most this many tokens wait per caller (each may hold an open file). */
  maxPerCaller: number;
  now: () => number;
  /** Called once for a value that is dropped unused (expired, or at close). */
  release: (value: T) => void;
  /** Says what the caller should do when the limit is reached. */
  tooMany: string;
}

interface Entry<T> {
  callerId: string;
  value: T;
  expiresAt: number;
  timer: NodeJS.Timeout;
}

export class OneTimeTokens<T> {
  private readonly entries = new Map<string, Entry<T>>();

  constructor(private readonly opts: OneTimeTokensOptions<T>) {}

  issue(callerId: string, value: T): { token: string; expiresAt: number } {
    this.sweep();
    let held = 0;
    for (const e of this.entries.values()) if (e.callerId === callerId) held++;
    if (held >= this.opts.maxPerCaller) throw new QuotaExceeded(this.opts.tooMany);
    const token = randomSecret(32);
    const key = sha256(token).toString('hex');
    const expiresAt = this.opts.now() + this.opts.ttlMs;
    // The timer only releases what an unused token holds; expiry itself is judged by `now` on use.
    const timer = setTimeout(() => this.drop(key), this.opts.ttlMs + 1000);
    timer.unref();
    this.entries.set(key, { callerId, value, expiresAt, timer });
    return { token, expiresAt };
  }

  /** The value of a valid token, which is spent by this call; undefined when unknown, used, expired or not the caller's. */
  take(token: string, callerId: string): T | undefined {
    const key = sha256(token).toString('hex');
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.opts.now()) {
      this.drop(key);
      return undefined;
    }
    // Another caller's token stays valid for its owner: presenting it proves nothing, and burning it would let
    // anyone who saw it deny the download.
    if (entry.callerId !== callerId) return undefined;
    clearTimeout(entry.timer);
    this.entries.delete(key);
    return entry.value;
  }

  /** Releases expired tokens (tests call it after moving their clock). */
  sweep(): void {
    const now = this.opts.now();
    for (const [key, e] of this.entries) if (e.expiresAt <= now) this.drop(key);
  }

  get size(): number {
    return this.entries.size;
  }

  close(): void {
    for (const key of [...this.entries.keys()]) this.drop(key);
  }

  private drop(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.entries.delete(key);
    this.opts.release(entry.value);
  }
}
