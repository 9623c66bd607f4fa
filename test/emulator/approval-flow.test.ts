import { describe, expect, it } from 'vitest';
import { ApprovalState, EXPENSE_APPROVAL_CODE, LEAVE_APPROVAL_CODE, PURCHASE_APPROVAL_CODE } from '../../src/emulator/approval/index.js';
import { useEmulator } from '../helpers/emulator.js';
import { sdkFailure, user } from '../helpers/im.js';

const env = useEmulator();
const ou = (key: string) => user(env.emu, key).open_id;

const expenseForm = JSON.stringify([
  { id: 'amount', type: 'amount', value: 128.5 },
  { id: 'reason', type: 'textarea', value: 'Team lunch' },
  { id: 'date', type: 'date', value: '2026-12-01T12:00:00+08:00' },
]);

/** A definition with one node of that type whose approvers the applicant names. */
async function defineOneNode(nodeType: 'AND' | 'OR' | 'SEQUENTIAL'): Promise<string> {
  const r = await env.client.approval.v4.approval.create({
    data: {
      approval_name: '@i18n@name',
      viewers: [{ viewer_type: 'TENANT' }],
      form: { form_content: JSON.stringify([{ id: 'note', type: 'input', name: '@i18n@note', required: true }]) },
      node_list: [{ id: 'START' }, { id: 'review', name: '@i18n@review', node_type: nodeType, approver: [{ type: 'Free' }] }, { id: 'END' }],
      i18n_resources: [{ locale: 'en-US', is_default: true, texts: [{ key: '@i18n@name', value: `${nodeType} test` }, { key: '@i18n@note', value: 'Note' }, { key: '@i18n@review', value: 'Review' }] }],
    },
  });
  expect(r.code).toBe(0);
  return r.data!.approval_code!;
}

async function submit(code: string, approvers: string[], extra: Record<string, unknown> = {}) {
  const r = await env.client.approval.v4.instance.create({
    data: { approval_code: code, open_id: ou('dave'), form: JSON.stringify([{ id: 'note', type: 'input', value: 'hi' }]), node_approver_open_id_list: [{ key: 'review', value: approvers }], ...extra },
  });
  expect(r.code).toBe(0);
  return r.data!.instance_code;
}

const get = async (instance_id: string) => (await env.client.approval.v4.instance.get({ path: { instance_id } })).data!;
const pendingOf = async (code: string) => (await get(code)).task_list.filter((t) => t.status === 'PENDING');

async function act(action: 'approve' | 'reject', approval_code: string, instance_code: string, task: { id: string; open_id?: string }, comment?: string) {
  const r = await env.client.approval.v4.task[action]({ data: { approval_code, instance_code, task_id: task.id, user_id: task.open_id!, comment } });
  expect(r.code).toBe(0);
}

describe('approval definitions', () => {
  it('serves the seeded Expense and Leave definitions with their widget ids', async () => {
    const expense = (await env.client.approval.v4.approval.get({ path: { approval_code: EXPENSE_APPROVAL_CODE } })).data!;
    expect(expense.approval_name).toBe('Expense');
    expect(expense.status).toBe('ACTIVE');
    expect(JSON.parse(expense.form).map((w: { id: string; type: string }) => [w.id, w.type])).toEqual([['amount', 'amount'], ['reason', 'textarea'], ['date', 'date']]);
    expect(expense.node_list.map((n) => n.custom_node_id)).toEqual(['START', 'manager', 'finance', 'END']);
    const leave = (await env.client.approval.v4.approval.get({ path: { approval_code: LEAVE_APPROVAL_CODE } })).data!;
    expect(JSON.parse(leave.form).map((w: { id: string }) => w.id)).toEqual(['leave_type', 'period', 'reason']);
    expect(leave.node_list[1]).toMatchObject({ custom_node_id: 'approvers', node_type: 'SEQUENTIAL', need_approver: true });
  });

  it('creates a definition (names from i18n_resources) and refuses a node list without START/END', async () => {
    const code = await defineOneNode('AND');
    const def = (await env.client.approval.v4.approval.get({ path: { approval_code: code } })).data!;
    expect(def.approval_name).toBe('AND test');
    expect(JSON.parse(def.form)[0]).toMatchObject({ id: 'note', name: 'Note', type: 'input' });
    const bad = await sdkFailure(
      env.client.approval.v4.approval.create({ data: { approval_name: 'x', viewers: [], form: { form_content: '[]' }, node_list: [{ id: 'review' }], i18n_resources: [] } }),
    );
    expect(bad).toMatchObject({ status: 400, data: { code: 1390001 } });
    expect(await sdkFailure(env.client.approval.v4.approval.get({ path: { approval_code: 'NOPE' } }))).toMatchObject({ status: 400, data: { code: 1390002 } });
  });
});

describe('approval instances', () => {
  it('creates an Expense instance and gets it in the SDK shape; the seeded nodes run manager then finance', async () => {
    const created = await env.client.approval.v4.instance.create({ data: { approval_code: EXPENSE_APPROVAL_CODE, user_id: 'bob', form: expenseForm, title: 'Lunch' } });
    const code = created.data!.instance_code;
    const inst = await get(code);
    expect(inst).toMatchObject({ approval_name: 'Expense', approval_code: EXPENSE_APPROVAL_CODE, instance_code: code, status: 'PENDING', user_id: 'bob', open_id: ou('bob'), end_time: '0' });
    expect(inst.start_time).toMatch(/^\d{13}$/);
    expect(JSON.parse(inst.form)[0]).toEqual({ id: 'amount', type: 'amount', name: 'Amount', value: 128.5 });
    expect(inst.timeline.map((e) => e.type)).toEqual(['START']);
    const [manager] = inst.task_list;
    expect(manager).toMatchObject({ open_id: ou('alice'), user_id: 'alice', status: 'PENDING', custom_node_id: 'manager', type: 'OR' });

    await act('approve', EXPENSE_APPROVAL_CODE, code, manager, 'ok by me');
    const [finance] = await pendingOf(code);
    expect(finance).toMatchObject({ open_id: ou('erin'), custom_node_id: 'finance' });
    await act('approve', EXPENSE_APPROVAL_CODE, code, finance);
    const done = await get(code);
    expect(done.status).toBe('APPROVED');
    expect(Number(done.end_time)).toBeGreaterThan(0);
    // Approval opinions are on the timeline; comment_list is the comment section's.
    expect(done.comment_list).toEqual([]);
    expect(done.timeline.map((e) => [e.type, e.comment ?? ''])).toEqual([['START', ''], ['PASS', 'ok by me'], ['PASS', '']]);
  });

  it('validates the form against the definition', async () => {
    const create = (form: unknown[]) =>
      sdkFailure(env.client.approval.v4.instance.create({ data: { approval_code: EXPENSE_APPROVAL_CODE, user_id: 'bob', form: JSON.stringify(form) } }));
    const [amount, reason, date] = JSON.parse(expenseForm);
    expect((await create([amount, reason])).data.code).toBe(1390001); // date is required
    expect((await create([{ ...amount, value: 'lots' }, reason, date])).data.code).toBe(1390001);
    expect((await create([amount, reason, date, { id: 'nope', type: 'input', value: '' }])).data.code).toBe(1390001);
    expect((await create([{ ...reason, type: 'input' }, amount, date])).data.code).toBe(1390001);
    const leave = await sdkFailure(
      env.client.approval.v4.instance.create({ data: { approval_code: LEAVE_APPROVAL_CODE, user_id: 'bob', form: JSON.stringify([{ id: 'period', type: 'dateInterval', value: { start: '2026-12-02T09:00:00+08:00', end: '2026-12-03T18:00:00+08:00', interval: 2 } }]) } }),
    );
    // The Leave approvers are the applicant's to name.
    expect(leave.data.code).toBe(1390001);
  });

  it('AND waits for every approver, OR for the first (the others become DONE)', async () => {
    const and = await defineOneNode('AND');
    const a = await submit(and, [ou('alice'), ou('bob')]);
    const [t1, t2] = await pendingOf(a);
    await act('approve', and, a, t1);
    expect((await get(a)).status).toBe('PENDING');
    await act('approve', and, a, t2);
    expect((await get(a)).status).toBe('APPROVED');

    const or = await defineOneNode('OR');
    const o = await submit(or, [ou('alice'), ou('bob')]);
    const [first] = await pendingOf(o);
    await act('approve', or, o, first);
    const inst = await get(o);
    expect(inst.status).toBe('APPROVED');
    expect(inst.task_list.map((t) => t.status)).toEqual(['APPROVED', 'DONE']);
  });

  it('SEQUENTIAL hands the node on in order; a rejection ends the instance', async () => {
    const seq = await defineOneNode('SEQUENTIAL');
    const s = await submit(seq, [ou('alice'), ou('bob'), ou('carol')]);
    let pending = await pendingOf(s);
    expect(pending.map((t) => t.open_id)).toEqual([ou('alice')]);
    await act('approve', seq, s, pending[0]);
    pending = await pendingOf(s);
    expect(pending.map((t) => t.open_id)).toEqual([ou('bob')]);
    await act('reject', seq, s, pending[0], 'no budget');
    const inst = await get(s);
    expect(inst.status).toBe('REJECTED');
    expect(inst.task_list.map((t) => t.status)).toEqual(['APPROVED', 'REJECTED']);
  });

  it('transfers a task: the new approver holds it, the old one no longer can act', async () => {
    const or = await defineOneNode('OR');
    const code = await submit(or, [ou('alice')]);
    const [task] = await pendingOf(code);
    const r = await env.client.approval.v4.task.transfer({ data: { approval_code: or, instance_code: code, task_id: task.id, user_id: ou('alice'), transfer_user_id: ou('carol'), comment: 'carol knows' } });
    expect(r.code).toBe(0);
    const [moved] = await pendingOf(code);
    expect(moved.open_id).toBe(ou('carol'));
    expect((await sdkFailure(env.client.approval.v4.task.approve({ data: { approval_code: or, instance_code: code, task_id: task.id, user_id: ou('alice') } }))).data.code).toBe(1390001);
    await act('approve', or, code, moved);
    expect((await get(code)).timeline.map((e) => e.type)).toEqual(['START', 'TRANSFER', 'PASS']);
  });

  it('the same uuid answers the same instance (another body: 60012); get also takes the uuid', async () => {
    const or = await defineOneNode('OR');
    const a = await submit(or, [ou('alice')], { uuid: 'order-42' });
    const b = await submit(or, [ou('alice')], { uuid: 'order-42' });
    expect(b).toBe(a);
    const other = await sdkFailure(submit(or, [ou('bob')], { uuid: 'order-42' }));
    expect(other.data.code).toBe(60012);
    expect((await get('order-42')).instance_code).toBe(a);
    expect(env.emu.context.slice(ApprovalState).instances.size).toBe(1);
  });

  it('lists instance codes by definition and time, page by page', async () => {
    const or = await defineOneNode('OR');
    const codes = [await submit(or, [ou('alice')]), await submit(or, [ou('alice')]), await submit(or, [ou('alice')])];
    const params = { approval_code: or, start_time: '0', end_time: String(Date.now() + 86_400_000), page_size: 2 };
    const p1 = (await env.client.approval.v4.instance.list({ params })).data!;
    expect(p1).toMatchObject({ instance_code_list: codes.slice(0, 2), has_more: true });
    const p2 = (await env.client.approval.v4.instance.list({ params: { ...params, page_token: p1.page_token } })).data!;
    expect(p2).toMatchObject({ instance_code_list: codes.slice(2), has_more: false });
    const none = (await env.client.approval.v4.instance.list({ params: { ...params, end_time: '1' } })).data!;
    expect(none.instance_code_list).toEqual([]);
  });

  it('only the applicant cancels; a task acts only for its assignee (1390009, HTTP 403)', async () => {
    const or = await defineOneNode('OR');
    const code = await submit(or, [ou('alice')]);
    const [task] = await pendingOf(code);
    const notYours = await sdkFailure(env.client.approval.v4.task.approve({ data: { approval_code: or, instance_code: code, task_id: task.id, user_id: ou('bob') } }));
    expect(notYours).toMatchObject({ status: 403, data: { code: 1390009 } });
    const byUserId = await sdkFailure(env.client.approval.v4.task.reject({ data: { approval_code: or, instance_code: code, task_id: task.id, user_id: 'bob' }, params: { user_id_type: 'user_id' } }));
    expect(byUserId).toMatchObject({ status: 403, data: { code: 1390009 } });
    expect((await sdkFailure(env.client.approval.v4.task.approve({ data: { approval_code: or, instance_code: code, task_id: '1', user_id: ou('alice') } }))).data.code).toBe(1390010);
    expect((await sdkFailure(env.client.approval.v4.task.approve({ data: { approval_code: or, instance_code: 'NOPE', task_id: task.id, user_id: ou('alice') } }))).data.code).toBe(1390003);
    expect((await sdkFailure(env.client.approval.v4.task.approve({ data: { approval_code: or, instance_code: code, task_id: task.id, user_id: 'ou_nobody' } }))).data.code).toBe(1390004);

    expect(await sdkFailure(env.client.approval.v4.instance.cancel({ data: { approval_code: or, instance_code: code, user_id: ou('alice') } }))).toMatchObject({ status: 403, data: { code: 1390009 } });
    expect((await env.client.approval.v4.instance.cancel({ data: { approval_code: or, instance_code: code, user_id: ou('dave') } })).code).toBe(0);
    const inst = await get(code);
    expect(inst.status).toBe('CANCELED');
    expect(inst.task_list[0].status).toBe('DONE');
  });

  it('refuses instances of an inactive definition (1390015)', async () => {
    env.emu.context.slice(ApprovalState).definitions.get(EXPENSE_APPROVAL_CODE)!.status = 'INACTIVE';
    const r = await sdkFailure(env.client.approval.v4.instance.create({ data: { approval_code: EXPENSE_APPROVAL_CODE, user_id: 'bob', form: expenseForm } }));
    expect(r).toMatchObject({ status: 400, data: { code: 1390015 } });
  });

  it('subscribing twice answers 1390007; unsubscribe then subscribe again works', async () => {
    const path = { approval_code: LEAVE_APPROVAL_CODE };
    expect((await env.client.approval.v4.approval.subscribe({ path })).code).toBe(0);
    expect(await sdkFailure(env.client.approval.v4.approval.subscribe({ path }))).toMatchObject({ status: 400, data: { code: 1390007 } });
    expect((await env.client.approval.v4.approval.unsubscribe({ path })).code).toBe(0);
    expect((await env.client.approval.v4.approval.subscribe({ path })).code).toBe(0);
  });

  it('write APIs are limited to 100/min per app (HTTP 429, 99991400)', async () => {
    const path = { approval_code: 'NOPE' };
    for (let i = 0; i < 100; i++) await sdkFailure(env.client.approval.v4.approval.subscribe({ path }));
    const r = await sdkFailure(env.client.approval.v4.approval.subscribe({ path }));
    expect(r).toMatchObject({ status: 429, data: { code: 99991400 } });
    expect(r.headers['x-ogw-ratelimit-limit']).toBe('100');
  });

  it('is in snapshots and back to the seed on reset', async () => {
    const or = await defineOneNode('OR');
    await submit(or, [ou('alice')]);
    const snap = (await env.ctl.call('GET', '/__emulator/snapshot')).body;
    expect(snap.approval.instances).toHaveLength(1);
    await env.ctl.reset();
    expect(env.emu.context.slice(ApprovalState).instances.size).toBe(0);
    expect([...env.emu.context.slice(ApprovalState).definitions.keys()]).toEqual([EXPENSE_APPROVAL_CODE, LEAVE_APPROVAL_CODE, PURCHASE_APPROVAL_CODE]);
    expect((await env.ctl.call('PUT', '/__emulator/snapshot', snap)).status).toBe(200);
    expect(env.emu.context.slice(ApprovalState).instances.size).toBe(1);
    expect((await env.ctl.state()).approval_instances).toHaveLength(1);
  });
});
