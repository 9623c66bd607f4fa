import * as lark from '@larksuiteoapi/node-sdk';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { demoChat, sdkFailure, user } from '../helpers/im.js';
import { authorizeUrl, codeFor, errorCodeOf, open, tokenV2 } from './authen-helpers.js';

/**
 * App scopes: each app's granted list (default: every scope, nothing checked), the gateway's
 * 99991672 / 99991679 answers with `permission_violations`, the control API, and that every
 * platform route the emulator serves has its scopes declared by its product.
 */
const env = useEmulator();
const scopesUrl = () => `/__emulator/apps/${env.emu.app.appId}/scopes`;
const grant = (granted: string[] | 'all') => env.ctl.call('PUT', scopesUrl(), { granted });
const text = (t: string) => JSON.stringify({ text: t });
const send = (client = env.client) =>
  client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: demoChat(env.emu).chat_id, msg_type: 'text', content: text('hi') } });
const createBase = () => env.client.bitable.app.create({ data: { name: 'Scoped' } });

/** A user access token for `who`, with what they granted on the consent page. */
async function userToken(who: string, scope?: string): Promise<string> {
  const { code } = await codeFor(env.emu, who, scope ? { scope } : {});
  const t = await tokenV2(env.emu, { grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1:8765/callback/feishu' });
  expect(t.json.access_token, JSON.stringify(t.json)).toMatch(/^u-/);
  return t.json.access_token as string;
}

describe('the default: every scope', () => {
  it('grants an app everything, so every API answers as before (tenant and user tokens alike)', async () => {
    expect((await env.ctl.call('GET', scopesUrl())).body).toEqual({ app_id: env.emu.app.appId, granted: 'all', default: true });
    expect((await send()).code).toBe(0);
    expect((await createBase()).code).toBe(0);
    expect((await env.client.contact.user.get({ path: { user_id: 'bob' }, params: { user_id_type: 'user_id' } })).data!.user!.user_id).toBe('bob');
    // A person who granted nothing but their identity still reads the directory: nothing is checked.
    const token = await userToken('alice');
    expect((await env.client.contact.user.get({ path: { user_id: 'bob' }, params: { user_id_type: 'user_id' } }, lark.withUserAccessToken(token))).code).toBe(0);
    expect((await env.ctl.state()).apps.find((a: { app_id: string }) => a.app_id === env.emu.app.appId).scopes).toBe('all');
  });

  it('declares the scopes of every platform route the emulator serves, from the products’ own tables', async () => {
    const catalog = (await env.ctl.call('GET', '/__emulator/scopes')).body;
    expect(catalog.undeclared).toEqual([]);
    // Every /open-apis and /callback route the products register is in some product's table.
    const routes: string[] = [];
    const probe = Fastify();
    probe.addHook('onRoute', (r) => {
      for (const m of [r.method].flat()) if (m !== 'HEAD' && /^\/(open-apis|callback)\//.test(r.url)) routes.push(`${m} ${r.url}`);
    });
    for (const p of env.emu.context.products.products) p.routes?.(probe, env.emu.context);
    await probe.ready();
    await probe.close();
    const declared = new Set(env.emu.context.products.products.flatMap((p) => Object.keys(p.scopes ?? {})));
    expect(routes.length).toBeGreaterThan(80);
    expect(routes.filter((r) => !declared.has(r))).toEqual([]);
    // Grouped by product, each scope with its name and the APIs it opens.
    const im = catalog.products.find((p: { product: string }) => p.product === 'im');
    expect(im.title).toBe('Messenger');
    const sendAsBot = im.scopes.find((s: { scope: string }) => s.scope === 'im:message:send_as_bot');
    expect(sendAsBot.name).toBe('Send messages as the app');
    expect(sendAsBot.apis).toEqual(expect.arrayContaining(['POST /open-apis/im/v1/messages', 'POST /open-apis/interactive/v1/card/update']));
    expect(catalog.products.map((p: { product: string }) => p.product)).toEqual(expect.arrayContaining(['directory', 'im', 'approval', 'bitable']));
  });
});

describe('a narrowed scope list', () => {
  it('refuses an API none of whose scopes is granted with 99991672 and permission_violations, through the official SDK', async () => {
    const put = await grant(['im:message:send_as_bot', 'contact:contact.base:readonly']);
    expect(put.body).toEqual({ app_id: env.emu.app.appId, granted: ['im:message:send_as_bot', 'contact:contact.base:readonly'], default: false });

    // Still granted: sending (any one of im:message, im:message:send_as_bot, im:message:send) and reading a person.
    expect((await send()).code).toBe(0);
    expect((await env.client.contact.user.get({ path: { user_id: 'bob' }, params: { user_id_type: 'user_id' } })).code).toBe(0);

    // Revoked: creating a Base (base:app:create or bitable:app).
    const f = await sdkFailure(createBase());
    expect(f.status).toBe(400);
    expect(f.data.code).toBe(99991672);
    expect(f.data.msg).toMatch(/^Access denied\. One of the following scopes is required: \[base:app:create, bitable:app\]/);
    expect(f.data.error.permission_violations).toEqual([
      expect.objectContaining({ scope: 'base:app:create', subject: 'base:app:create', type: 'action_scope_required', url: expect.stringContaining(`/#/developer/${env.emu.app.appId}?q=base:app:create,bitable:app`) }),
      expect.objectContaining({ scope: 'bitable:app', subject: 'bitable:app', type: 'action_scope_required' }),
    ]);
    expect(f.data.error.helps).toEqual([{ url: f.data.error.permission_violations[0].url, description: 'Learn more about scopes and how to add them: [base:app:create, bitable:app]' }]);
    expect(f.data.error.log_id).toBe(f.headers['x-tt-logid']);
    expect(f.data.error.troubleshooter).toContain('code=99991672');
    expect(f.data.error.message).toContain('how-to-fix-the-99991672-error');

    // Other revoked families: the chat list, an approval definition, a record search.
    expect((await sdkFailure(env.client.im.chat.list({}))).data.error.permission_violations.map((v: { scope: string }) => v.scope)).toEqual([
      'im:chat',
      'im:chat:readonly',
      'im:chat:read',
      'im:chat.group_info:readonly',
    ]);
    expect((await sdkFailure(env.client.approval.approval.get({ path: { approval_code: 'LEAVE' } }))).data.code).toBe(99991672);

    // The call log and the developer console both show the refusal.
    const call = (await env.ctl.state()).calls.findLast((c: { path: string }) => c.path === '/open-apis/bitable/v1/apps');
    expect(call).toMatchObject({ status: 400, code: 99991672 });
    const dev = (await env.ctl.call('GET', '/__emulator/developer')).body;
    // Newest first.
    expect(dev.refusals.map((r: { path: string }) => r.path)).toEqual(['/open-apis/approval/v4/approvals/LEAVE', '/open-apis/im/v1/chats', '/open-apis/bitable/v1/apps']);
    expect(dev.refusals[2]).toMatchObject({ method: 'POST', path: '/open-apis/bitable/v1/apps', code: 99991672, token_type: 'tenant', required: ['base:app:create', 'bitable:app'] });
    expect(dev.apps.find((a: { app_id: string }) => a.app_id === env.emu.app.appId).granted).toEqual(['im:message:send_as_bot', 'contact:contact.base:readonly']);
  });

  it('needs no scope for the APIs whose docs list none, and at once lets through a scope granted back', async () => {
    await grant([]);
    expect((await env.client.request({ method: 'GET', url: '/open-apis/bot/v3/info' })).code).toBe(0);
    expect((await sdkFailure(send())).data.code).toBe(99991672);
    await grant(['im:message:send']);
    expect((await send()).code).toBe(0);
  });

  it('is restored by {"granted":"all"}, by DELETE and by a reset', async () => {
    await grant(['im:message']);
    expect((await sdkFailure(createBase())).data.code).toBe(99991672);
    expect((await grant('all')).body).toEqual({ app_id: env.emu.app.appId, granted: 'all', default: true });
    expect((await createBase()).code).toBe(0);

    await grant(['im:message']);
    expect((await env.ctl.call('DELETE', scopesUrl())).body.default).toBe(true);
    expect((await createBase()).code).toBe(0);

    await grant(['im:message']);
    await env.ctl.reset();
    expect((await env.ctl.call('GET', scopesUrl())).body.granted).toBe('all');
  });

  it('goes with a snapshot and comes back with it', async () => {
    await grant(['bitable:app']);
    const snap = (await env.ctl.call('GET', '/__emulator/snapshot')).body;
    expect(snap.auth.app_scopes).toEqual([[env.emu.app.appId, ['bitable:app']]]);
    await env.ctl.reset();
    expect((await env.ctl.call('PUT', '/__emulator/snapshot', snap)).status).toBe(200);
    expect((await env.ctl.call('GET', scopesUrl())).body.granted).toEqual(['bitable:app']);
  });

  it('refuses malformed bodies and unknown apps', async () => {
    expect((await env.ctl.call('PUT', scopesUrl(), { granted: ['not a scope'] })).status).toBe(400);
    expect((await env.ctl.call('PUT', scopesUrl(), { granted: 'some' })).status).toBe(400);
    expect((await env.ctl.call('PUT', scopesUrl(), { scopes: [] })).status).toBe(400);
    expect((await env.ctl.call('GET', '/__emulator/apps/cli_ffffffffffffffff/scopes')).status).toBe(404);
    expect((await env.ctl.call('PUT', '/__emulator/apps/cli_ffffffffffffffff/scopes', { granted: [] })).status).toBe(404);
  });
});

describe('user access tokens', () => {
  it('carry what the person granted: an API needing a scope they did not grant answers 99991679', async () => {
    await grant(['contact:contact.base:readonly', 'bitable:app', 'im:message']);
    const base = (await createBase()).data!.app!;
    const token = await userToken('carol', 'bitable:app');
    const asCarol = lark.withUserAccessToken(token);

    // Granted by Carol (and the app): her Base read works.
    expect((await env.client.bitable.app.get({ path: { app_token: base.app_token! } }, asCarol)).code).toBe(0);

    // The app has contact:contact.base:readonly, Carol did not grant it.
    const f = await sdkFailure(env.client.contact.user.get({ path: { user_id: 'bob' }, params: { user_id_type: 'user_id' } }, asCarol));
    expect(f.status).toBe(400);
    expect(f.data.code).toBe(99991679);
    expect(f.data.msg).toMatch(/^Unauthorized\. You do not have permission to perform the requested operation on the resource\. Please request user re-authorization and try again\. required one of these privileges: \[contact:contact\.base:readonly, /);
    expect(f.data.error.permission_violations[0]).toEqual({ type: 'action_privilege_required', subject: 'contact:contact.base:readonly', scope: 'contact:contact.base:readonly' });
    expect(f.data.error.log_id).toBe(f.headers['x-tt-logid']);

    // The app itself lacks the approval scopes: for a user token that is 99991672 too.
    const g = await sdkFailure(env.client.approval.approval.get({ path: { approval_code: 'LEAVE' } }, asCarol));
    expect(g.data.code).toBe(99991672);
    expect(g.data.msg).toContain('用户身份权限');
    expect(g.data.error.permission_violations[0].url).toContain('token_type=user');

    // Carol authorises again with the directory scope (grants accumulate): the new token reads Bob.
    const again = await userToken('carol', 'contact:contact.base:readonly');
    const bob = await env.client.contact.user.get({ path: { user_id: 'bob' }, params: { user_id_type: 'user_id' } }, lark.withUserAccessToken(again));
    expect(bob.data!.user!.user_id).toBe('bob');
    const dev = (await env.ctl.call('GET', '/__emulator/developer')).body;
    const app = dev.apps.find((a: { app_id: string }) => a.app_id === env.emu.app.appId);
    expect(app.user_grants).toEqual([expect.objectContaining({ open_id: user(env.emu, 'carol').open_id, scopes: expect.arrayContaining(['bitable:app', 'contact:contact.base:readonly']) })]);
    expect(dev.refusals.map((r: { code: number }) => r.code)).toEqual([99991672, 99991679]);
  });

  it('cannot be asked for a scope the app was not granted (20027 on the authorize page)', async () => {
    await grant(['bitable:app']);
    const r = await open(authorizeUrl(env.emu, { scope: 'contact:contact.base:readonly', login_as: 'alice' }));
    expect(r.status).toBe(400);
    expect(errorCodeOf(r.text)).toBe(20027);
    expect(r.text).toContain('contact:contact.base:readonly');
    expect((await open(authorizeUrl(env.emu, { scope: 'bitable:app offline_access', login_as: 'alice' }))).status).toBe(302);
  });
});
