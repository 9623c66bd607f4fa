import { FeishuApiError, LOCAL_CODES } from './errors.js';
import { MemoryKeyValueStore, type KeyValueStore } from './kv.js';
import type { PlatformMetrics } from './metrics.js';

/** Posts to an auth/v3 endpoint (no bearer token) and returns the body; throws FeishuApiError on failure. */
export type TokenEndpoint = (path: string, body: Record<string, unknown>) => Promise<Record<string, unknown>>;

export interface TokenManagerOptions {
  appId: string;
  appSecret: string;
  /** `store` apps get tenant tokens per tenant_key through the app_ticket; default `self_built`. */
  appType?: 'self_built' | 'store';
  /** Where the store app's app_ticket is kept (the events receiver writes it with setAppTicket). */
  kv?: KeyValueStore;
  metrics?: PlatformMetrics;
  /** Refresh in the background when less than this remains (default 10 min). */
  refreshAheadMs?: number;
  /** Never use a token with less than this left (default 3 min, as the SDK). */
  expiryMarginMs?: number;
  /** Store apps: how long to wait for an app_ticket after asking Feishu to resend it (default 10 s). */
  ticketWaitMs?: number;
  now?: () => number;
  /** Called when a background refresh fails (the cached token is still used). */
  onBackgroundError?: (err: unknown) => void;
}

interface Cached {
  token: string;
  expiresAt: number;
}

const AUTH = '/open-apis/auth/v3';

/**
 * Tenant (and store-app app) access tokens: cached, refreshed ahead of expiry in the background,
 * fetched once for any number of concurrent callers, and dropped when Feishu refuses them.
 *
 * @example
 * const tokens = new TokenManager(post, { appId, appSecret }); const t = await tokens.tenantToken();
 */
export class TokenManager {
  private readonly cache = new Map<string, Cached>();
  private readonly inflight = new Map<string, Promise<Cached>>();
  private readonly kv: KeyValueStore;
  private readonly now: () => number;
  readonly appType: 'self_built' | 'store';

  constructor(private readonly post: TokenEndpoint, private readonly options: TokenManagerOptions) {
    this.kv = options.kv ?? new MemoryKeyValueStore();
    this.now = options.now ?? Date.now;
    this.appType = options.appType ?? 'self_built';
  }

  /** The tenant token (per tenant key for store apps). */
  async tenantToken(tenantKey?: string): Promise<string> {
    if (this.appType === 'store' && !tenantKey) {
      throw new Error('store apps need a tenant key per call: pass withTenant(tenantKey) (or messenger.forTenant)');
    }
    const key = `tenant:${this.appType === 'store' ? tenantKey : ''}`;
    return this.get(key, () => this.fetchTenant(tenantKey));
  }

  /** Forgets a token Feishu refused, so the next call fetches a fresh one (a no-op if already replaced). */
  invalidate(token: string): void {
    for (const [k, v] of this.cache) if (v.token === token) this.cache.delete(k);
  }

  /** Stores the app_ticket pushed to a store app (call it from the `app_ticket` event handler). */
  async setAppTicket(ticket: string): Promise<void> {
    await this.kv.set(this.ticketKey, ticket);
  }

  private get ticketKey(): string {
    return `feishu:app_ticket:${this.options.appId}`;
  }

  private async get(key: string, fetch: () => Promise<Cached>): Promise<string> {
    const now = this.now();
    const hit = this.cache.get(key);
    if (hit && hit.expiresAt - now > (this.options.expiryMarginMs ?? 3 * 60_000)) {
      this.options.metrics?.tokenLookup('hit');
      if (hit.expiresAt - now < (this.options.refreshAheadMs ?? 10 * 60_000)) {
        this.singleFlight(key, fetch).catch((err) => this.options.onBackgroundError?.(err));
      }
      return hit.token;
    }
    this.options.metrics?.tokenLookup(this.inflight.has(key) ? 'coalesced' : 'miss');
    return (await this.singleFlight(key, fetch)).token;
  }

  private singleFlight(key: string, fetch: () => Promise<Cached>): Promise<Cached> {
    let p = this.inflight.get(key);
    if (!p) {
      p = fetch()
        .then((c) => {
          this.cache.set(key, c);
          return c;
        })
        .finally(() => this.inflight.delete(key));
      this.inflight.set(key, p);
    }
    return p;
  }

  /** One token request, counted as sent and, when it throws, as failed. */
  private async counted(kind: 'tenant' | 'app', fetch: () => Promise<Cached>): Promise<Cached> {
    this.options.metrics?.tokenFetch(kind);
    try {
      return await fetch();
    } catch (err) {
      this.options.metrics?.tokenFetchFailed(kind);
      throw err;
    }
  }

  private async fetchTenant(tenantKey?: string): Promise<Cached> {
    const { appId, appSecret } = this.options;
    if (this.appType === 'self_built') {
      return this.counted('tenant', async () => this.parse(await this.post(`${AUTH}/tenant_access_token/internal`, { app_id: appId, app_secret: appSecret }), 'tenant_access_token'));
    }
    for (let attempt = 0; ; attempt++) {
      const appToken = await this.appToken();
      try {
        return await this.counted('tenant', async () => this.parse(await this.post(`${AUTH}/tenant_access_token`, { app_access_token: appToken, tenant_key: tenantKey }), 'tenant_access_token'));
      } catch (err) {
        if (attempt > 0 || !(err instanceof FeishuApiError) || !err.tokenInvalid) throw err;
        this.invalidate(appToken); // the app token was refused: fetch a new one, once
      }
    }
  }

  private appToken(): Promise<string> {
    return this.get('app', async () => {
      const { appId, appSecret } = this.options;
      for (let attempt = 0; ; attempt++) {
        const ticket = await this.appTicket(attempt > 0);
        try {
          return await this.counted('app', async () => this.parse(await this.post(`${AUTH}/app_access_token`, { app_id: appId, app_secret: appSecret, app_ticket: ticket }), 'app_access_token'));
        } catch (err) {
          // 10012: the ticket is stale. Ask for a new one and try once more.
          if (attempt > 0 || !(err instanceof FeishuApiError) || err.code !== 10012) throw err;
        }
      }
    });
  }

  /** The stored app_ticket; when missing (or `fresh` is asked), asks Feishu to push one and waits for it. */
  private async appTicket(fresh: boolean): Promise<string> {
    const old = await this.kv.get(this.ticketKey);
    if (old && !fresh) return old;
    await this.post(`${AUTH}/app_ticket/resend`, { app_id: this.options.appId, app_secret: this.options.appSecret });
    const deadline = Date.now() + (this.options.ticketWaitMs ?? 10_000);
    for (;;) {
      const t = await this.kv.get(this.ticketKey);
      if (t && t !== old) return t;
      if (Date.now() >= deadline) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new FeishuApiError({
      code: 10012,
      msg: 'no app_ticket received yet: the app_ticket event must reach the events receiver, which stores it (tokens.setAppTicket)',
      httpStatus: 0,
      method: 'POST',
      path: `${AUTH}/app_access_token`,
    });
  }

  private parse(body: Record<string, unknown>, field: 'tenant_access_token' | 'app_access_token'): Cached {
    const token = body[field];
    const expire = Number(body.expire);
    if (typeof token !== 'string' || !token) {
      // Never echo the body: a misbehaving proxy could reflect the request (and its secret).
      throw new FeishuApiError({ code: LOCAL_CODES.http, msg: `token answer without ${field}`, httpStatus: 200, method: 'POST', path: AUTH });
    }
    return { token, expiresAt: this.now() + (Number.isFinite(expire) && expire > 0 ? expire : 7200) * 1000 };
  }
}
