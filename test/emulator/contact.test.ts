import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as lark from '@larksuiteoapi/node-sdk';
import type { EmulatorHandle } from '../../src/emulator/index.js';
import { emulatorWithSdk } from '../helpers/emulator.js';
import { sdkFailure, user } from '../helpers/im.js';

let emu: EmulatorHandle;
let client: lark.Client;

beforeAll(async () => {
  ({ emu, client } = await emulatorWithSdk());
});
afterAll(() => emu.close());

const dept = (key: string) => emu.state.departments.find((d) => d.department_id === key)!;

async function expectContactError(p: Promise<unknown>, code: number, status = 400) {
  const f = await sdkFailure(p);
  expect(f.status).toBe(status);
  expect(f.data.code).toBe(code);
  expect(f.data.error.log_id).toBe(f.headers['x-tt-logid']);
  return f.data;
}

describe('users: get and batch', () => {
  it('finds the same user by open_id, union_id and user_id, in the documented shape', async () => {
    const bob = user(emu, 'bob');
    const byOpen = (await client.contact.user.get({ path: { user_id: bob.open_id } })).data!.user!;
    const byUnion = (await client.contact.user.get({ path: { user_id: bob.union_id }, params: { user_id_type: 'union_id' } })).data!.user!;
    const byUser = (await client.contact.user.get({ path: { user_id: 'bob' }, params: { user_id_type: 'user_id' } })).data!.user!;
    expect(byUnion).toEqual(byOpen);
    expect(byUser.open_id).toBe(bob.open_id);
    expect(byOpen).toMatchObject({
      open_id: bob.open_id,
      union_id: bob.union_id,
      user_id: 'bob',
      name: '李博',
      en_name: 'Bob Li',
      email: 'bob@example.com',
      mobile: bob.mobile,
      job_title: 'SRE',
      department_ids: [dept('sre').open_department_id],
      status: { is_frozen: false, is_resigned: false, is_activated: true, is_exited: false, is_unjoin: false },
      employee_type: 1,
    });
    expect(byOpen.orders).toEqual([{ department_id: dept('sre').open_department_id, user_order: 0, department_order: 0, is_primary_dept: true }]);
    expect(typeof byOpen.join_time).toBe('number');
  });

  it('shows department ids and the leader in the requested id types, and serves the avatar', async () => {
    const carol = (await client.contact.user.get({ path: { user_id: 'carol' }, params: { user_id_type: 'user_id', department_id_type: 'department_id' } })).data!.user!;
    expect(carol.department_ids).toEqual(['sre']);
    expect(carol.leader_user_id).toBe('bob');
    const avatar = await fetch(carol.avatar!.avatar_72!);
    expect(avatar.status).toBe(200);
    expect(avatar.headers.get('content-type')).toContain('image/svg+xml');
    expect(await avatar.text()).toContain('>CW<');
  });

  it('keeps resigned users findable, marked resigned and without departments', async () => {
    const frank = (await client.contact.user.get({ path: { user_id: 'frank' }, params: { user_id_type: 'user_id' } })).data!.user!;
    expect(frank.status).toMatchObject({ is_resigned: true, is_activated: false });
    expect(frank.department_ids).toEqual([]);
  });

  it('answers unknown ids with 41012 or, for well-formed open_ids, 99992351', async () => {
    await expectContactError(client.contact.user.get({ path: { user_id: 'nobody' }, params: { user_id_type: 'user_id' } }), 41012);
    await expectContactError(client.contact.user.get({ path: { user_id: 'on_nobody' }, params: { user_id_type: 'union_id' } }), 41012);
    const data = await expectContactError(client.contact.user.get({ path: { user_id: 'ou_nobody' } }), 99992351);
    expect(data.msg).toBe('these open ids not existed: [ou_nobody]');
    await expectContactError(client.contact.user.get({ path: { user_id: 'bob' }, params: { user_id_type: 'email' as 'user_id' } }), 99992402);
  });

  it('batch-gets up to 50 users from repeated user_ids', async () => {
    const res = await client.contact.user.batch({ params: { user_ids: ['alice', 'dave', 'ghost'], user_id_type: 'user_id' } });
    expect(res.data!.items!.map((u) => u.en_name)).toEqual(['Alice Zhang', 'Dave Chen']);
    const open = await client.contact.user.batch({ params: { user_ids: [user(emu, 'erin').open_id] } });
    expect(open.data!.items![0].user_id).toBe('erin');
    const tooMany = Array.from({ length: 51 }, (_, i) => `u${i}`);
    await expectContactError(client.contact.user.batch({ params: { user_ids: tooMany, user_id_type: 'user_id' } }), 40001);
    await expectContactError(client.contact.user.batch({ params: { user_ids: ['ou_nobody'] } }), 99992351);
  });
});

describe('users: batch_get_id (email and mobile → id)', () => {
  it('answers one entry per email and mobile, with the id type asked for', async () => {
    const res = await client.contact.user.batchGetId({
      params: { user_id_type: 'user_id' },
      data: { emails: ['alice@example.com', 'nobody@example.com'], mobiles: ['13800000002', user(emu, 'carol').mobile] },
    });
    expect(res.data!.user_list).toEqual([
      { user_id: 'alice', email: 'alice@example.com', status: { is_frozen: false, is_resigned: false, is_activated: true, is_exited: false, is_unjoin: false } },
      { email: 'nobody@example.com' },
      { user_id: 'bob', mobile: '13800000002', status: expect.objectContaining({ is_resigned: false }) },
      { user_id: 'carol', mobile: user(emu, 'carol').mobile, status: expect.objectContaining({ is_resigned: false }) },
    ]);
    const defaultType = await client.contact.user.batchGetId({ data: { emails: ['BOB@example.com'] } });
    expect(defaultType.data!.user_list![0].user_id).toBe(user(emu, 'bob').open_id);
  });

  it('leaves resigned users out unless include_resigned is set', async () => {
    const without = await client.contact.user.batchGetId({ data: { emails: ['frank@example.com'] } });
    expect(without.data!.user_list).toEqual([{ email: 'frank@example.com' }]);
    const withResigned = await client.contact.user.batchGetId({ data: { emails: ['frank@example.com'], include_resigned: true } });
    expect(withResigned.data!.user_list![0]).toMatchObject({ user_id: user(emu, 'frank').open_id, status: { is_resigned: true } });
    const tooMany = Array.from({ length: 51 }, (_, i) => `u${i}@example.com`);
    await expectContactError(client.contact.user.batchGetId({ data: { emails: tooMany } }), 40001);
  });
});

describe('users: find_by_department', () => {
  it('lists a department’s direct, active members with paging, by either department id type', async () => {
    const sre = await client.contact.user.findByDepartment({ params: { department_id: dept('sre').open_department_id } });
    expect(sre.data!.items!.map((u) => u.user_id)).toEqual(['bob', 'carol']);
    expect(sre.data!.has_more).toBe(false);
    const eng = await client.contact.user.findByDepartment({ params: { department_id: 'engineering', department_id_type: 'department_id', user_id_type: 'user_id' } });
    // Frank resigned; Bob and Carol are in the sub-department.
    expect(eng.data!.items!.map((u) => u.user_id)).toEqual(['alice']);

    const first = (await client.contact.user.findByDepartment({ params: { department_id: 'sre', department_id_type: 'department_id', page_size: 1 } })).data!;
    expect(first).toMatchObject({ has_more: true });
    const second = (await client.contact.user.findByDepartment({ params: { department_id: 'sre', department_id_type: 'department_id', page_size: 1, page_token: first.page_token } })).data!;
    expect(second.items!.map((u) => u.user_id)).toEqual(['carol']);
    expect(second.has_more).toBe(false);

    const root = await client.contact.user.findByDepartment({ params: { department_id: '0' } });
    expect(root.data!.items).toEqual([]);
  });

  it('refuses bad page sizes and tokens (40011, 40012) and unknown departments (40004, HTTP 403)', async () => {
    await expectContactError(client.contact.user.findByDepartment({ params: { department_id: '0', page_size: 51 } }), 40011);
    await expectContactError(client.contact.user.findByDepartment({ params: { department_id: '0', page_token: 'bm90IGEgbnVtYmVy' } }), 40012);
    await expectContactError(client.contact.user.findByDepartment({ params: { department_id: 'od-nothing' } }), 40004, 403);
    // A custom id is not an open_department_id.
    await expectContactError(client.contact.user.findByDepartment({ params: { department_id: 'sre' } }), 40004, 403);
  });
});

describe('departments', () => {
  it('gets a department with counts, parent and leader in the requested id types', async () => {
    const eng = (await client.contact.department.get({ path: { department_id: dept('engineering').open_department_id } })).data!.department!;
    expect(eng).toMatchObject({
      name: 'Engineering',
      department_id: 'engineering',
      open_department_id: dept('engineering').open_department_id,
      parent_department_id: '0',
      leader_user_id: user(emu, 'alice').open_id,
      member_count: 3,
      primary_member_count: 3,
      status: { is_deleted: false },
    });
    const sre = (await client.contact.department.get({ path: { department_id: 'sre' }, params: { department_id_type: 'department_id', user_id_type: 'user_id' } })).data!.department!;
    expect(sre).toMatchObject({ parent_department_id: 'engineering', leader_user_id: 'bob', member_count: 2, leaders: [{ leaderType: 1, leaderID: 'bob' }] });
  });

  it('refuses the virtual root (40161) and unknown departments (40015)', async () => {
    await expectContactError(client.contact.department.get({ path: { department_id: '0' } }), 40161);
    await expectContactError(client.contact.department.get({ path: { department_id: 'od-nothing' } }), 40015);
  });

  it('lists children, or the whole subtree with fetch_child', async () => {
    const top = (await client.contact.department.children({ path: { department_id: '0' }, params: { department_id_type: 'department_id' } })).data!;
    expect(top.items!.map((d) => d.department_id)).toEqual(['engineering', 'sales', 'finance']);
    const all = (await client.contact.department.children({ path: { department_id: '0' }, params: { fetch_child: true } })).data!;
    expect(all.items!.map((d) => d.name)).toEqual(['Engineering', 'SRE', 'Sales', 'Finance']);
    expect(all.items![1].parent_department_id).toBe(dept('engineering').open_department_id);
    const eng = (await client.contact.department.children({ path: { department_id: dept('engineering').open_department_id } })).data!;
    expect(eng.items!.map((d) => d.name)).toEqual(['SRE']);
    const paged = (await client.contact.department.children({ path: { department_id: '0' }, params: { page_size: 2 } })).data!;
    expect(paged).toMatchObject({ has_more: true });
    await expectContactError(client.contact.department.children({ path: { department_id: '0' }, params: { page_size: 0 } }), 40011);
    await expectContactError(client.contact.department.children({ path: { department_id: 'od-nothing' } }), 40004, 403);
  });
});
