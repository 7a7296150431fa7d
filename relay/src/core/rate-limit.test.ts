import { describe, expect, it } from 'vitest';
import { FixedWindowRateLimiter, RATE_LIMITS } from './rate-limit.js';

function clock(start = 1_000_000): { now: () => number; advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance: (ms) => (t += ms) };
}

describe('rate limits', () => {
  it.each([
    ['register', 5],
    ['redeem', 10],
    ['connect', 60],
  ] as const)('allows %s %i times a minute per key', (bucket, limit) => {
    expect(RATE_LIMITS[bucket].limit).toBe(limit);
    const c = clock();
    const limiter = new FixedWindowRateLimiter({ now: c.now });
    for (let i = 0; i < limit; i++) expect(limiter.take(bucket, '1.2.3.4')).toBe(0);
    expect(limiter.take(bucket, '1.2.3.4')).toBe(60);
    c.advance(59_999);
    expect(limiter.take(bucket, '1.2.3.4')).toBe(1);
    c.advance(1);
    expect(limiter.take(bucket, '1.2.3.4')).toBe(0);
  });

  it('reports the seconds until the window reopens', () => {
    const c = clock();
    const limiter = new FixedWindowRateLimiter({ now: c.now });
    for (let i = 0; i < 5; i++) limiter.take('register', 'ip');
    c.advance(20_500);
    expect(limiter.take('register', 'ip')).toBe(40);
  });

  it('keeps keys and buckets apart', () => {
    const c = clock();
    const limiter = new FixedWindowRateLimiter({ now: c.now });
    for (let i = 0; i < 5; i++) limiter.take('register', 'a');
    expect(limiter.take('register', 'a')).toBeGreaterThan(0);
    expect(limiter.take('register', 'b')).toBe(0);
    expect(limiter.take('redeem', 'a')).toBe(0);
  });

  it('takes custom rules', () => {
    const c = clock();
    const limiter = new FixedWindowRateLimiter({
      now: c.now,
      rules: { connect: { limit: 1, windowMs: 1000 } },
    });
    expect(limiter.take('connect', 'a')).toBe(0);
    expect(limiter.take('connect', 'a')).toBe(1);
    c.advance(1000);
    expect(limiter.take('connect', 'a')).toBe(0);
  });

  it('bounds the memory a flood of addresses can take', () => {
    const c = clock();
    const limiter = new FixedWindowRateLimiter({ now: c.now, maxKeys: 100 });
    for (let i = 0; i < 1000; i++) limiter.take('connect', `10.0.${i >> 8}.${i & 255}`);
    expect(limiter.size).toBeLessThanOrEqual(101);
    c.advance(60_000);
    limiter.take('connect', 'new');
    expect(limiter.size).toBeLessThanOrEqual(101);
  });
});
