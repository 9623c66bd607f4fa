/**
 * Per-minute sums of a fixed set of numeric fields for the last `slots` minutes, in one
 * preallocated Float64Array: `add` is an index computation and an addition (no allocation), so
 * it can sit on the hot path of every call or event. Read with `series()` for the console charts.
 *
 * @example
 * const ring = new MinuteRing(['calls', 'errors']); ring.add('calls'); ring.series().calls.at(-1); // 1
 */
export class MinuteRing<K extends string = string> {
  private readonly index: Record<string, number> = Object.create(null);
  private readonly values: Float64Array;
  private readonly minutes: Float64Array;

  constructor(
    readonly fields: readonly K[],
    readonly slots = 60,
    readonly slotMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {
    fields.forEach((f, i) => (this.index[f] = i));
    this.values = new Float64Array(slots * fields.length);
    this.minutes = new Float64Array(slots).fill(-1);
  }

  /** Adds `n` to `field` in the current minute. */
  add(field: K, n = 1): void {
    const i = this.index[field];
    if (i === undefined) return;
    this.values[this.slot() * this.fields.length + i] += n;
  }

  /** Sets `field` in the current minute (a gauge sampled when read, e.g. the inbox depth). */
  set(field: K, n: number): void {
    const i = this.index[field];
    if (i === undefined) return;
    this.values[this.slot() * this.fields.length + i] = n;
  }

  private slot(): number {
    const minute = Math.floor(this.now() / this.slotMs);
    const s = minute % this.slots;
    if (this.minutes[s] !== minute) {
      this.minutes[s] = minute;
      this.values.fill(0, s * this.fields.length, (s + 1) * this.fields.length);
    }
    return s;
  }

  /**
   * The last `slots` minutes, oldest first, up to the current (partial) one; minutes without
   * activity are 0. `t` is each minute's start in epoch seconds (what uPlot wants).
   */
  series(): { t: number[] } & Record<K, number[]> {
    const current = Math.floor(this.now() / this.slotMs);
    const out = { t: [] as number[] } as { t: number[] } & Record<K, number[]>;
    for (const f of this.fields) (out as Record<string, number[]>)[f] = [];
    for (let m = current - this.slots + 1; m <= current; m++) {
      const s = ((m % this.slots) + this.slots) % this.slots;
      const live = this.minutes[s] === m;
      out.t.push((m * this.slotMs) / 1000);
      this.fields.forEach((f, i) => (out as Record<string, number[]>)[f].push(live ? this.values[s * this.fields.length + i] : 0));
    }
    return out;
  }
}

/** Upper bounds (seconds) of the fixed latency histogram buckets; the last bucket is +Inf. */
export const LATENCY_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 1, 1.5, 2, 3, 5, 10, 30, 60, 300] as const;

/** The bucket a latency (seconds) falls in: 0 … LATENCY_BUCKETS.length (the +Inf bucket). */
export function latencyBucket(seconds: number): number {
  let i = 0;
  while (i < LATENCY_BUCKETS.length && seconds > LATENCY_BUCKETS[i]!) i++;
  return i;
}

/**
 * The q-quantile (0…1) of a bucket histogram (counts per bucket, not cumulative), interpolated
 * linearly inside the bucket as Prometheus' histogram_quantile does; null when it is empty.
 */
export function quantile(counts: ArrayLike<number>, q: number): number | null {
  let total = 0;
  for (let i = 0; i < counts.length; i++) total += counts[i]!;
  if (total === 0) return null;
  const rank = q * total;
  let seen = 0;
  for (let i = 0; i < counts.length; i++) {
    const c = counts[i]!;
    if (seen + c >= rank && c > 0) {
      const lower = i === 0 ? 0 : LATENCY_BUCKETS[i - 1]!;
      if (i >= LATENCY_BUCKETS.length) return lower; // +Inf bucket: the largest finite bound
      const upper = LATENCY_BUCKETS[i]!;
      return lower + (upper - lower) * ((rank - seen) / c);
    }
    seen += c;
  }
  return LATENCY_BUCKETS[LATENCY_BUCKETS.length - 1]!;
}
