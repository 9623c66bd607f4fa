import * as lark from '@larksuiteoapi/node-sdk';
import { Redis } from 'ioredis';
import type { Registry } from 'prom-client';
import { loadConfig, type HubConfig, type Logger } from '../config/index.js';
import { Caller, IDEMPOTENT_HEADER, TENANT_HEADER, type CallRequest } from './caller.js';
import { createHttpInstance } from './http-instance.js';
import type { KeyValueStore } from './kv.js';
import { PlatformLimiter, type Limit } from './limiter.js';
import { createPlatformMetrics, type PlatformMetrics } from './metrics.js';
import { RecipientRegistry } from './recipients.js';
import { retryPolicy, type RetryOptions } from './retry.js';
import { TokenManager, type TokenManagerOptions } from './tokens.js';

export interface PlatformOptions {
  appId?: string;
  appSecret?: string;
  /** `feishu`, `lark` or a base URL (an emulator). Default: FEISHU_DOMAIN from the config. */
  domain?: string;
  /** Where credentials, domain and REDIS_URL come from when not given here (default: loadConfig()). */
  config?: HubConfig;
  appType?: 'self_built' | 'store';
  /** Keeps the store app's app_ticket (in memory by default). */
  kv?: KeyValueStore;
  /** Share rate limits between replicas: an ioredis client or a redis:// URL (default: REDIS_URL). */
  redis?: Redis | string;
  /** Per-attempt timeout (default 10 s). */
  timeoutMs?: number;
  /** Retry policy, or false to never retry. */
  retry?: RetryOptions | false;
  /** Client-side rate limits (on by default), or false to switch them off. */
  limits?: false | { scale?: number; tiers?: Record<string, Limit>; keyPrefix?: string };
  /** Token cache tuning. */
  tokens?: Pick<TokenManagerOptions, 'refreshAheadMs' | 'expiryMarginMs' | 'ticketWaitMs' | 'now'>;
  logger?: Logger;
  /** Metrics registry (default: a new one per platform). */
  registry?: Registry;
}

export interface Platform {
  appId: string;
  /** Base URL of the API, e.g. https://open.feishu.cn or http://127.0.0.1:9000. */
  domain: string;
  /** The official SDK client, wired to our http instance and tokens: every method gets retries, limits and errors. */
  sdk: lark.Client;
  /** The SDK-compatible http instance (for other SDK objects). */
  http: lark.HttpInstance;
  /** A raw call through the same pipeline; answers the body. */
  request<T = any>(req: CallRequest): Promise<T>;
  tokens: TokenManager;
  metrics: PlatformMetrics;
  /** Knows which chat a message is in (for per-chat limits on replies). */
  recipients: RecipientRegistry;
  limiter?: PlatformLimiter;
  close(): Promise<void>;
}

/**
 * Resolves FEISHU_DOMAIN-style values to a base URL without a trailing slash.
 *
 * @example
 * resolveDomain('lark') // 'https://open.larksuite.com'
 */
export function resolveDomain(domain: string): string {
  if (domain === 'feishu') return 'https://open.feishu.cn';
  if (domain === 'lark') return 'https://open.larksuite.com';
  return domain.replace(/\/+$/, '');
}

/**
 * The platform client: the official SDK with our http instance, token manager, limits, retries and metrics.
 *
 * @example
 * const platform = createPlatform({ appId, appSecret, domain: 'http://127.0.0.1:9000' });
 * const chats = await platform.sdk.im.v1.chat.list({});
 */
export function createPlatform(options: PlatformOptions = {}): Platform {
  const config = options.appId ? options.config : options.config ?? loadConfig();
  const appId = options.appId ?? config?.app.appId;
  const appSecret = options.appSecret ?? config?.app.appSecret;
  if (!appId || !appSecret) {
    throw new Error(
      'No Feishu app credentials: set FEISHU_APP_ID and FEISHU_APP_SECRET (env or feishu-hub.yaml), ' +
        'or point at a local emulator (feishu-hub emulator) with its documented dev credentials.',
    );
  }
  const domain = resolveDomain(options.domain ?? config?.domain ?? 'feishu');
  const timeoutMs = options.timeoutMs ?? 10_000;
  const metrics = createPlatformMetrics(options.registry);
  const recipients = new RecipientRegistry();

  const redisOption = options.redis ?? config?.redisUrl;
  const ownRedis = typeof redisOption === 'string' ? new Redis(redisOption, { maxRetriesPerRequest: 2 }) : undefined;
  if (ownRedis) {
    let lastLog = 0; // ioredis reports every reconnect attempt; one line a minute is enough
    ownRedis.on('error', (err: Error) => {
      if (Date.now() - lastLog < 60_000) return;
      lastLog = Date.now();
      options.logger?.warn({ err: err.message }, 'redis unavailable: rate limits fall back to this process');
    });
  }
  const redis = ownRedis ?? (redisOption as Redis | undefined);
  const limiter =
    options.limits === false
      ? undefined
      : new PlatformLimiter({ redis, scale: options.limits?.scale, keyPrefix: options.limits?.keyPrefix, holdMs: timeoutMs });

  const base = { appId, domain, timeoutMs, retry: retryPolicy(options.retry), metrics, recipients, limiter, tiers: options.limits ? options.limits.tiers : undefined, logger: options.logger };
  // Token requests go through the same pipeline (limits, retries, errors), without a bearer token.
  const authCaller = new Caller(base);
  const tokens = new TokenManager(
    (path, data) => authCaller.call({ method: 'POST', url: path, data }) as Promise<Record<string, unknown>>,
    {
      appId,
      appSecret,
      appType: options.appType,
      kv: options.kv,
      metrics,
      ...options.tokens,
      onBackgroundError: (err) => options.logger?.warn({ err }, 'background token refresh failed; using the cached token'),
    },
  );
  const caller = new Caller({ ...base, tokens });
  const http = createHttpInstance(caller);
  const sdk = new lark.Client({
    appId,
    appSecret,
    domain,
    httpInstance: http,
    // Our http instance adds the token (ours: single flight, refresh ahead, invalidation).
    disableTokenCache: true,
    cache: new lark.DefaultCache(),
    loggerLevel: lark.LoggerLevel.warn,
    logger: sdkLogger(options.logger),
  });

  return {
    appId,
    domain,
    sdk,
    http,
    request: <T>(req: CallRequest) => caller.call(req) as Promise<T>,
    tokens,
    metrics,
    recipients,
    limiter,
    async close() {
      if (ownRedis) await ownRedis.quit().catch(() => undefined);
    },
  };
}

/**
 * A client for Feishu URLs that take no app token (custom-bot webhooks): the same timeouts,
 * retries and FeishuApiError, no token and no app limits.
 *
 * @example
 * const client = createTokenlessClient(); await client.request({ method: 'POST', url: hookUrl, data: body });
 */
export function createTokenlessClient(o: { timeoutMs?: number; retry?: RetryOptions | false; logger?: Logger; registry?: Registry } = {}) {
  const metrics = createPlatformMetrics(o.registry);
  const caller = new Caller({ appId: 'tokenless', domain: '', timeoutMs: o.timeoutMs ?? 10_000, retry: retryPolicy(o.retry), metrics, recipients: new RecipientRegistry(), logger: o.logger });
  return { metrics, request: <T = unknown>(req: CallRequest) => caller.call(req) as Promise<T> };
}

/**
 * Per-call options for SDK methods: the tenant (store apps) and/or "safe to repeat".
 *
 * @example
 * await platform.sdk.im.v1.chat.get({ path: { chat_id } }, requestOptions({ tenantKey: 'tk_1' }));
 */
export function requestOptions(o: { tenantKey?: string; idempotent?: boolean }): { headers: Record<string, string> } {
  const headers: Record<string, string> = {};
  if (o.tenantKey) headers[TENANT_HEADER] = o.tenantKey;
  if (o.idempotent) headers[IDEMPOTENT_HEADER] = '1';
  return { headers };
}

/** The SDK logs every failure at error level with request details; we report failures ourselves. */
function sdkLogger(logger?: Logger) {
  const text = (args: unknown[]) =>
    args
      .flat()
      .map((a) => (a instanceof Error ? a.message : typeof a === 'string' ? a : ''))
      .filter(Boolean)
      .join(' ');
  const toDebug = (...args: unknown[]) => logger?.debug({ source: 'lark-sdk' }, text(args));
  const noop = () => undefined;
  return { error: toDebug, warn: toDebug, info: noop, debug: noop, trace: noop };
}
