// Owns rate limiting: a fixed one-minute window per (caller, category), limits read from config on each call.
export class RateLimiter {
  private readonly windows = new Map<string, { start: number; count: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  /** Counts one call; returns the seconds to wait when the caller is over `perMinute`, else 0. */
  take(caller: string, category: string, perMinute: number): number {
    const key = `${category}\u0000${caller}`;
    const t = this.now();
    let w = this.windows.get(key);
    if (!w || t - w.start >= 60_000) {
      w = { start: t, count: 0 };
      this.windows.set(key, w);
      if (this.windows.size > 10_000) this.prune(t);
    }
    if (w.count >= perMinute) return Math.ceil((w.start + 60_000 - t) / 1000);
    w.count++;
    return 0;
  }

  private prune(t: number): void {
    for (const [k, w] of this.windows) if (t - w.start >= 60_000) this.windows.delete(k);
  }
}
