/**
 * The emulator's clock: real time plus an offset that tests move forward with
 * `POST /__emulator/clock`. Timers scheduled on it fire when real time reaches
 * them or when the clock is advanced past them, so a 6 h retry can be tested in ms.
 */
export class EmulatorClock {
  private offsetMs = 0;
  private timers: { due: number; fn: () => void; id: number }[] = [];
  private nextId = 1;
  private wake: NodeJS.Timeout | undefined;
  private stopped = false;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  /** Moves time forward and runs every timer that became due, in due order. */
  advance(ms: number): number {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError('advance_ms must be a non-negative number');
    this.offsetMs += ms;
    this.runDue();
    return this.now();
  }

  setTimeout(fn: () => void, delayMs: number): number {
    const id = this.nextId++;
    this.timers.push({ due: this.now() + Math.max(0, delayMs), fn, id });
    this.timers.sort((a, b) => a.due - b.due);
    this.arm();
    return id;
  }

  clearTimeout(id: number): void {
    this.timers = this.timers.filter((t) => t.id !== id);
    this.arm();
  }

  /** Number of pending timers (for state inspection). */
  get pending(): number {
    return this.timers.length;
  }

  reset(): void {
    this.offsetMs = 0;
    this.timers = [];
    this.arm();
  }

  stop(): void {
    this.stopped = true;
    this.timers = [];
    if (this.wake) clearTimeout(this.wake);
  }

  private runDue(): void {
    const now = this.now();
    while (this.timers.length > 0 && this.timers[0].due <= now) {
      const t = this.timers.shift()!;
      try {
        t.fn();
      } catch {
        // A timer's own error handling belongs to the code that scheduled it.
      }
    }
    this.arm();
  }

  private arm(): void {
    if (this.wake) clearTimeout(this.wake);
    this.wake = undefined;
    if (this.stopped || this.timers.length === 0) return;
    const delay = Math.min(Math.max(0, this.timers[0].due - this.now()), 2 ** 31 - 1);
    this.wake = setTimeout(() => this.runDue(), delay);
    this.wake.unref();
  }
}
