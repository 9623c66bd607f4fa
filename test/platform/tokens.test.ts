import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../../src/emulator/index.js';
import { FeishuApiError, requestOptions, type Platform } from '../../src/platform/index.js';
import { calls, emulatorWithPlatform, platformFor, TOKEN_PATH } from '../helpers/platform.js';
import { useEmulator } from '../helpers/emulator.js';

const env = useEmulator();

const listChats = (p: Platform) => p.sdk.im.v1.chat.list({ params: { page_size: 1 } });

describe('tenant tokens', () => {
  it('20 concurrent cold calls make one token request', async () => {
    const platform = platformFor(env.emu);
    const results = await Promise.all(Array.from({ length: 20 }, () => listChats(platform)));
    expect(results.every((r) => r.code === 0)).toBe(true);
    expect(calls(env.emu, 'POST', TOKEN_PATH)).toHaveLength(1);
    expect(platform.metrics.tokenCacheStats().fetches).toBe(1);
  });

  it('over 10,000 calls with a token invalidated mid-run: all succeed, 2 token requests, hit rate ≥ 99.9 %', async () => {
    await env.ctl.rateLimits({ enabled: false });
    const platform = platformFor(env.emu, { limits: false });
    let done = 0;
    let invalidated = false;
    const worker = async () => {
      while (done < 10_000) {
        done++;
        if (done === 5_000 && !invalidated) {
          invalidated = true;
          const r = await env.ctl.call('POST', '/__emulator/tokens/invalidate', {});
          expect(r.body.invalidated).toBeGreaterThan(0);
        }
        const res = await listChats(platform);
        expect(res.code).toBe(0);
      }
    };
    await Promise.all(Array.from({ length: 25 }, worker));
    const refused = calls(env.emu).filter((c) => c.code === 99991663);
    expect(refused.length).toBeGreaterThan(0); // the invalidation really hit calls in flight
    expect(calls(env.emu, 'POST', TOKEN_PATH)).toHaveLength(2);
    expect(platform.metrics.tokenCacheHitRate()).toBeGreaterThanOrEqual(0.999);
    const stats = platform.metrics.tokenCacheStats();
    expect(stats.misses).toBe(2);
    expect(stats.hits / (stats.hits + stats.coalesced + stats.misses)).toBeGreaterThanOrEqual(0.99);
    const text = await platform.metrics.registry.metrics();
    expect(text).toMatch(/feishu_hub_token_cache_lookups_total\{result="hit"\} \d{4,}/);
    expect(text).toMatch(/feishu_hub_api_retries_total\{api="GET \/open-apis\/im\/v1\/chats",reason="token"\}/);
    await env.ctl.rateLimits({ enabled: true });
  }, 120_000);

  it('refreshes ahead of expiry without making callers wait, and never uses a token past its margin', async () => {
    let now = Date.now();
    const platform = platformFor(env.emu, { tokens: { now: () => now } });
    await listChats(platform);
    const first = await platform.tokens.tenantToken();
    now += 2 * 3600_000 - 5 * 60_000; // 5 min left: inside the refresh-ahead window
    await env.ctl.advance(2 * 3600_000 - 5 * 60_000);
    expect(await platform.tokens.tenantToken()).toBe(first); // answered from the cache at once…
    await new Promise((r) => setTimeout(r, 50));
    const second = await platform.tokens.tenantToken(); // …while a fresh one was fetched behind it
    expect(second).not.toBe(first);
    expect(calls(env.emu, 'POST', TOKEN_PATH)).toHaveLength(2);
    expect((await listChats(platform)).code).toBe(0);
  });

  it('a wrong secret fails with 10015, explained, and the secret appears nowhere in the error', async () => {
    const platform = platformFor(env.emu, { appSecret: 'wrong-secret-value-123' });
    const err = await listChats(platform).catch((e) => e);
    expect(err).toBeInstanceOf(FeishuApiError);
    expect(err.code).toBe(10015);
    expect(err.explain().action).toMatch(/FEISHU_APP_SECRET/);
    expect(err.retryable).toBe(false);
    const dump = JSON.stringify({ message: err.message, stack: err.stack, json: err });
    expect(dump).not.toContain('wrong-secret-value-123');
    expect(calls(env.emu, 'POST', TOKEN_PATH)).toHaveLength(1); // not retried: it cannot get better
  });
});

describe('store app tenant tokens (app_ticket)', () => {
  const storeApp = { appId: 'cli_0123456789abcdef', appSecret: 'store-secret-xyz' };
  let store: EmulatorHandle;
  beforeAll(async () => {
    ({ emu: store } = await emulatorWithPlatform({ extraApps: [{ ...storeApp, type: 'store', tenantKeys: ['tenant_a', 'tenant_b'] }] }));
  });
  afterAll(() => store.close());

  it('asks for an app_ticket, then keeps one tenant token per tenant key', async () => {
    // The events receiver stores pushed tickets; here the store reads the ticket the emulator pushed.
    const kv = { get: async () => store.state.appTickets.get(storeApp.appId), set: async () => {} };
    const platform = platformFor(store, { ...storeApp, appType: 'store', kv });
    const a = await platform.tokens.tenantToken('tenant_a');
    const b = await platform.tokens.tenantToken('tenant_b');
    expect(a).toMatch(/^t-/);
    expect(b).not.toBe(a);
    expect(await platform.tokens.tenantToken('tenant_a')).toBe(a);
    expect(calls(store, 'POST', '/open-apis/auth/v3/app_ticket/resend')).toHaveLength(1);
    expect(calls(store, 'POST', '/open-apis/auth/v3/app_access_token')).toHaveLength(1);
    expect(calls(store, 'POST', '/open-apis/auth/v3/tenant_access_token')).toHaveLength(2);
    const res = await platform.sdk.im.v1.chat.list({ params: { page_size: 1 } }, requestOptions({ tenantKey: 'tenant_b' }));
    expect(res.code).toBe(0);
    await expect(platform.tokens.tenantToken()).rejects.toThrow(/tenant key/);
  });
});
