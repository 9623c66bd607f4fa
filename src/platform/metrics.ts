import { Counter, Histogram, Registry } from 'prom-client';

/**
 * Outbound metrics of one platform client, on its own registry (never the global default one,
 * so two clients in a process, or a test, do not mix their numbers).
 */
export interface PlatformMetrics {
  registry: Registry;
  /** One HTTP attempt finished: `code` is the Feishu code (0 = success; -1 network, -2 timeout). */
  call(api: string, code: number, seconds: number): void;
  retry(api: string, reason: 'rate_limit' | 'server' | 'network' | 'token'): void;
  rateLimited(api: string): void;
  /** hit: a valid cached token; coalesced: waited for a fetch another caller started; miss: started a fetch. */
  tokenLookup(result: 'hit' | 'coalesced' | 'miss'): void;
  tokenFetch(kind: 'tenant' | 'app'): void;
  limiterWait(seconds: number): void;
  /**
   * Token lookups that cost no token request of their own, as a fraction (1 when there were none):
   * cache hits plus lookups that joined a fetch already in flight (single flight).
   */
  tokenCacheHitRate(): number;
  tokenCacheStats(): { hits: number; coalesced: number; misses: number; fetches: number };
}

/**
 * Creates the metrics (prefix `feishu_`) on `registry` (a new Registry by default).
 *
 * @example
 * const m = createPlatformMetrics(); m.call('GET /open-apis/im/v1/chats', 0, 0.02); await m.registry.metrics();
 */
export function createPlatformMetrics(registry: Registry = new Registry()): PlatformMetrics {
  const calls = new Counter({ name: 'feishu_api_calls_total', help: 'HTTP attempts to the Feishu API, by API and Feishu code', labelNames: ['api', 'code'], registers: [registry] });
  const latency = new Histogram({
    name: 'feishu_api_call_duration_seconds',
    help: 'Latency of one HTTP attempt to the Feishu API',
    labelNames: ['api'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const retries = new Counter({ name: 'feishu_api_retries_total', help: 'Retried attempts, by API and reason', labelNames: ['api', 'reason'], registers: [registry] });
  const limited = new Counter({ name: 'feishu_api_rate_limited_total', help: 'Rate-limit refusals (HTTP 429 / 99991400) received', labelNames: ['api'], registers: [registry] });
  const tokenCache = new Counter({ name: 'feishu_token_cache_lookups_total', help: 'Token lookups: from the cache (hit), waiting for a fetch in flight (coalesced), or starting a fetch (miss)', labelNames: ['result'], registers: [registry] });
  const tokenFetches = new Counter({ name: 'feishu_token_fetches_total', help: 'Token requests sent to Feishu', labelNames: ['kind'], registers: [registry] });
  const waits = new Histogram({
    name: 'feishu_limiter_wait_seconds',
    help: 'Time a call waited for the client-side rate limiters',
    buckets: [0, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [registry],
  });
  // Plain numbers alongside the counters, so the hit rate can be read synchronously.
  const stats = { hits: 0, coalesced: 0, misses: 0, fetches: 0 };

  return {
    registry,
    call: (api, code, seconds) => {
      calls.inc({ api, code: String(code) });
      latency.observe({ api }, seconds);
    },
    retry: (api, reason) => retries.inc({ api, reason }),
    rateLimited: (api) => limited.inc({ api }),
    tokenLookup: (result) => {
      tokenCache.inc({ result });
      if (result === 'hit') stats.hits++;
      else if (result === 'coalesced') stats.coalesced++;
      else stats.misses++;
    },
    tokenFetch: (kind) => {
      tokenFetches.inc({ kind });
      stats.fetches++;
    },
    limiterWait: (seconds) => waits.observe(seconds),
    tokenCacheHitRate: () => {
      const total = stats.hits + stats.coalesced + stats.misses;
      return total === 0 ? 1 : (stats.hits + stats.coalesced) / total;
    },
    tokenCacheStats: () => ({ ...stats }),
  };
}
