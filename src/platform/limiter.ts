import { RateLimiterMemory, RateLimiterRedis, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Redis } from 'ioredis';

/** A platform limit: at most `perSecond` in any second and `perMinute` in any minute. */
export interface Limit {
  perSecond?: number;
  perMinute?: number;
}

export interface LimiterOptions {
  /** Share the limits between processes (replicas) through Redis; in-process memory otherwise. */
  redis?: Redis;
  /** Prefix of the Redis keys (default `feishu-hub:rl`). */
  keyPrefix?: string;
  /** Multiplies every limit (0.5 = half the platform's limits). Default 1. */
  scale?: number;
  /** Longest a permit is held while its request is in flight (the request timeout). Default 10 s. */
  holdMs?: number;
}

/** The right to send one request; release it when the answer (or the failure) arrived. */
export interface Permit {
  /** `sent: false` when the request never left (its slot is freed at once). */
  release(sent?: boolean): Promise<void>;
}

interface Slot {
  rl: RateLimiterAbstract;
  base: string;
  key: string;
  durationMs: number;
}

/**
 * Client-side limits that mirror the platform's, so callers wait their turn instead of getting 429s.
 *
 * Why slots: rate-limiter-flexible counts in fixed windows that start at the first hit, so two
 * windows back to back can let 2×N requests through within one second of the platform's own
 * window, which then answers 429. Here a limit of N per D is N one-point limiters ("slots") of
 * duration D: a slot is taken when a request leaves and its window restarts when the answer
 * arrives. The platform processes a request between those two moments, so it never sees more
 * than N requests of one key in any window of length D, whatever the network latency — and
 * Redis-backed slots give the same guarantee across replicas.
 *
 * @example
 * const limiter = new PlatformLimiter();
 * const permit = await limiter.acquire('chat:oc_1', { perSecond: 5 }); try { await send() } finally { await permit.release() }
 */
export class PlatformLimiter {
  private readonly stores = new Map<number, RateLimiterAbstract>();
  private readonly cursors = new Map<string, number>();
  private readonly tails = new Map<string, Promise<void>>();
  private readonly wakers = new Map<string, Set<() => void>>();
  private readonly queued = new Map<string, number>();
  private readonly scale: number;
  private readonly holdMs: number;

  constructor(private readonly options: LimiterOptions = {}) {
    this.scale = options.scale ?? 1;
    this.holdMs = options.holdMs ?? 10_000;
  }

  /** Waits until a request under `key` may be sent without exceeding `limit`. */
  async acquire(key: string, limit: Limit): Promise<Permit> {
    const windows: [number, number][] = [];
    // The scarcer (per-minute) window first, so a second-slot is not held while waiting for it.
    if (limit.perMinute) windows.push([this.scaled(limit.perMinute), 60_000]);
    if (limit.perSecond) windows.push([this.scaled(limit.perSecond), 1_000]);
    const slots: Slot[] = [];
    this.queued.set(key, (this.queued.get(key) ?? 0) + 1);
    try {
      for (const [n, d] of windows) slots.push(await this.serialized(`${key}|${n}/${d}`, () => this.take(`${key}|${n}/${d}`, n, d)));
    } catch (err) {
      await Promise.all(slots.map((s) => s.rl.delete(s.key).catch(() => undefined)));
      throw err;
    } finally {
      const left = this.queued.get(key)! - 1;
      if (left > 0) this.queued.set(key, left);
      else this.queued.delete(key);
    }
    let released = false;
    return {
      release: async (sent = true) => {
        if (released) return;
        released = true;
        await Promise.all(
          slots.map((s) => (sent ? s.rl.set(s.key, 1, s.durationMs / 1000) : s.rl.delete(s.key)).catch(() => undefined)),
        );
        for (const s of slots) this.wake(s.base);
      },
    };
  }

  /**
   * Callers of this process waiting for a permit, by key (only keys someone waits for), largest
   * first: e.g. `cli_x:chat:oc_1` → 3 is the per-chat send queue of that chat.
   */
  waiting(filter?: (key: string) => boolean, limit = 20): { key: string; depth: number }[] {
    const out: { key: string; depth: number }[] = [];
    for (const [key, depth] of this.queued) if (!filter || filter(key)) out.push({ key, depth });
    return out.sort((a, b) => b.depth - a.depth).slice(0, limit);
  }

  private scaled(n: number): number {
    return Math.max(1, Math.floor(n * this.scale));
  }

  private store(durationMs: number): RateLimiterAbstract {
    let rl = this.stores.get(durationMs);
    if (!rl) {
      const common = { points: 1, duration: durationMs / 1000, keyPrefix: `${this.options.keyPrefix ?? 'feishu-hub:rl'}:${durationMs}` };
      // If Redis fails, each process falls back to its own memory limits rather than failing the call.
      rl = this.options.redis
        ? new RateLimiterRedis({ ...common, storeClient: this.options.redis, insuranceLimiter: new RateLimiterMemory(common) })
        : new RateLimiterMemory(common);
      this.stores.set(durationMs, rl);
    }
    return rl;
  }

  /** One acquirer per key at a time in this process: first come, first served, and no herd of scanners. */
  private async serialized<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.tails.get(key) ?? Promise.resolve();
    let done!: () => void;
    const mine = new Promise<void>((r) => (done = r));
    const tail = prev.then(() => mine);
    this.tails.set(key, tail);
    await prev;
    try {
      return await fn();
    } finally {
      done();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  private async take(base: string, n: number, durationMs: number): Promise<Slot> {
    const rl = this.store(durationMs);
    // A slot is held for the longest a request may be in flight, then re-armed for D on release.
    const holdSec = Math.ceil((this.holdMs + durationMs) / 1000);
    let start = this.cursors.get(base) ?? Math.floor(Math.random() * n);
    for (;;) {
      let wait = Infinity;
      let soonest = start;
      for (let j = 0; j < n; j++) {
        const i = (start + j) % n;
        const key = `${base}#${i}`;
        try {
          await rl.consume(key, 1, { customDuration: holdSec });
          if (this.cursors.size > 100_000) this.cursors.clear(); // only a hint of where to look first
          this.cursors.set(base, (i + 1) % n);
          return { rl, base, key, durationMs };
        } catch (e) {
          if (!(e instanceof RateLimiterRes)) throw e;
          if (e.msBeforeNext < wait) {
            wait = e.msBeforeNext;
            soonest = i;
          }
        }
      }
      // Every slot is busy: sleep until the one that frees first, and try it first. Slots held by
      // requests in flight free earlier than their hold says: a local release wakes us, and a
      // release by another replica is noticed by polling.
      start = soonest;
      await this.sleepOrWake(base, Math.max(1, wait > durationMs ? Math.min(wait, 250) : wait));
    }
  }

  private sleepOrWake(base: string, ms: number): Promise<void> {
    return new Promise((resolve) => {
      let set = this.wakers.get(base);
      if (!set) this.wakers.set(base, (set = new Set()));
      const done = () => {
        clearTimeout(timer);
        set!.delete(done);
        if (set!.size === 0 && this.wakers.get(base) === set) this.wakers.delete(base);
        resolve();
      };
      const timer = setTimeout(done, ms);
      set.add(done);
    });
  }

  private wake(base: string): void {
    for (const w of [...(this.wakers.get(base) ?? [])]) w();
  }
}
