export interface RetryOptions {
  /** Retries after 5xx, timeouts and network errors (requests safe to repeat only). Default 6. */
  retries?: number;
  /** Retries after rate-limit refusals (429 / 99991400), which are never processed. Default 10. */
  rateLimitRetries?: number;
  /** First backoff ceiling; doubles each retry. Default 200 ms. */
  baseMs?: number;
  /** Largest backoff ceiling. Default 10 s. */
  capMs?: number;
}

export type RetryPolicy = Required<RetryOptions>;

export function retryPolicy(o: RetryOptions | false | undefined): RetryPolicy {
  if (o === false) return { retries: 0, rateLimitRetries: 0, baseMs: 0, capMs: 0 };
  return { retries: o?.retries ?? 6, rateLimitRetries: o?.rateLimitRetries ?? 10, baseMs: o?.baseMs ?? 200, capMs: o?.capMs ?? 10_000 };
}

/** Exponential backoff with full jitter: a random wait in [0, min(cap, base·2^(n-1))]. */
export function backoffMs(retry: number, p: RetryPolicy): number {
  const ceiling = Math.min(p.capMs, p.baseMs * 2 ** Math.max(0, retry - 1));
  return Math.random() * ceiling;
}

/** After a 429: at least the reset time the platform gave, plus jitter so waiters do not return together. */
export function rateLimitWaitMs(retryAfterSec: number | undefined, retry: number, p: RetryPolicy): number {
  return (retryAfterSec ?? 1) * 1000 + backoffMs(retry, p);
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * May this request be sent twice without doing something twice? Reads are; writes are when the
 * platform deduplicates them by `uuid` (message create/reply in the body, chat create in the
 * query), when the caller says so, and token requests (they only read credentials).
 */
export function safeToRepeat(method: string, path: string, params: Record<string, unknown> | undefined, data: unknown, idempotent?: boolean): boolean {
  if (SAFE_METHODS.has(method) || idempotent) return true;
  if (path.startsWith('/open-apis/auth/v3/')) return true;
  const uuid = (data && typeof data === 'object' ? (data as Record<string, unknown>).uuid : undefined) ?? params?.uuid;
  return typeof uuid === 'string' && uuid.length > 0;
}
