import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEV_CREDENTIALS, type EmulatorOptions } from '../../src/emulator/index.js';
import { sdkClient, useEmulator } from '../helpers/emulator.js';
import { sdkFailure, user } from '../helpers/im.js';
import { codeFor, tokenV2 } from './authen-helpers.js';
import { startReceiver, waitUntil } from './events-receiver.js';

/**
 * Contact v3 beyond lookups: the deprecated lists, departments batch/parent, the app's contact
 * scope, and the directory's changes (control routes) with the events they push — checked on the
 * wire by a receiving app, decrypted with the SDK's own cipher.
 */

const OTHER = { appId: 'cli_0123456789abcdef', appSecret: 'second-app-secret' };
let rx: Awaited<ReturnType<typeof startReceiver>>;
let rxOther: Awaited<ReturnType<typeof startReceiver>>;
const options: EmulatorOptions = {};
beforeAll(async () => {
  rx = await startReceiver();
  rxOther = await startReceiver();
  options.eventUrl = `${rx.url}/events`;
  options.extraApps = [{ ...OTHER, eventUrl: `${rxOther.url}/events` }];
});
const env = useEmulator(options);
afterAll(async () => {
  await rx.close();
  await rxOther.close();
});
beforeEach(() => {
  rx.received.length = 0;
  rxOther.received.length = 0;
});

const cipher = new lark.AESCipher(DEV_CREDENTIALS.encryptKey);
const decrypt = (r: { json: any }) => (r.json.encrypt ? JSON.parse(cipher.decrypt(r.json.encrypt)) : r.json);
/** What the app received, in the order the emulator published (pushes race on the wire; the log does not). */
async function pushed(receiver: typeof rx, n: number) {
  await waitUntil(() => receiver.received.length >= n, 5000, () => `expected ${n} pushes, got ${receiver.received.length}`);
  const log = (await env.ctl.call('GET', '/__emulator/events')).body.events as { event_id: string }[];
  const at = new Map(log.map((e, i) => [e.event_id, i]));
  return receiver.received.map(decrypt).sort((a, b) => at.get(a.header.event_id)! - at.get(b.header.event_id)!);
}

const ou = (key: string) => user(env.emu, key).open_id;
const od = (key: string) => env.emu.state.departments.find((d) => d.department_id === key)!.open_department_id;
const otherClient = () => sdkClient(env.emu, { appId: OTHER.appId, appSecret: OTHER.appSecret });
const call = (method: string, path: string, body?: unknown) => env.ctl.call(method, path, body);

async function expectContactError(p: Promise<unknown>, code: number, status = 400) {
  const f = await sdkFailure(p);
  expect(f.status).toBe(status);
  expect(f.data.code).toBe(code);
  return f.data;
}

describe('more reads: the deprecated lists, batch and parent', () => {
  it('lists users (a department’s direct members, or everyone the app sees) with page_size up to 100', async () => {
    const all = (await env.client.contact.user.list({ params: { user_id_type: 'user_id', page_size: 100 } })).data!;
    // Frank resigned; the rest in directory order.
    expect(all.items!.map((u) => u.user_id)).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
    expect(all.has_more).toBe(false);
    const sre = (await env.client.contact.user.list({ params: { department_id: 'sre', department_id_type: 'department_id', user_id_type: 'user_id' } })).data!;
    expect(sre.items!.map((u) => u.user_id)).toEqual(['bob', 'carol']);
    const pages: string[] = [];
    for await (const page of await env.client.contact.user.listWithIterator({ params: { page_size: 2, user_id_type: 'user_id' } })) {
      pages.push(page!.items!.map((u) => u.user_id).join(','));
    }
    expect(pages).toEqual(['alice,bob', 'carol,dave', 'erin']);
    await expectContactError(env.client.contact.user.list({ params: { page_size: 101 } }), 40011);
  });

  it('batch-gets departments by either id type, and walks up the parents (nearest first, no root)', async () => {
    const batch = (await env.client.contact.department.batch({ params: { department_ids: ['sre', 'finance', 'nothing'], department_id_type: 'department_id' } })).data!;
    expect(batch.items!.map((d) => d.name)).toEqual(['SRE', 'Finance']);
    const open = (await env.client.contact.department.batch({ params: { department_ids: [od('sales')] } })).data!;
    expect(open.items![0]).toMatchObject({ department_id: 'sales', member_count: 1, leader_user_id: ou('dave') });

    const sub = (await call('POST', '/__emulator/directory/departments', { name: 'SRE China', parent_department_id: 'sre', department_id: 'sre-cn' })).body;
    expect(sub.department.parent_department_id).toBe('sre');
    const parents = (await env.client.contact.department.parent({ params: { department_id: 'sre-cn', department_id_type: 'department_id' } })).data!;
    expect(parents.items!.map((d) => d.department_id)).toEqual(['sre', 'engineering']);
    expect(parents.items![0].parent_department_id).toBe('engineering');
    await expectContactError(env.client.contact.department.parent({ params: { department_id: '0' } }), 40002);
  });

  it('lists departments the deprecated way: the root for a whole-tenant app, a parent’s children otherwise', async () => {
    const root = (await env.client.contact.department.list({})).data!;
    expect(root.items!.map((d) => d.department_id)).toEqual(['0']);
    const all = (await env.client.contact.department.list({ params: { parent_department_id: '0', fetch_child: true, department_id_type: 'department_id' } })).data!;
    expect(all.items!.map((d) => d.department_id)).toEqual(['engineering', 'sre', 'sales', 'finance']);
  });
});

describe('the app’s contact scope', () => {
  it('is the whole tenant by default', async () => {
    const res = (await env.client.contact.scope.list({})).data!;
    expect(res).toMatchObject({ department_ids: ['0'], user_ids: [], group_ids: [], has_more: false });
    expect((await call('GET', `/__emulator/apps/${OTHER.appId}/contact-scope`)).body).toMatchObject({ whole_tenant: true });
  });

  it('narrowed to a department and a user: those are visible, the rest answers 40004 / 41050', async () => {
    const set = await call('PUT', `/__emulator/apps/${OTHER.appId}/contact-scope`, { department_ids: ['engineering'], user_ids: ['erin@example.com'] });
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ whole_tenant: false, department_ids: ['engineering'], user_ids: [ou('erin')] });
    // The app is told: contact.scope.updated_v3 with what was added (the whole tenant, the root, has no object).
    const [scopeEvent] = await pushed(rxOther, 1);
    expect(scopeEvent.header.event_type).toBe('contact.scope.updated_v3');
    expect(scopeEvent.event.added.departments.map((d: { department_id: string }) => d.department_id)).toEqual(['engineering']);
    expect(scopeEvent.event.added.users.map((u: { open_id: string }) => u.open_id)).toEqual([ou('erin')]);
    expect(scopeEvent.event.removed).toEqual({ departments: [], users: [], user_groups: [] });
    const other = otherClient();

    const scopes = (await other.contact.scope.list({ params: { user_id_type: 'user_id', department_id_type: 'department_id' } })).data!;
    expect(scopes).toMatchObject({ user_ids: ['erin'], department_ids: ['engineering'] });
    const paged = (await other.contact.scope.list({ params: { page_size: 1 } })).data!;
    expect(paged).toMatchObject({ user_ids: [ou('erin')], department_ids: [], has_more: true });

    // Engineering and its sub-department SRE are in; Sales is not; the root needs the whole tenant.
    expect((await other.contact.user.get({ path: { user_id: 'carol' }, params: { user_id_type: 'user_id' } })).data!.user!.name).toBe('王卡罗');
    expect((await other.contact.user.get({ path: { user_id: 'erin' }, params: { user_id_type: 'user_id' } })).data!.user!.name).toBe('刘艾琳');
    await expectContactError(other.contact.user.get({ path: { user_id: 'dave' }, params: { user_id_type: 'user_id' } }), 41050);
    await expectContactError(other.contact.department.get({ path: { department_id: 'sales' }, params: { department_id_type: 'department_id' } }), 40004, 403);
    await expectContactError(other.contact.user.findByDepartment({ params: { department_id: '0' } }), 40004, 403);
    await expectContactError(other.contact.department.children({ path: { department_id: '0' } }), 40004, 403);
    const sre = (await other.contact.user.findByDepartment({ params: { department_id: 'sre', department_id_type: 'department_id', user_id_type: 'user_id' } })).data!;
    expect(sre.items!.map((u) => u.user_id)).toEqual(['bob', 'carol']);
    const everyone = (await other.contact.user.list({ params: { user_id_type: 'user_id' } })).data!;
    expect(everyone.items!.map((u) => u.user_id)).toEqual(['alice', 'bob', 'carol', 'erin']);
    const ids = (await other.contact.user.batchGetId({ data: { emails: ['dave@example.com', 'bob@example.com'] }, params: { user_id_type: 'user_id' } })).data!;
    expect(ids.user_list).toEqual([{ email: 'dave@example.com' }, expect.objectContaining({ user_id: 'bob' })]);
    const listed = (await other.contact.department.list({ params: { department_id_type: 'department_id', fetch_child: true } })).data!;
    expect(listed.items!.map((d) => d.department_id)).toEqual(['engineering', 'sre']);

    // The main app still sees everything; resetting the emulator brings the whole tenant back.
    expect((await env.client.contact.user.get({ path: { user_id: 'dave' }, params: { user_id_type: 'user_id' } })).data!.user!.user_id).toBe('dave');
    await env.ctl.reset();
    expect((await call('GET', `/__emulator/apps/${OTHER.appId}/contact-scope`)).body.whole_tenant).toBe(true);
  });

  it('a user access token sees the whole tenant (the person’s visibility), whatever the app’s scope', async () => {
    await call('PUT', `/__emulator/apps/${DEV_CREDENTIALS.appId}/contact-scope`, { department_ids: ['finance'] });
    await expectContactError(env.client.contact.user.get({ path: { user_id: 'dave' }, params: { user_id_type: 'user_id' } }), 41050);
    const { code } = await codeFor(env.emu, 'alice');
    const token = (await tokenV2(env.emu, { grant_type: 'authorization_code', code, redirect_uri: 'http://127.0.0.1:8765/callback/feishu' })).json.access_token as string;
    expect(token).toMatch(/^u-/);
    const dave = await env.client.contact.user.get({ path: { user_id: 'dave' }, params: { user_id_type: 'user_id' } }, lark.withUserAccessToken(token));
    expect(dave.data!.user!.email).toBe('dave@example.com');
    const scopes = await env.client.contact.scope.list({}, lark.withUserAccessToken(token));
    expect(scopes.data!.department_ids).toEqual(['0']);
  });

  it('refuses unknown departments, people and apps', async () => {
    expect((await call('PUT', `/__emulator/apps/${OTHER.appId}/contact-scope`, { department_ids: ['nope'] })).status).toBe(404);
    expect((await call('PUT', `/__emulator/apps/${OTHER.appId}/contact-scope`, { user_ids: ['nobody'] })).status).toBe(404);
    expect((await call('PUT', '/__emulator/apps/cli_ffffffffffffffff/contact-scope', {})).status).toBe(404);
    expect((await call('PUT', `/__emulator/apps/${OTHER.appId}/contact-scope`, { departments: [] })).status).toBe(400);
  });
});

describe('changes to the directory push contact events', () => {
  it('a new person: contact.user.created_v3 with the user object; the SDK finds them', async () => {
    const res = await call('POST', '/__emulator/directory/users', { name: '孙小梅', en_name: 'Grace Sun', email: 'grace@example.com', department_ids: ['sre'], job_title: 'SRE' });
    expect(res.status).toBe(201);
    const grace = res.body.user;
    expect(grace).toMatchObject({ user_id: 'grace', email: 'grace@example.com', department_ids: ['sre'], status: 'active' });
    expect(grace.open_id).toMatch(/^ou_[0-9a-f]{32}$/);
    expect(res.body.events.map((e: { app_id: string }) => e.app_id).sort()).toEqual([DEV_CREDENTIALS.appId, OTHER.appId].sort());

    const [push] = await pushed(rx, 1);
    expect(push.schema).toBe('2.0');
    expect(push.header).toMatchObject({ event_type: 'contact.user.created_v3', app_id: DEV_CREDENTIALS.appId, tenant_key: env.emu.state.tenantKey });
    expect(push.event.object).toMatchObject({
      open_id: grace.open_id,
      union_id: grace.union_id,
      user_id: 'grace',
      name: '孙小梅',
      en_name: 'Grace Sun',
      email: 'grace@example.com',
      department_ids: [od('sre')],
      leader_user_id: ou('bob'),
      status: { is_resigned: false, is_activated: true },
      orders: [{ department_id: od('sre'), user_order: 0, department_order: 0, is_primary_dept: true }],
    });
    expect(push.event.old_object).toBeUndefined();
    expect(push.event.object.is_tenant_manager).toBeUndefined();

    const found = (await env.client.contact.user.findByDepartment({ params: { department_id: 'sre', department_id_type: 'department_id', user_id_type: 'user_id' } })).data!;
    expect(found.items!.map((u) => u.user_id)).toEqual(['bob', 'carol', 'grace']);
    const ids = (await env.client.contact.user.batchGetId({ data: { emails: ['grace@example.com'] } })).data!;
    expect(ids.user_list![0].user_id).toBe(grace.open_id);
    const sre = (await env.client.contact.department.get({ path: { department_id: 'sre' }, params: { department_id_type: 'department_id' } })).data!.department!;
    expect(sre.member_count).toBe(3);

    expect((await call('POST', '/__emulator/directory/users', { name: 'Again', email: 'grace@example.com' })).status).toBe(409);
    expect((await call('POST', '/__emulator/directory/users', { name: 'Lost', department_ids: ['nowhere'] })).status).toBe(404);
    expect((await call('POST', '/__emulator/directory/users', { en_name: 'No name' })).status).toBe(400);
  });

  it('a rename and a move: contact.user.updated_v3 whose old_object holds only the changed fields, as they were', async () => {
    const carol = ou('carol');
    const res = await call('PATCH', `/__emulator/directory/users/${carol}`, { en_name: 'Carol Wang-Li', department_ids: ['sales'] });
    expect(res.status).toBe(200);
    const [push] = await pushed(rx, 1);
    expect(push.header.event_type).toBe('contact.user.updated_v3');
    expect(push.event.object).toMatchObject({ open_id: carol, en_name: 'Carol Wang-Li', department_ids: [od('sales')], leader_user_id: ou('dave') });
    // The department moved, so did the orders and the leader: each changed field's previous value, nothing else.
    expect(push.event.old_object).toEqual({
      en_name: 'Carol Wang',
      department_ids: [od('sre')],
      leader_user_id: ou('bob'),
      orders: [{ department_id: od('sre'), user_order: 0, department_order: 0, is_primary_dept: true }],
    });
    const got = (await env.client.contact.user.get({ path: { user_id: carol }, params: { department_id_type: 'department_id' } })).data!.user!;
    expect(got).toMatchObject({ en_name: 'Carol Wang-Li', department_ids: ['sales'] });
  });

  it('an email change is its own event, after the one for the other fields', async () => {
    await call('PATCH', '/__emulator/directory/users/dave', { job_title: 'Sales Lead', email: 'dave.chen@example.com' });
    const pushes = await pushed(rx, 2);
    expect(pushes.map((p) => p.event.old_object)).toEqual([{ job_title: 'Account Executive' }, { email: 'dave@example.com' }]);
    expect(pushes[1].event.object).toMatchObject({ job_title: 'Sales Lead', email: 'dave.chen@example.com' });
    // Nothing changed: nothing pushed.
    const same = await call('PATCH', '/__emulator/directory/users/dave', { job_title: 'Sales Lead' });
    expect(same.body.events).toEqual([]);
  });

  it('a removal: contact.user.deleted_v3 with old_object department_ids; resigned, out of the department lists', async () => {
    const bob = ou('bob');
    const res = await call('DELETE', `/__emulator/directory/users/${bob}`);
    expect(res.status).toBe(200);
    const pushes = await pushed(rx, 2);
    // Bob led SRE: the department loses its leader first.
    expect(pushes.map((p) => p.header.event_type)).toEqual(['contact.department.updated_v3', 'contact.user.deleted_v3']);
    expect(pushes[0].event.old_object).toMatchObject({ department_id: 'sre', leader_user_id: bob });
    expect(pushes[0].event.object.leader_user_id).toBeUndefined();
    const deleted = pushes[1].event;
    expect(deleted.object).toMatchObject({ open_id: bob, status: { is_resigned: true, is_activated: false }, department_ids: [] });
    expect(deleted.old_object).toEqual({ department_ids: [od('sre')], open_id: bob });

    const sre = (await env.client.contact.user.findByDepartment({ params: { department_id: od('sre'), user_id_type: 'user_id' } })).data!;
    expect(sre.items!.map((u) => u.user_id)).toEqual(['carol']);
    const got = (await env.client.contact.user.get({ path: { user_id: bob } })).data!.user!;
    expect(got.status).toMatchObject({ is_resigned: true });
    expect((await call('DELETE', `/__emulator/directory/users/${bob}`)).status).toBe(409);
    expect((await call('PATCH', `/__emulator/directory/users/${bob}`, { name: 'x' })).status).toBe(409);
  });

  it('departments: created, renamed and moved (old_object = the department before), deleted once empty', async () => {
    const created = await call('POST', '/__emulator/directory/departments', { name: 'Security', parent_department_id: od('engineering'), department_id: 'security', leader_user_id: 'carol' });
    expect(created.status).toBe(201);
    const sec = created.body.department;
    let pushes = await pushed(rx, 1);
    expect(pushes[0].header.event_type).toBe('contact.department.created_v3');
    expect(pushes[0].event.object).toEqual({
      name: 'Security',
      parent_department_id: od('engineering'),
      department_id: 'security',
      open_department_id: sec.open_department_id,
      leader_user_id: ou('carol'),
      chat_id: '',
      order: expect.any(Number),
      status: { is_deleted: false },
      leaders: [{ leaderType: 1, leaderID: ou('carol') }],
      department_hrbps: [],
    });

    rx.received.length = 0;
    await call('PATCH', '/__emulator/directory/departments/security', { name: 'SecOps', parent_department_id: '0' });
    pushes = await pushed(rx, 1);
    expect(pushes[0].header.event_type).toBe('contact.department.updated_v3');
    expect(pushes[0].event.object).toMatchObject({ name: 'SecOps', parent_department_id: '0' });
    expect(pushes[0].event.old_object).toMatchObject({ name: 'Security', parent_department_id: od('engineering'), department_id: 'security' });
    const top = (await env.client.contact.department.children({ path: { department_id: '0' }, params: { department_id_type: 'department_id' } })).data!;
    expect(top.items!.map((d) => d.department_id)).toEqual(['engineering', 'sales', 'finance', 'security']);

    // A department with people or sub-departments cannot go, like the platform's 43011 / 43012.
    const withMembers = await call('DELETE', '/__emulator/directory/departments/sre');
    expect(withMembers).toMatchObject({ status: 400, body: { code: 43011, msg: 'delete has member dept error' } });
    const withChildren = await call('DELETE', '/__emulator/directory/departments/engineering');
    expect(withChildren.body.code).toBe(43011);
    await call('PATCH', '/__emulator/directory/users/alice', { department_ids: ['finance'] });
    expect((await call('DELETE', '/__emulator/directory/departments/engineering')).body).toMatchObject({ code: 43012, msg: 'delete has sub dept department error' });
    expect((await call('DELETE', '/__emulator/directory/departments/0')).body.code).toBe(40002);
    expect((await call('PATCH', '/__emulator/directory/departments/engineering', { parent_department_id: 'sre' })).status).toBe(400);
    expect((await call('POST', '/__emulator/directory/departments', { name: 'Dup', department_id: 'sre' })).body.code).toBe(43007);

    rx.received.length = 0;
    const gone = await call('DELETE', '/__emulator/directory/departments/security');
    expect(gone.status).toBe(200);
    pushes = await pushed(rx, 1);
    expect(pushes[0].header.event_type).toBe('contact.department.deleted_v3');
    expect(pushes[0].event.object).toMatchObject({ department_id: 'security', status: { is_deleted: true } });
    expect(pushes[0].event.old_object).toEqual({ status: { is_deleted: false }, open_department_id: sec.open_department_id });
    await expectContactError(env.client.contact.department.get({ path: { department_id: 'security' }, params: { department_id_type: 'department_id' } }), 40015);
  });

  it('pushes only to the apps whose contact scope covers the change', async () => {
    await call('PUT', `/__emulator/apps/${OTHER.appId}/contact-scope`, { department_ids: ['finance'] });
    const inSales = await call('PATCH', '/__emulator/directory/users/dave', { job_title: 'VP Sales' });
    expect(inSales.body.events.map((e: { app_id: string }) => e.app_id)).toEqual([DEV_CREDENTIALS.appId]);
    const inFinance = await call('PATCH', '/__emulator/directory/users/erin', { job_title: 'CFO' });
    expect(inFinance.body.events.map((e: { app_id: string }) => e.app_id).sort()).toEqual([DEV_CREDENTIALS.appId, OTHER.appId].sort());
    // The app heard of its new scope first, then of Erin's change.
    const [scoped, push] = await pushed(rxOther, 2);
    expect(scoped.header.event_type).toBe('contact.scope.updated_v3');
    expect(push.header).toMatchObject({ app_id: OTHER.appId, event_type: 'contact.user.updated_v3' });
    expect(push.event.old_object).toEqual({ job_title: 'Controller' });
    // Moving someone into the scope tells the app too.
    const moved = await call('PATCH', '/__emulator/directory/users/dave', { department_ids: ['finance'] });
    expect(moved.body.events.map((e: { app_id: string }) => e.app_id)).toContain(OTHER.appId);
  });
});

describe('snapshots and reset', () => {
  it('a snapshot taken after changes comes back whole, indexes included; a reset brings the seed back', async () => {
    await call('POST', '/__emulator/directory/users', { name: 'Heidi', email: 'heidi@example.com', department_ids: ['finance'] });
    await call('POST', '/__emulator/directory/departments', { name: 'Tax', parent_department_id: 'finance', department_id: 'tax' });
    await call('PUT', `/__emulator/apps/${OTHER.appId}/contact-scope`, { department_ids: ['finance'] });
    const snap = (await call('GET', '/__emulator/snapshot')).body;
    expect(snap.directory.contact_scopes).toEqual([[OTHER.appId, { department_ids: ['finance'], user_ids: [] }]]);

    await env.ctl.reset();
    expect(env.emu.state.users.map((u) => u.user_id)).toEqual(['alice', 'bob', 'carol', 'dave', 'erin', 'frank']);
    expect((await env.client.contact.user.batchGetId({ data: { emails: ['heidi@example.com'] } })).data!.user_list).toEqual([{ email: 'heidi@example.com' }]);

    expect((await call('PUT', '/__emulator/snapshot', snap)).status).toBe(200);
    const client = sdkClient(env.emu);
    const heidi = (await client.contact.user.batchGetId({ data: { emails: ['heidi@example.com'] }, params: { user_id_type: 'user_id' } })).data!.user_list![0];
    expect(heidi.user_id).toBe('heidi');
    const finance = (await client.contact.department.children({ path: { department_id: 'finance' }, params: { department_id_type: 'department_id' } })).data!;
    expect(finance.items!.map((d) => d.department_id)).toEqual(['tax']);
    expect((await call('GET', `/__emulator/apps/${OTHER.appId}/contact-scope`)).body.department_ids).toEqual(['finance']);

    const bad = await call('PUT', '/__emulator/snapshot', { ...snap, directory: { users: 'nope', departments: [] } });
    expect(bad.status).toBe(400);
    expect(env.emu.state.users.some((u) => u.user_id === 'heidi')).toBe(true);
  });
});
