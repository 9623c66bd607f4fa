import { describe, expect, it } from 'vitest';
import { LATENCY_BUCKETS, MinuteRing, latencyBucket, quantile } from '../../src/platform/ring.js';

describe('the per-minute ring and the latency histogram', () => {
  it('sums per minute, forgets minutes older than the ring, and lists the last hour oldest first', () => {
    let now = 10 * 60_000 + 5;
    const ring = new MinuteRing(['calls', 'errors'] as const, 60, 60_000, () => now);
    ring.add('calls');
    ring.add('calls', 2);
    now += 60_000;
    ring.add('errors');
    let s = ring.series();
    expect(s.t).toHaveLength(60);
    expect(s.t.at(-1)).toBe(11 * 60);
    expect(s.calls.slice(-2)).toEqual([3, 0]);
    expect(s.errors.slice(-2)).toEqual([0, 1]);
    now += 60 * 60_000; // an hour later the slots are reused, the old sums gone
    ring.add('calls');
    s = ring.series();
    expect(s.calls.reduce((a, b) => a + b)).toBe(1);
    expect(s.errors.reduce((a, b) => a + b)).toBe(0);
  });

  it('quantiles from fixed buckets, interpolated inside a bucket; null when empty', () => {
    const counts = new Float64Array(LATENCY_BUCKETS.length + 1);
    expect(quantile(counts, 0.99)).toBeNull();
    for (let i = 0; i < 99; i++) counts[latencyBucket(0.04)]!++; // 25–50 ms
    counts[latencyBucket(2.5)]!++; // 2–3 s
    expect(quantile(counts, 0.5)).toBeGreaterThan(0.025);
    expect(quantile(counts, 0.5)).toBeLessThanOrEqual(0.05);
    expect(quantile(counts, 0.99)).toBeLessThanOrEqual(0.05);
    expect(quantile(counts, 1)).toBeGreaterThan(2);
    expect(latencyBucket(1e6)).toBe(LATENCY_BUCKETS.length); // +Inf
  });
});
