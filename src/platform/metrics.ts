import { Counter, Histogram, Registry } from 'prom-client';
import { MinuteRing } from './ring.js';

/** How one HTTP attempt ended: success, a Feishu error code, a rate limit, a server error, or no answer. */
export type CallOutcome = 'ok' | 'feishu_error' | 'rate_limited' | 'server_error' | 'network';

/** Plain running totals of one API (a route template such as `POST /open-apis/im/v1/messages`). */
export interface ApiTotals {
  calls: number;
  ok: number;
  feishu_error: number;
  rate_limited: number;
  server_error: number;
  network: number;
  retries: number;
  /** Attempts by Feishu code (0 = success; -1 network, -2 timeout). */
  codes: Record<string, number>;
}

export const PLATFORM_RING_FIELDS = ['api_calls', 'api_ok', 'api_failed', 'api_rate_limited', 'api_server_error', 'api_network', 'api_retries', 'token_hits', 'token_misses', 'token_fetches', 'token_failures'] as const;
export type PlatformRingField = (typeof PLATFORM_RING_FIELDS)[number];

/**
 * Outbound metrics of one platform client, on its own registry (never the global default one,
 * so two clients in a process, or a test, do not mix their numbers). Besides the Prometheus
 * metrics it keeps plain totals per API and a per-minute ring for the console's overview.
 */
export interface PlatformMetrics {
  registry: Registry;
  /** One HTTP attempt finished: `code` is the Feishu code (0 = success; -1 network, -2 timeout). */
  call(api: string, code: number, seconds: number, outcome?: CallOutcome): void;
  retry(api: string, reason: 'rate_limit' | 'server' | 'network' | 'token'): void;
  rateLimited(api: string): void;
  /** hit: a valid cached token; coalesced: waited for a fetch another caller started; miss: started a fetch. */
  tokenLookup(result: 'hit' | 'coalesced' | 'miss'): void;
  tokenFetch(kind: 'tenant' | 'app'): void;
  /** A token request failed (Feishu refused it or did not answer). */
  tokenFetchFailed(kind: 'tenant' | 'app'): void;
  limiterWait(seconds: number): void;
  /**
   * Token lookups that cost no token request of their own, as a fraction (1 when there were none):
   * cache hits plus lookups that joined a fetch already in flight (single flight).
   */
  tokenCacheHitRate(): number;
  tokenCacheStats(): { hits: number; coalesced: number; misses: number; fetches: number; failures: number };
  /** Running totals per API, since the process started. */
  apiTotals(): ReadonlyMap<string, Readonly<ApiTotals>>;
  /** Per-minute sums of the last hour (calls, failures, 429s, retries, token lookups). */
  ring: MinuteRing<PlatformRingField>;
}

/** The outcome of an attempt from its Feishu code and HTTP status (when the caller did not say). */
export function outcomeOf(code: number, httpStatus?: number): CallOutcome {
  if (code === 0) return 'ok';
  if (code < 0 || httpStatus === 0) return 'network';
  if (httpStatus === 429 || code === 99991400) return 'rate_limited';
  if (httpStatus !== undefined && httpStatus >= 500) return 'server_error';
  return 'feishu_error';
}

/**
 * Creates the metrics (prefix `feishu_hub_`) on `registry` (a new Registry by default).
 *
 * @example
 * const m = createPlatformMetrics(); m.call('GET /open-apis/im/v1/chats', 0, 0.02); await m.registry.metrics();
 */
export function createPlatformMetrics(registry: Registry = new Registry()): PlatformMetrics {
  const calls = new Counter({ name: 'feishu_hub_api_calls_total', help: 'HTTP attempts to the Feishu API, by API (route template), outcome (ok, feishu_error, rate_limited, server_error, network) and Feishu code', labelNames: ['api', 'outcome', 'code'], registers: [registry] });
  const latency = new Histogram({
    name: 'feishu_hub_api_call_duration_seconds',
    help: 'Latency of one HTTP attempt to the Feishu API',
    labelNames: ['api'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const retries = new Counter({ name: 'feishu_hub_api_retries_total', help: 'Retried attempts, by API and reason', labelNames: ['api', 'reason'], registers: [registry] });
  const limited = new Counter({ name: 'feishu_hub_api_rate_limited_total', help: 'Rate-limit refusals (HTTP 429 / 99991400) received', labelNames: ['api'], registers: [registry] });
  const tokenCache = new Counter({ name: 'feishu_hub_token_cache_lookups_total', help: 'Token lookups: from the cache (hit), waiting for a fetch in flight (coalesced), or starting a fetch (miss)', labelNames: ['result'], registers: [registry] });
  const tokenFetches = new Counter({ name: 'feishu_hub_token_fetches_total', help: 'Token requests sent to Feishu, by kind (tenant, app)', labelNames: ['kind'], registers: [registry] });
  const tokenFailures = new Counter({ name: 'feishu_hub_token_fetch_failures_total', help: 'Token requests that failed (refused by Feishu or no answer), by kind', labelNames: ['kind'], registers: [registry] });
  const waits = new Histogram({
    name: 'feishu_hub_limiter_wait_seconds',
    help: 'Time a call waited for the client-side rate limiters',
    buckets: [0, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
    registers: [registry],
  });
  // Plain numbers alongside the counters, so the console can read them synchronously.
  const stats = { hits: 0, coalesced: 0, misses: 0, fetches: 0, failures: 0 };
  const apis = new Map<string, ApiTotals>();
  const ring = new MinuteRing(PLATFORM_RING_FIELDS);
  const totalsOf = (api: string) => {
    let t = apis.get(api);
    if (!t) apis.set(api, (t = { calls: 0, ok: 0, feishu_error: 0, rate_limited: 0, server_error: 0, network: 0, retries: 0, codes: Object.create(null) as Record<string, number> }));
    return t;
  };

  return {
    registry,
    ring,
    call: (api, code, seconds, outcome = outcomeOf(code)) => {
      const c = String(code);
      calls.inc({ api, outcome, code: c });
      latency.observe({ api }, seconds);
      const t = totalsOf(api);
      t.calls++;
      t[outcome]++;
      t.codes[c] = (t.codes[c] ?? 0) + 1;
      ring.add('api_calls');
      if (outcome === 'ok') ring.add('api_ok');
      else {
        ring.add('api_failed');
        if (outcome === 'rate_limited') ring.add('api_rate_limited');
        else if (outcome === 'server_error') ring.add('api_server_error');
        else if (outcome === 'network') ring.add('api_network');
      }
    },
    retry: (api, reason) => {
      retries.inc({ api, reason });
      totalsOf(api).retries++;
      ring.add('api_retries');
    },
    rateLimited: (api) => limited.inc({ api }),
    tokenLookup: (result) => {
      tokenCache.inc({ result });
      if (result === 'hit') stats.hits++;
      else if (result === 'coalesced') stats.coalesced++;
      else stats.misses++;
      ring.add(result === 'miss' ? 'token_misses' : 'token_hits');
    },
    tokenFetch: (kind) => {
      tokenFetches.inc({ kind });
      stats.fetches++;
      ring.add('token_fetches');
    },
    tokenFetchFailed: (kind) => {
      tokenFailures.inc({ kind });
      stats.failures++;
      ring.add('token_failures');
    },
    limiterWait: (seconds) => waits.observe(seconds),
    tokenCacheHitRate: () => {
      const total = stats.hits + stats.coalesced + stats.misses;
      return total === 0 ? 1 : (stats.hits + stats.coalesced) / total;
    },
    tokenCacheStats: () => ({ ...stats }),
    apiTotals: () => apis,
  };
}
