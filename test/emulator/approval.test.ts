import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { sdkFailure } from '../helpers/im.js';
import {
  approve,
  createExpense,
  EXPENSE_APPROVAL_CODE,
  expenseForm,
  getInstance,
  LEAVE_APPROVAL_CODE,
  leaveForm,
  openId,
  pendingTask,
  PURCHASE_APPROVAL_CODE,
  purchaseForm,
} from './approval-helpers.js';

const env = useEmulator();

describe('approval definitions', () => {
  it('serves the seeded Expense definition as the SDK types it', async () => {
    const res = await env.client.approval.v4.approval.get({ path: { approval_code: EXPENSE_APPROVAL_CODE } });
    expect(res.code).toBe(0);
    expect(res.data!.approval_name).toBe('Expense');
    expect(res.data!.status).toBe('ACTIVE');
    expect(JSON.parse(res.data!.form).map((w: { id: string }) => w.id)).toEqual(['amount', 'reason', 'date']);
    expect(res.data!.node_list.map((n) => n.custom_node_id)).toEqual(['START', 'manager', 'finance', 'END']);
  });

  it('creates a definition with widgets and nodes, then updates it by code', async () => {
    const data = {
      approval_name: '@i18n@name',
      viewers: [{ viewer_type: 'TENANT' as const }],
      form: { form_content: JSON.stringify([{ id: 'what', type: 'input', name: '@i18n@what', required: true }]) },
      node_list: [
        { id: 'START' },
        { id: 'lead', name: '@i18n@lead', node_type: 'AND' as const, approver: [{ type: 'Personal' as const, user_id: openId(env.emu, 'alice') }] },
        { id: 'END' },
      ],
      i18n_resources: [{ locale: 'en-US' as const, is_default: true, texts: [{ key: '@i18n@name', value: 'Access request' }, { key: '@i18n@what', value: 'What' }, { key: '@i18n@lead', value: 'Lead' }] }],
    };
    const created = await env.client.approval.v4.approval.create({ data });
    const code = created.data!.approval_code!;
    const got = await env.client.approval.v4.approval.get({ path: { approval_code: code } });
    expect(got.data!.approval_name).toBe('Access request');
    expect(got.data!.node_list[1]).toMatchObject({ name: 'Lead', node_type: 'AND', custom_node_id: 'lead', need_approver: false });
    const again = await env.client.approval.v4.approval.create({ data: { ...data, approval_code: code } });
    expect(again.data!.approval_code).toBe(code);
  });

  it('refuses a node list without START/END (1390001) and an unknown code (1390002)', async () => {
    const bad = await sdkFailure(
      env.client.approval.v4.approval.create({ data: { approval_name: 'x', viewers: [], form: { form_content: '[]' }, node_list: [{ id: 'a' }], i18n_resources: [] } }),
    );
    expect(bad.status).toBe(400);
    expect(bad.data).toMatchObject({ code: 1390001, msg: 'param is invalid' });
    expect(bad.data.error.field_violations[0].field).toBe('node_list');
    const missing = await sdkFailure(env.client.approval.v4.approval.get({ path: { approval_code: 'NOPE' } }));
    expect(missing.data.code).toBe(1390002);
  });

  it('answers 1390015 for an inactive definition and 1390016 once deleted', async () => {
    await env.ctl.call('POST', `/__emulator/approval/definitions/${EXPENSE_APPROVAL_CODE}/status`, { status: 'INACTIVE' });
    expect((await env.client.approval.v4.approval.get({ path: { approval_code: EXPENSE_APPROVAL_CODE } })).data!.status).toBe('INACTIVE');
    expect((await sdkFailure(createExpense(env.client, env.emu))).data.code).toBe(1390015);
    await env.ctl.call('POST', `/__emulator/approval/definitions/${EXPENSE_APPROVAL_CODE}/status`, { status: 'DELETED' });
    expect((await sdkFailure(createExpense(env.client, env.emu))).data.code).toBe(1390016);
  });
});

describe('approval instances', () => {
  it('creates an instance and gets it with form, tasks and timeline', async () => {
    const code = await createExpense(env.client, env.emu, { title: 'March lunch' });
    const inst = await getInstance(env.client, code);
    expect(inst).toMatchObject({ approval_code: EXPENSE_APPROVAL_CODE, approval_name: 'Expense', status: 'PENDING', open_id: openId(env.emu, 'bob'), user_id: 'bob', end_time: '0' });
    expect(JSON.parse(inst.form)).toEqual([
      { id: 'amount', type: 'amount', name: 'Amount', value: '120.50' },
      { id: 'reason', type: 'textarea', name: 'Reason', value: 'Team lunch' },
      { id: 'date', type: 'date', name: 'Date', value: '2026-03-02T00:00:00+08:00' },
    ]);
    expect(inst.task_list).toHaveLength(1);
    expect(inst.task_list[0]).toMatchObject({ open_id: openId(env.emu, 'alice'), status: 'PENDING', node_name: 'Manager', custom_node_id: 'manager', type: 'OR' });
    expect(inst.timeline.map((e) => e.type)).toEqual(['START']);
  });

  it('validates the form against the widgets (1390001) and the applicant (1390004)', async () => {
    const create = (form: string, open_id = openId(env.emu, 'bob')) => env.client.approval.v4.instance.create({ data: { approval_code: EXPENSE_APPROVAL_CODE, open_id, form } });
    const unknown = await sdkFailure(create(JSON.stringify([{ id: 'nope', type: 'input', value: 'x' }])));
    expect(unknown.data.code).toBe(1390001);
    expect(unknown.data.error.field_violations[0].description).toContain('控件=nope');
    expect((await sdkFailure(create(JSON.stringify([{ id: 'amount', type: 'amount', value: 'lots' }])))).data.code).toBe(1390001);
    expect((await sdkFailure(create(JSON.stringify([{ id: 'amount', type: 'amount', value: '1' }])))).data.error.field_violations[0].description).toContain('required');
    expect((await sdkFailure(create('not json'))).data.code).toBe(1390001);
    expect((await sdkFailure(create(expenseForm(), 'ou_nobody'))).data.code).toBe(1390004);
  });

  it('is idempotent by uuid: the same request answers the same instance, another body is 60012', async () => {
    const first = await createExpense(env.client, env.emu, { uuid: 'ab12-uuid' });
    const second = await createExpense(env.client, env.emu, { uuid: 'AB12-UUID' });
    expect(second).toBe(first);
    expect((await getInstance(env.client, 'ab12-uuid')).instance_code).toBe(first);
    const conflict = await sdkFailure(
      env.client.approval.v4.instance.create({ data: { approval_code: EXPENSE_APPROVAL_CODE, open_id: openId(env.emu, 'bob'), form: expenseForm('999'), uuid: 'ab12-uuid' } }),
    );
    expect(conflict.data).toMatchObject({ code: 60012 });
    const list = await env.client.approval.v4.instance.list({ params: { approval_code: EXPENSE_APPROVAL_CODE, start_time: '0', end_time: String(Date.now() + 1e9) } });
    expect(list.data!.instance_code_list).toEqual([first]);
  });

  it('lists instance codes by time range, page by page', async () => {
    const codes = [];
    for (let i = 0; i < 3; i++) codes.push(await createExpense(env.client, env.emu));
    const range = { approval_code: EXPENSE_APPROVAL_CODE, start_time: '0', end_time: String(Date.now() + 1e9) };
    const p1 = await env.client.approval.v4.instance.list({ params: { ...range, page_size: 2 } });
    expect(p1.data!.instance_code_list).toEqual(codes.slice(0, 2));
    expect(p1.data!.has_more).toBe(true);
    const p2 = await env.client.approval.v4.instance.list({ params: { ...range, page_size: 2, page_token: p1.data!.page_token } });
    expect(p2.data!.instance_code_list).toEqual(codes.slice(2));
    expect(p2.data!.has_more).toBe(false);
    const none = await env.client.approval.v4.instance.list({ params: { ...range, start_time: '1', end_time: '2' } });
    expect(none.data!.instance_code_list).toEqual([]);
  });

  it('lets only the applicant withdraw (1390009 for others), then the instance is CANCELED', async () => {
    const code = await createExpense(env.client, env.emu);
    const cancel = (who: string) => env.client.approval.v4.instance.cancel({ data: { approval_code: EXPENSE_APPROVAL_CODE, instance_code: code, user_id: who } });
    const denied = await sdkFailure(cancel(openId(env.emu, 'carol')));
    expect(denied.status).toBe(403);
    expect(denied.data.code).toBe(1390009);
    expect((await cancel(openId(env.emu, 'bob'))).code).toBe(0);
    const inst = await getInstance(env.client, code);
    expect(inst.status).toBe('CANCELED');
    expect(inst.task_list[0].status).toBe('DONE');
    expect(inst.timeline.map((e) => e.type)).toEqual(['START', 'CANCEL']);
  });

  it('copies people (cc) and previews the route', async () => {
    const code = await createExpense(env.client, env.emu);
    await env.client.approval.v4.instance.cc({ data: { approval_code: EXPENSE_APPROVAL_CODE, instance_code: code, user_id: openId(env.emu, 'bob'), cc_user_ids: [openId(env.emu, 'dave')], comment: 'FYI' } });
    const inst = await getInstance(env.client, code);
    const cc = inst.timeline.find((e) => e.type === 'CC')!;
    expect(cc.cc_user_list![0]).toMatchObject({ open_id: openId(env.emu, 'dave'), user_id: 'dave' });
    const preview = await env.client.approval.v4.instance.preview({ data: { approval_code: EXPENSE_APPROVAL_CODE, user_id: openId(env.emu, 'bob') } });
    expect(preview.data!.preview_nodes!.map((n) => [n.custom_node_id, n.user_id_list])).toEqual([
      ['manager', [openId(env.emu, 'alice')]],
      ['finance', [openId(env.emu, 'erin')]],
    ]);
  });
});

describe('approval tasks', () => {
  it('OR then OR: Alice approves, Erin approves, the instance is APPROVED', async () => {
    const code = await createExpense(env.client, env.emu);
    await approve(env.client, EXPENSE_APPROVAL_CODE, code, openId(env.emu, 'alice'), 'ok by me');
    let inst = await getInstance(env.client, code);
    expect(inst.status).toBe('PENDING');
    expect(inst.task_list.map((t) => [t.node_name, t.status])).toEqual([
      ['Manager', 'APPROVED'],
      ['Finance', 'PENDING'],
    ]);
    await approve(env.client, EXPENSE_APPROVAL_CODE, code, openId(env.emu, 'erin'));
    inst = await getInstance(env.client, code);
    expect(inst.status).toBe('APPROVED');
    expect(Number(inst.end_time)).toBeGreaterThan(0);
    expect(inst.timeline.map((e) => [e.type, e.comment ?? ''])).toEqual([
      ['START', ''],
      ['PASS', 'ok by me'],
      ['PASS', ''],
    ]);
  });

  it('OR with several approvers: the first approval ends the node, the others become DONE', async () => {
    const res = await env.client.approval.v4.instance.create({
      data: {
        approval_code: EXPENSE_APPROVAL_CODE,
        open_id: openId(env.emu, 'bob'),
        form: expenseForm(),
        node_approver_open_id_list: [{ key: 'manager', value: [openId(env.emu, 'alice'), openId(env.emu, 'carol')] }],
      },
    });
    const code = res.data!.instance_code;
    expect((await getInstance(env.client, code)).task_list).toHaveLength(2);
    await approve(env.client, EXPENSE_APPROVAL_CODE, code, openId(env.emu, 'carol'));
    const inst = await getInstance(env.client, code);
    expect(inst.task_list.map((t) => [t.user_id, t.status])).toEqual([
      ['alice', 'DONE'],
      ['carol', 'APPROVED'],
      ['erin', 'PENDING'],
    ]);
  });

  it('AND (countersign): every budget owner must approve', async () => {
    const res = await env.client.approval.v4.instance.create({ data: { approval_code: PURCHASE_APPROVAL_CODE, user_id: 'bob', form: purchaseForm() } });
    const code = res.data!.instance_code;
    await approve(env.client, PURCHASE_APPROVAL_CODE, code, openId(env.emu, 'erin'));
    expect((await getInstance(env.client, code)).status).toBe('PENDING');
    await approve(env.client, PURCHASE_APPROVAL_CODE, code, openId(env.emu, 'alice'));
    expect((await getInstance(env.client, code)).status).toBe('APPROVED');
  });

  it('SEQUENTIAL: the applicant-chosen approvers, one after another (user_id list)', async () => {
    const res = await env.client.approval.v4.instance.create({
      data: { approval_code: LEAVE_APPROVAL_CODE, user_id: 'carol', form: leaveForm(), node_approver_user_id_list: [{ key: 'approvers', value: ['bob', 'alice'] }] },
    });
    const code = res.data!.instance_code;
    let inst = await getInstance(env.client, code);
    expect(inst.task_list.map((t) => t.user_id)).toEqual(['bob']);
    await approve(env.client, LEAVE_APPROVAL_CODE, code, openId(env.emu, 'bob'));
    inst = await getInstance(env.client, code);
    expect(inst.task_list.map((t) => [t.user_id, t.status, t.type])).toEqual([
      ['bob', 'APPROVED', 'SEQUENTIAL'],
      ['alice', 'PENDING', 'SEQUENTIAL'],
    ]);
    await approve(env.client, LEAVE_APPROVAL_CODE, code, openId(env.emu, 'alice'));
    expect((await getInstance(env.client, code)).status).toBe('APPROVED');
  });

  it('a Leave without approvers is refused: the node wants the applicant to choose', async () => {
    const fail = await sdkFailure(env.client.approval.v4.instance.create({ data: { approval_code: LEAVE_APPROVAL_CODE, user_id: 'carol', form: leaveForm() } }));
    expect(fail.data.code).toBe(1390001);
  });

  it('reject ends the instance; approving a task that is not yours is 1390009 (HTTP 403)', async () => {
    const code = await createExpense(env.client, env.emu);
    const task = await pendingTask(env.client, code, openId(env.emu, 'alice'));
    const notYours = await sdkFailure(
      env.client.approval.v4.task.approve({ data: { approval_code: EXPENSE_APPROVAL_CODE, instance_code: code, user_id: openId(env.emu, 'carol'), task_id: task.id } }),
    );
    expect(notYours.status).toBe(403);
    expect(notYours.data).toMatchObject({ code: 1390009, msg: 'no operation permission' });
    const noTask = await sdkFailure(
      env.client.approval.v4.task.approve({ data: { approval_code: EXPENSE_APPROVAL_CODE, instance_code: code, user_id: openId(env.emu, 'alice'), task_id: '123' } }),
    );
    expect(noTask.data.code).toBe(1390010);
    const noInstance = await sdkFailure(
      env.client.approval.v4.task.approve({ data: { approval_code: EXPENSE_APPROVAL_CODE, instance_code: 'NOPE', user_id: openId(env.emu, 'alice'), task_id: task.id } }),
    );
    expect(noInstance.data.code).toBe(1390003);
    await env.client.approval.v4.task.reject({ data: { approval_code: EXPENSE_APPROVAL_CODE, instance_code: code, user_id: openId(env.emu, 'alice'), task_id: task.id, comment: 'too much' } });
    const inst = await getInstance(env.client, code);
    expect(inst.status).toBe('REJECTED');
    expect(inst.timeline.at(-1)).toMatchObject({ type: 'REJECT', comment: 'too much', user_id: 'alice' });
  });

  it('transfer hands the task to someone else, who can then approve it (user_id_type=user_id)', async () => {
    const code = await createExpense(env.client, env.emu);
    const task = await pendingTask(env.client, code, openId(env.emu, 'alice'));
    await env.client.approval.v4.task.transfer({
      params: { user_id_type: 'user_id' },
      data: { approval_code: EXPENSE_APPROVAL_CODE, instance_code: code, user_id: 'alice', task_id: task.id, transfer_user_id: 'dave', comment: 'on leave' },
    });
    const inst = await getInstance(env.client, code);
    expect(inst.task_list.map((t) => [t.user_id, t.status])).toEqual([
      ['alice', 'TRANSFERRED'],
      ['dave', 'PENDING'],
    ]);
    expect(inst.timeline.at(-1)).toMatchObject({ type: 'TRANSFER', comment: 'on leave', user_id_list: ['dave'] });
    await approve(env.client, EXPENSE_APPROVAL_CODE, code, openId(env.emu, 'dave'));
    expect((await getInstance(env.client, code)).task_list.at(-1)).toMatchObject({ user_id: 'erin', status: 'PENDING' });
  });
});

describe('approval comments and limits', () => {
  it('creates, lists (with replies) and deletes comments', async () => {
    const code = await createExpense(env.client, env.emu);
    const bob = openId(env.emu, 'bob');
    const c1 = await env.client.approval.v4.instanceComment.create({ path: { instance_id: code }, params: { user_id: bob }, data: { content: JSON.stringify({ text: 'receipt attached' }) } });
    const id = c1.data!.comment_id;
    await env.client.approval.v4.instanceComment.create({
      path: { instance_id: code },
      params: { user_id: 'alice', user_id_type: 'user_id' },
      data: { content: JSON.stringify({ text: 'thanks' }), parent_comment_id: id },
    });
    const list = await env.client.approval.v4.instanceComment.list({ path: { instance_id: code }, params: { user_id: bob } });
    expect(list.data!.comments).toHaveLength(1);
    expect(list.data!.comments[0]).toMatchObject({ id, is_delete: 0, commentator: bob });
    expect(JSON.parse(list.data!.comments[0].replies![0].content)).toEqual({ text: 'thanks' });
    expect((await getInstance(env.client, code)).comment_list.map((c) => c.comment)).toEqual(['receipt attached']);
    const notYours = await sdkFailure(env.client.approval.v4.instanceComment.delete({ path: { instance_id: code, comment_id: id }, params: { user_id: openId(env.emu, 'carol') } }));
    expect(notYours.data.code).toBe(1390009);
    await env.client.approval.v4.instanceComment.delete({ path: { instance_id: code, comment_id: id }, params: { user_id: bob } });
    const after = await env.client.approval.v4.instanceComment.list({ path: { instance_id: code }, params: { user_id: bob } });
    expect(after.data!.comments[0].is_delete).toBe(1);
    expect((await getInstance(env.client, code)).comment_list).toEqual([]);
  });

  it('limits write APIs to 100 per minute (HTTP 429, 99991400)', async () => {
    const code = await createExpense(env.client, env.emu);
    const cancel = () => env.client.approval.v4.instance.cancel({ data: { approval_code: EXPENSE_APPROVAL_CODE, instance_code: code, user_id: openId(env.emu, 'carol') } }).catch((e) => e.response);
    const answers = [];
    for (let i = 0; i < 101; i++) answers.push((await cancel()).status);
    expect(answers.slice(0, 100).every((s) => s === 403)).toBe(true);
    expect(answers[100]).toBe(429);
  });
});
