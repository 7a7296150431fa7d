// Owns the relay's rate limits: a fixed window per (bucket, key), for refusing floods from one address.
export interface RateLimitRule {
  limit: number;
  windowMs: number;
}

export const RATE_LIMITS = {
  /** Device registrations per IP. */
  register: { limit: 5, windowMs: 60_000 },
  /** Pair-token redemptions per IP. */
  redeem: { limit: 10, windowMs: 60_000 },
  /** Phone connects per IP. */
  connect: { limit: 60, windowMs: 60_000 },
} as const satisfies Record<string, RateLimitRule>;

export type RateLimitBucket = keyof typeof RATE_LIMITS;

export interface RateLimiterOptions {
  now?: () => number;
  rules?: Partial<Record<RateLimitBucket, RateLimitRule>>;
  /** Bound on remembered windows, so a flood from many addresses cannot grow memory without limit. */
  maxKeys?: number;
}

export class FixedWindowRateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private readonly now: () => number;
  private readonly rules: Record<RateLimitBucket, RateLimitRule>;
  private readonly maxKeys: number;

  constructor(opts: RateLimiterOptions = {}) {
    this.now = opts.now ?? Date.now;
    this.rules = { ...RATE_LIMITS, ...opts.rules };
    this.maxKeys = opts.maxKeys ?? 100_000;
  }

  /** Counts one attempt; returns 0 when allowed, else the seconds until the window reopens. */
  take(bucket: RateLimitBucket, key: string): number {
    const rule = this.rules[bucket];
    const id = `${bucket}\u0000${key}`;
    const t = this.now();
    let w = this.windows.get(id);
    if (!w || t - w.start >= rule.windowMs) {
      if (w) this.windows.delete(id);
      w = { start: t, count: 0 };
      this.windows.set(id, w);
      if (this.windows.size > this.maxKeys) this.prune(t);
    }
    if (w.count >= rule.limit) return Math.max(1, Math.ceil((w.start + rule.windowMs - t) / 1000));
    w.count++;
    return 0;
  }

  get size(): number {
    return this.windows.size;
  }

  private prune(t: number): void {
    for (const [id, w] of this.windows) {
      const bucket = id.slice(0, id.indexOf('\u0000')) as RateLimitBucket;
      if (t - w.start >= this.rules[bucket].windowMs) this.windows.delete(id);
    }
    // Still full of live windows: forget the oldest (insertion order), which only ever errs towards allowing.
    for (const id of this.windows.keys()) {
      if (this.windows.size <= this.maxKeys) break;
      this.windows.delete(id);
    }
  }
}
