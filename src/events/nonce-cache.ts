/**
 * Remembers recently seen (timestamp, nonce, signature) triples so a captured request cannot be
 * played again inside the timestamp window. Bounded: entries expire after `ttlMs` and the oldest
 * go first when `maxEntries` is reached. In memory, per process: across replicas, events are still
 * deduplicated by event_id in the shared inbox.
 */
export class NonceCache {
  private readonly seen = new Map<string, number>();
  private nextSweep = 0;

  constructor(
    private readonly ttlMs = 10 * 60_000,
    private readonly maxEntries = 100_000,
  ) {}

  /** True if `key` was seen and has not expired; otherwise records it and returns false. */
  checkAndAdd(key: string, now = Date.now()): boolean {
    this.sweep(now);
    const expires = this.seen.get(key);
    if (expires !== undefined && expires > now) return true;
    this.seen.set(key, now + this.ttlMs);
    if (this.seen.size > this.maxEntries) this.seen.delete(this.seen.keys().next().value as string);
    return false;
  }

  /** Forgets `key` (the request was not processed, so Feishu's identical re-send must pass). */
  forget(key: string): void {
    this.seen.delete(key);
  }

  get size(): number {
    return this.seen.size;
  }

  // All entries share one TTL, so insertion order is expiry order: drop expired ones from the front.
  // At most once a second: lookups check expiry themselves, so a late sweep only costs memory.
  private sweep(now: number): void {
    if (now < this.nextSweep) return;
    this.nextSweep = now + 1000;
    for (const [key, expires] of this.seen) {
      if (expires > now) break;
      this.seen.delete(key);
    }
  }
}
