/**
 * Group commit: callers add items one by one; items that arrive while a flush is running are
 * written together by a following flush, in one statement and one commit (one fsync). Under load
 * this turns N commits into a few; at low rates each item is flushed on the next tick.
 * `depth` flushes may be in flight at once: with 2, the next batch is handed over while the
 * previous one is still being written, so a request never waits for a whole extra cycle.
 */
export class Batcher<T, R> {
  private queue: { item: T; resolve: (r: R) => void; reject: (e: unknown) => void }[] = [];
  private running = 0;
  private scheduled = false;

  constructor(
    private readonly flush: (items: T[]) => Promise<R[]>,
    private readonly options: { maxBatch?: number; depth?: number } = {},
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Resolves when everything added so far has been flushed. */
  async drain(): Promise<void> {
    while (this.queue.length > 0 || this.running > 0) await new Promise((r) => setImmediate(r));
  }

  private schedule(): void {
    if (this.running >= (this.options.depth ?? 1) || this.scheduled) return;
    this.scheduled = true;
    // setImmediate lets the requests already parsed in this loop turn join the batch.
    setImmediate(() => {
      this.scheduled = false;
      void this.run();
    });
  }

  private async run(): Promise<void> {
    if (this.running >= (this.options.depth ?? 1)) return;
    this.running++;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.options.maxBatch ?? 500);
        try {
          const results = await this.flush(batch.map((b) => b.item));
          batch.forEach((b, i) => b.resolve(results[i]));
        } catch (err) {
          for (const b of batch) b.reject(err);
        }
      }
    } finally {
      this.running--;
    }
  }
}
