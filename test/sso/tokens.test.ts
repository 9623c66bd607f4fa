import { afterAll, describe, expect, it } from 'vitest';
import { FeishuApiError } from '../../src/platform/index.js';
import { checkReturnTo, ReauthRequiredError, ReturnToError, TokenCipher, UserTokens } from '../../src/sso/index.js';
import { ssoMigrations, type SsoDb } from '../../src/sso/tables.js';
import { openDatabase, type Store } from '../../src/store/index.js';
import { PG_URL, testBackends } from '../helpers/stores.js';
import { SECRET } from './helpers.js';
import type { FeishuOAuth, TokenSet } from '../../src/sso/oauth.js';

const backends = await testBackends();
const cipher = new TokenCipher(SECRET);

/** A stand-in for Feishu's token endpoint: single-use refresh tokens, slow enough to overlap. */
function fakeFeishu(delayMs = 50) {
  let n = 0;
  const spent = new Set<string>();
  const oauth = {
    calls: 0,
    async refresh(token: string): Promise<TokenSet> {
      oauth.calls++;
      await new Promise((r) => setTimeout(r, delayMs));
      if (spent.has(token)) throw new FeishuApiError({ code: 20073, msg: 'refresh token already used', httpStatus: 400, method: 'POST', path: '/open-apis/authen/v2/oauth/token' });
      spent.add(token);
      n++;
      return { accessToken: `u-new-${n}`, refreshToken: `ur-new-${n}`, accessExpiresAt: Date.now() + 7200_000, refreshExpiresAt: Date.now() + 7 * 86_400_000 };
    },
  };
  return oauth;
}

describe.each(backends)('sso: the cross-process refresh lock ($backend.name)', ({ backend, skip }) => {
  let store: Store;
  afterAll(() => backend.cleanup());
  const tokensOf = (oauth: ReturnType<typeof fakeFeishu>, lockMs?: number) => new UserTokens(() => store.db as unknown as SsoDb, cipher, () => oauth as unknown as FeishuOAuth, { refreshAheadMs: 60_000, lockMs, waitMs: 5000 });

  it.skipIf(skip)('"processes" refreshing at once spend the refresh token once and all get the new token', async () => {
    const opened = await backend.open();
    store = await openDatabase(opened.dialect === 'sqlite' ? `sqlite:${opened.file}` : PG_URL, { schema: opened.schema, migrations: Object.fromEntries(Object.entries(ssoMigrations).map(([k, m]) => [`sso/${k}`, m])) });
    const feishu = fakeFeishu();
    const one = tokensOf(feishu);
    await one.save('u_1', { accessToken: 'u-old', refreshToken: 'ur-old', accessExpiresAt: Date.now() + 10_000 });
    const replicas = [one, tokensOf(feishu), tokensOf(feishu), tokensOf(feishu)];
    const got = await Promise.all(replicas.flatMap((r) => [r.accessToken('u_1'), r.accessToken('u_1')]));
    expect(feishu.calls).toBe(1);
    expect(new Set(got)).toEqual(new Set(['u-new-1']));
    expect((await one.peek('u_1'))!.version).toBe(2);
  });

  it.skipIf(skip)('a lock left by a process that died is taken over once it is stale', async () => {
    const feishu = fakeFeishu(5);
    const t = tokensOf(feishu, 200);
    await t.save('u_2', { accessToken: 'u-a', refreshToken: 'ur-a', accessExpiresAt: Date.now() - 1 });
    await (store.db as unknown as SsoDb).updateTable('sso_user_tokens').set({ lock_owner: 'dead:1', lock_until: Date.now() + 300 }).where('user_id', '=', 'u_2').execute();
    expect(await t.accessToken('u_2')).toBe('u-new-1');
    expect(feishu.calls).toBe(1);
  });

  it.skipIf(skip)('a refresh token Feishu refuses: the person must log in again, and the row is gone', async () => {
    const feishu = fakeFeishu(1);
    const t = tokensOf(feishu);
    await t.save('u_3', { accessToken: 'u-b', refreshToken: 'ur-b', accessExpiresAt: Date.now() - 1 });
    await feishu.refresh('ur-b'); // spent elsewhere
    await expect(t.accessToken('u_3')).rejects.toBeInstanceOf(ReauthRequiredError);
    expect(await t.peek('u_3')).toBeUndefined();
    await store.close();
  });
});

describe('sso: return_to and token sealing', () => {
  const o = { hubOrigin: 'https://hub.example.com', hosts: ['grafana.example.com'], fallback: '/me' };
  it('keeps paths and allowed hosts, refuses everything that leaves', () => {
    expect(checkReturnTo(undefined, o)).toBe('/me');
    expect(checkReturnTo('/oidc/interaction/abc?x=1#y', o)).toBe('/oidc/interaction/abc?x=1#y');
    expect(checkReturnTo('https://hub.example.com/me', o)).toBe('/me');
    expect(checkReturnTo('https://grafana.example.com/d/1', o)).toBe('https://grafana.example.com/d/1');
    for (const bad of ['//evil.example', '/\\evil.example', 'https://evil.example', 'javascript:alert(1)', 'https://user:pw@grafana.example.com/', 'http://grafana.example.com/', '/%0d%0aSet-Cookie', 'https://grafana.example.com.evil.example/']) {
      expect(() => checkReturnTo(bad === '/%0d%0aSet-Cookie' ? decodeURIComponent(bad) : bad, o), bad).toThrow(ReturnToError);
    }
  });
  it('seals with a fresh IV each time, opens only with the same secret and row', () => {
    const a = cipher.seal('u-secret', 'u_1');
    expect(a).not.toBe(cipher.seal('u-secret', 'u_1'));
    expect(cipher.open(a, 'u_1')).toBe('u-secret');
    expect(() => cipher.open(a, 'u_2')).toThrow();
    expect(() => new TokenCipher(`${SECRET}x`).open(a, 'u_1')).toThrow();
  });
});
