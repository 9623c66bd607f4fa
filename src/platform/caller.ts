import type { Logger } from '../config/index.js';
import { errorFromResponse, FeishuApiError, neverSent, transportError } from './errors.js';
import type { Limit, Permit, PlatformLimiter } from './limiter.js';
import { outcomeOf, type PlatformMetrics } from './metrics.js';
import type { RecipientRegistry } from './recipients.js';
import { backoffMs, rateLimitWaitMs, safeToRepeat, type RetryPolicy } from './retry.js';
import { apiKey, tierOf } from './tiers.js';
import type { TokenManager } from './tokens.js';
import { prepareBody, sendOnce, serializeParams, TransportFailure } from './transport.js';

/** Request headers feishu-hub reads and removes before sending (set through requestOptions()). */
export const IDEMPOTENT_HEADER = 'x-feishu-hub-idempotent';
export const TENANT_HEADER = 'x-feishu-hub-tenant-key';

/** Paths that take no bearer token (the v2 OAuth token endpoint authenticates with client_id/secret in the body). */
const NO_TOKEN = /^\/open-apis\/(auth\/v3|authen\/v2\/oauth|bot\/v2\/hook|bot\/hook)\//;

export interface CallRequest {
  method?: string;
  /** Absolute URL, or a path relative to the domain. */
  url: string;
  params?: Record<string, unknown>;
  data?: unknown;
  headers?: Record<string, unknown>;
  responseType?: string;
  /** Answer `{ data, headers }` instead of the body (the SDK's `$return_headers`). */
  returnHeaders?: boolean;
  paramsSerializer?: unknown;
  timeoutMs?: number;
  /** The write is safe to repeat (an idempotency key protects it). */
  idempotent?: boolean;
  /** Store apps: whose tenant token to use. */
  tenantKey?: string;
}

export interface CallerDeps {
  appId: string;
  domain: string;
  timeoutMs: number;
  retry: RetryPolicy;
  metrics: PlatformMetrics;
  recipients: RecipientRegistry;
  tokens?: TokenManager;
  limiter?: PlatformLimiter;
  tiers?: Record<string, Limit>;
  logger?: Pick<Logger, 'debug' | 'warn'>;
}

type Decision = { retry: false; error: FeishuApiError } | { retry: true; waitMs: number };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The outbound pipeline of every call: token → client-side limits → HTTP (timeout) → classify →
 * retry (token refresh once; 429 after the reset; 5xx/network when safe to repeat) → throw
 * FeishuApiError for any `code != 0`.
 */
export class Caller {
  constructor(private readonly deps: CallerDeps) {}

  async call(req: CallRequest): Promise<unknown> {
    const { deps } = this;
    const method = (req.method ?? 'GET').toUpperCase();
    const base = new URL(/^https?:\/\//.test(req.url) ? req.url : `${deps.domain}/${req.url.replace(/^\//, '')}`);
    const path = base.pathname;
    const query = [base.search.slice(1), serializeParams(req.params, req.paramsSerializer)].filter(Boolean).join('&');
    const url = `${base.origin}${path}${query ? `?${query}` : ''}`;
    const headers = normalizeHeaders(req.headers);
    const idempotent = req.idempotent || headers[IDEMPOTENT_HEADER] === '1';
    const tenantKey = req.tenantKey ?? headers[TENANT_HEADER];
    delete headers[IDEMPOTENT_HEADER];
    delete headers[TENANT_HEADER];
    // Axios ignores a body on GET/HEAD (the SDK passes `data: {}`); fetch refuses one.
    const body = method === 'GET' || method === 'HEAD' ? undefined : await prepareBody(req.data, headers);
    const api = apiKey(method, path);
    const params = { ...Object.fromEntries(base.searchParams), ...(req.params ?? {}) };
    const needsToken = Boolean(deps.tokens) && path.startsWith('/open-apis/') && !NO_TOKEN.test(path) && !headers.authorization;
    const safe = safeToRepeat(method, path, params, req.data, idempotent);
    const recipientLimits = deps.recipients.limitsFor(method, path, params, req.data);
    const state = { tokenRetried: false, transient: 0, limited: 0 };

    for (;;) {
      let token: string | undefined;
      if (needsToken) {
        token = await deps.tokens!.tenantToken(tenantKey);
        headers.authorization = `Bearer ${token}`;
      }
      const permits = await this.acquire(api, recipientLimits);
      let sent = true;
      let decision: Decision;
      const started = performance.now();
      try {
        const res = await sendOnce({ method, url, headers, body, responseType: req.responseType, timeoutMs: req.timeoutMs ?? deps.timeoutMs });
        const error = errorFromResponse(res.data, res.status, res.headers, { method, path });
        deps.metrics.call(api, error?.code ?? 0, (performance.now() - started) / 1000, !error ? 'ok' : error.rateLimited ? 'rate_limited' : outcomeOf(error.code, error.httpStatus));
        if (!error) {
          deps.recipients.learn(method, path, params, req.data, res.data);
          return req.returnHeaders ? { data: res.data, headers: res.headers } : res.data;
        }
        decision = this.decide(error, api, safe, token, state, true);
      } catch (err) {
        if (!(err instanceof TransportFailure)) throw err;
        sent = !neverSent(err.cause);
        const error = transportError(err.cause, { method, path }, err.timedOut);
        deps.metrics.call(api, error.code, (performance.now() - started) / 1000, 'network');
        decision = this.decide(error, api, safe || !sent, token, state, sent);
      } finally {
        await Promise.all(permits.map((p) => p.release(sent)));
      }
      if (!decision.retry) throw decision.error;
      if (decision.waitMs > 0) await sleep(decision.waitMs);
    }
  }

  private decide(
    error: FeishuApiError,
    api: string,
    safe: boolean,
    token: string | undefined,
    state: { tokenRetried: boolean; transient: number; limited: number },
    sent: boolean,
  ): Decision {
    const { deps } = this;
    const log = { api, code: error.code, logId: error.logId, httpStatus: error.httpStatus };
    if (error.tokenInvalid && token && !state.tokenRetried) {
      // Refused at the gateway, so nothing happened: drop the token and try once more with a fresh one.
      state.tokenRetried = true;
      deps.tokens!.invalidate(token);
      deps.metrics.retry(api, 'token');
      deps.logger?.debug(log, 'feishu token refused; refreshing and retrying once');
      return { retry: true, waitMs: 0 };
    }
    if (error.rateLimited) {
      deps.metrics.rateLimited(api);
      if (state.limited < deps.retry.rateLimitRetries) {
        state.limited++;
        deps.metrics.retry(api, 'rate_limit');
        const waitMs = rateLimitWaitMs(error.retryAfterSec, state.limited, deps.retry);
        deps.logger?.debug({ ...log, waitMs: Math.round(waitMs) }, 'feishu rate limit; waiting for the reset');
        return { retry: true, waitMs };
      }
    } else if (error.retryable && safe && state.transient < deps.retry.retries) {
      state.transient++;
      deps.metrics.retry(api, error.httpStatus === 0 ? 'network' : 'server');
      const waitMs = backoffMs(state.transient, deps.retry);
      deps.logger?.debug({ ...log, waitMs: Math.round(waitMs), sent }, 'feishu call failed; retrying');
      return { retry: true, waitMs };
    }
    return { retry: false, error };
  }

  /** The recipient's limits first (the narrowest), then the app's limit for this API. */
  private async acquire(api: string, recipientLimits: { key: string; limit: Limit }[]): Promise<Permit[]> {
    const { limiter, appId, tiers, metrics } = this.deps;
    if (!limiter) return [];
    const started = performance.now();
    const permits: Permit[] = [];
    try {
      for (const r of recipientLimits) permits.push(await limiter.acquire(`${appId}:${r.key}`, r.limit));
      permits.push(await limiter.acquire(`${appId}:api:${api}`, tierOf(api, tiers)));
    } catch (err) {
      await Promise.all(permits.map((p) => p.release(false)));
      throw err;
    }
    metrics.limiterWait((performance.now() - started) / 1000);
    return permits;
  }
}

function normalizeHeaders(h: Record<string, unknown> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) {
    if (v === undefined || v === null) continue;
    out[k.toLowerCase()] = String(v);
  }
  return out;
}
