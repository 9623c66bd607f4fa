import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestHub } from '../../src/testing/index.js';
import { Jar, loginAs, ssoTestHub } from './helpers.js';

const TOKEN_PATH = '/open-apis/authen/v2/oauth/token';

async function emulatorCalls(emulatorUrl: string, since = 0): Promise<{ id: number; path: string; status: number }[]> {
  const state = (await (await fetch(`${emulatorUrl}/__emulator/state?calls_since=${since}`)).json()) as { calls: { id: number; path: string; status: number }[] };
  return state.calls;
}

const lastCall = async (url: string) => (await emulatorCalls(url)).at(-1)?.id ?? 0;

/** What the emulator's v2 endpoint says to a refresh token. */
async function tryRefresh(emulatorUrl: string, app: { appId: string; appSecret: string }, refreshToken: string) {
  const res = await fetch(`${emulatorUrl}${TOKEN_PATH}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ grant_type: 'refresh_token', client_id: app.appId, client_secret: app.appSecret, refresh_token: refreshToken }) });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

describe('sso: user tokens', () => {
  let t: TestHub & { service: Awaited<ReturnType<typeof ssoTestHub>>['service'] };
  let hub: string;
  beforeAll(async () => {
    t = await ssoTestHub({
      setup: (h) =>
        h.command('/myemail', async (ctx) => {
          const info = await ctx.asUser(ctx.sender.openId!).sdk((c, opts) => c.authen.v1.userInfo.get({}, opts));
          await ctx.reply.text(`your Feishu email: ${info.data?.email}`);
        }),
    });
    hub = t.hub.url!;
  });
  afterAll(() => t?.close());

  it('an expired user token is refreshed exactly once (ten calls at once), and the old refresh token no longer works', async () => {
    const jar = new Jar();
    await loginAs(jar, hub, t.users.alice.open_id);
    const user = (await t.hub.sso.user(t.users.alice.open_id))!;
    const before = (await t.service.tokens.peek(user.id))!;
    expect(before.refreshToken).toMatch(/./);
    expect((await jar.fetch(`${hub}/me/feishu`)).status).toBe(200);
    const mark = await lastCall(t.emulator.url);
    const expired = await fetch(`${t.emulator.url}/__emulator/authen/expire`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ open_id: t.users.alice.open_id }) });
    expect(expired.ok).toBe(true);
    const answers = await Promise.all(Array.from({ length: 10 }, () => jar.fetch(`${hub}/me/feishu`)));
    expect(answers.map((r) => r.status)).toEqual(Array(10).fill(200));
    const bodies = (await Promise.all(answers.map((r) => r.json()))) as { user_info: { open_id: string } }[];
    expect(new Set(bodies.map((b) => b.user_info.open_id))).toEqual(new Set([t.users.alice.open_id]));
    const tokenCalls = (await emulatorCalls(t.emulator.url, mark)).filter((c) => c.path === TOKEN_PATH);
    expect(tokenCalls).toHaveLength(1);
    const after = (await t.service.tokens.peek(user.id))!;
    expect(after.version).toBe(before.version + 1);
    expect(after.accessToken).not.toBe(before.accessToken);
    const reuse = await tryRefresh(t.emulator.url, t.emulator.app, before.refreshToken!);
    expect(reuse.status).toBeGreaterThanOrEqual(400);
    expect(reuse.body.code).toBe(20073);
    // The new one is good.
    expect((await jar.fetch(`${hub}/me`)).status).toBe(200);
  });

  it('a token about to expire is refreshed ahead, before Feishu refuses it', async () => {
    const jar = new Jar();
    await loginAs(jar, hub, t.users.bob.open_id);
    const user = (await t.hub.sso.user(t.users.bob.open_id))!;
    await t.service.db().updateTable('sso_user_tokens').set({ access_expires_at: Date.now() + 60_000 }).where('user_id', '=', user.id).execute();
    const mark = await lastCall(t.emulator.url);
    expect((await jar.fetch(`${hub}/me/feishu`)).status).toBe(200);
    const calls = await emulatorCalls(t.emulator.url, mark);
    expect(calls.map((c) => c.path)).toEqual([TOKEN_PATH, '/open-apis/authen/v1/user_info']);
    expect(calls.every((c) => c.status === 200)).toBe(true);
    expect((await t.service.tokens.peek(user.id))!.accessExpiresAt).toBeGreaterThan(Date.now() + 3600_000);
  });

  it('hub.sso.asUser(user) calls any user-token API (contact) with the person\'s token', async () => {
    await loginAs(new Jar(), hub, t.users.carol.open_id);
    const carol = (await t.hub.sso.user('carol@example.com'))!;
    const me = await t.hub.sso.asUser(carol).request<{ data: { user: { name: string } } }>({ method: 'GET', url: `/open-apis/contact/v3/users/${carol.open_id}`, params: { user_id_type: 'open_id' } });
    expect(me.data.user.name).toBe('王卡罗');
    const info = await t.hub.sso.asUser(carol.id).sdk((c, opts) => c.authen.v1.userInfo.get({}, opts));
    expect(info.data?.email).toBe('carol@example.com');
    const calls = (await emulatorCalls(t.emulator.url)).slice(-2);
    expect(calls.every((c) => c.status === 200)).toBe(true);
  });

  it('a listener calls Feishu as the person who wrote (ctx.asUser with their open_id)', async () => {
    await loginAs(new Jar(), hub, t.users.bob.open_id);
    const [answer] = await t.say('/myemail', { as: 'bob' });
    expect(answer.text).toBe('your Feishu email: bob@example.com');
    await expect(t.hub.sso.asUser('ou_never_logged_in').token()).rejects.toThrow(/has never logged in/);
  });

  it('a refresh token Feishu refuses logs the person out of Feishu calls (401 with a login link), not with a 500', async () => {
    const jar = new Jar();
    await loginAs(jar, hub, t.users.dave.open_id);
    const user = (await t.hub.sso.user(t.users.dave.open_id))!;
    const tokens = (await t.service.tokens.peek(user.id))!;
    await tryRefresh(t.emulator.url, t.emulator.app, tokens.refreshToken!); // spent behind the hub's back
    await fetch(`${t.emulator.url}/__emulator/authen/expire`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ open_id: t.users.dave.open_id }) });
    const res = await jar.fetch(`${hub}/me/feishu`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'reauth_required', login_url: '/login/feishu?return_to=%2Fme' });
    // Logging in again mends it.
    await loginAs(jar, hub, t.users.dave.open_id);
    expect((await jar.fetch(`${hub}/me/feishu`)).status).toBe(200);
  });
});
