import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../../src/emulator/index.js';
import { apiKey, type Platform } from '../../src/platform/index.js';
import { calls, emulatorWithPlatform, platformFor } from '../helpers/platform.js';

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';

/** Is Redis reachable? In CI it must be; elsewhere its tests are skipped with a message. */
async function redisAvailable(): Promise<boolean> {
  const probe = new Redis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 0, connectTimeout: 500, retryStrategy: () => null });
  try {
    await probe.connect();
    return (await probe.ping()) === 'PONG';
  } catch {
    return false;
  } finally {
    probe.disconnect();
  }
}
const redisUp = await redisAvailable();
if (!redisUp) {
  if (process.env.CI === 'true') throw new Error(`Redis is required in CI for the shared-limit tests (${REDIS_URL} is not reachable)`);
  console.warn(`[limits.test] Redis not reachable at ${REDIS_URL}: skipping the shared (RateLimiterRedis) tests`);
}

let emu: EmulatorHandle;
let ctl: Awaited<ReturnType<typeof emulatorWithPlatform>>['ctl'];
const SCALE = 0.1; // tier 4 becomes 5/s and 100/min on both sides: the test stays short
const CHATS = '/open-apis/im/v1/chats';

beforeAll(async () => {
  ({ emu, ctl } = await emulatorWithPlatform({ rateLimits: { enabled: true, scale: SCALE } }));
});
afterAll(() => emu.close());
beforeEach(async () => {
  await ctl.reset();
  await ctl.rateLimits({ enabled: true, scale: SCALE });
});

const burst = (platforms: Platform[], n: number) =>
  Promise.all(Array.from({ length: n }, (_, i) => platforms[i % platforms.length].sdk.im.v1.chat.list({ params: { page_size: 1 } })));
const refused = () => calls(emu, 'GET', CHATS).filter((c) => c.status === 429);

describe('client-side limits mirror the platform (per app, per API tier)', () => {
  it('without them a burst is refused; with them the same burst waits its turn: 0 × 429', async () => {
    const naive = platformFor(emu, { limits: false, retry: false });
    const outcomes = await Promise.allSettled(Array.from({ length: 12 }, () => naive.sdk.im.v1.chat.list({})));
    expect(outcomes.filter((o) => o.status === 'rejected').length).toBeGreaterThan(0);
    expect(refused().length).toBeGreaterThan(0);

    await ctl.reset();
    const platform = platformFor(emu, { limits: { scale: SCALE } });
    const results = await burst([platform], 12);
    expect(results.every((r) => r.code === 0)).toBe(true);
    expect(refused()).toHaveLength(0);
  });

  it('a Redis that is down does not fail calls: each process falls back to its own limits', async () => {
    const down = new Redis({ host: '127.0.0.1', port: 9, lazyConnect: true, enableOfflineQueue: false, retryStrategy: () => null });
    down.on('error', () => {});
    const platform = platformFor(emu, { redis: down, limits: { scale: SCALE } });
    const results = await burst([platform], 8);
    expect(results.every((r) => r.code === 0)).toBe(true);
    expect(refused()).toHaveLength(0);
    down.disconnect();
  });

  it('names APIs with ids replaced, so one limit covers every chat', () => {
    expect(apiKey('get', '/open-apis/im/v1/chats/oc_abc123/members')).toBe('GET /open-apis/im/v1/chats/:id/members');
    expect(apiKey('POST', '/open-apis/im/v1/messages/om_1/reply')).toBe('POST /open-apis/im/v1/messages/:id/reply');
    expect(apiKey('POST', '/open-apis/auth/v3/tenant_access_token/internal')).toBe('POST /open-apis/auth/v3/tenant_access_token/internal');
  });
});

describe.skipIf(!redisUp)('shared limits through Redis (two replicas)', () => {
  const clients: Redis[] = [];
  afterAll(() => clients.forEach((c) => c.disconnect()));

  it('two processes with in-memory limits each take the whole budget and collide', async () => {
    const replicas = [platformFor(emu, { limits: { scale: SCALE } }), platformFor(emu, { limits: { scale: SCALE } })];
    await burst(replicas, 12); // retried after 429s, so they still succeed
    expect(refused().length).toBeGreaterThan(0);
  });

  it('with RateLimiterRedis they share one budget: 0 × 429', async () => {
    const keyPrefix = `feishu-hub-test:${randomBytes(4).toString('hex')}`;
    const replicas = [0, 1].map(() => {
      const redis = new Redis(REDIS_URL);
      clients.push(redis);
      return platformFor(emu, { redis, limits: { scale: SCALE, keyPrefix } });
    });
    const results = await burst(replicas, 12);
    expect(results.every((r) => r.code === 0)).toBe(true);
    expect(refused()).toHaveLength(0);
  });
});
