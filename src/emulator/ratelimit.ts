import type { RateLimitSettings } from './types.js';

export interface Limit {
  perSecond?: number;
  perMinute?: number;
}

/** Tier table of the platform (self-built basic apps). */
export const tiers = {
  1: { perMinute: 10 },
  2: { perMinute: 20 },
  3: { perMinute: 100 },
  4: { perMinute: 1000, perSecond: 50 },
  5: { perSecond: 1 },
  6: { perSecond: 5 },
  7: { perSecond: 10 },
  8: { perSecond: 20 },
  9: { perSecond: 50 },
  10: { perSecond: 50 },
  11: { perSecond: 100 },
} satisfies Record<number, Limit>;

/** Per recipient: 5 messages/s to one user or one chat (shared by all bots in the chat). */
export const recipientLimit: Limit = { perSecond: 5 };
/** Custom group bot: 100/min and 5/s per bot. */
export const webhookBotLimit: Limit = { perSecond: 5, perMinute: 100 };
/** Card PATCH: 5/s per message. */
export const perMessageUpdateLimit: Limit = { perSecond: 5 };

export type LimitVerdict = { ok: true } | { ok: false; limit: number; resetSec: number };

/**
 * Fixed windows (one second, one minute) aligned to the emulator clock, like the
 * platform's gateway: a burst over the limit inside one window is refused with the
 * window's size and the seconds until it resets.
 */
export class RateLimiter {
  private windows = new Map<string, { sec: number; secCount: number; min: number; minCount: number }>();

  constructor(public settings: RateLimitSettings = { enabled: true, scale: 1 }) {}

  hit(key: string, limit: Limit, now: number): LimitVerdict {
    if (!this.settings.enabled) return { ok: true };
    const sec = Math.floor(now / 1000);
    const min = Math.floor(now / 60_000);
    let w = this.windows.get(key);
    if (!w) {
      w = { sec, secCount: 0, min, minCount: 0 };
      this.windows.set(key, w);
    }
    if (w.sec !== sec) {
      w.sec = sec;
      w.secCount = 0;
    }
    if (w.min !== min) {
      w.min = min;
      w.minCount = 0;
    }
    const perSecond = this.scaled(limit.perSecond);
    const perMinute = this.scaled(limit.perMinute);
    if (perSecond !== undefined && w.secCount >= perSecond) {
      return { ok: false, limit: perSecond, resetSec: Math.max(1, Math.ceil(((sec + 1) * 1000 - now) / 1000)) };
    }
    if (perMinute !== undefined && w.minCount >= perMinute) {
      return { ok: false, limit: perMinute, resetSec: Math.max(1, Math.ceil(((min + 1) * 60_000 - now) / 1000)) };
    }
    w.secCount++;
    w.minCount++;
    if (this.windows.size > 50_000) this.prune(sec);
    return { ok: true };
  }

  reset(): void {
    this.windows.clear();
  }

  private scaled(n: number | undefined): number | undefined {
    return n === undefined ? undefined : Math.max(1, Math.floor(n * this.settings.scale));
  }

  private prune(sec: number): void {
    for (const [k, w] of this.windows) if (w.sec < sec - 120) this.windows.delete(k);
  }
}
