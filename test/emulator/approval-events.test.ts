import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEV_CREDENTIALS, type EmulatorOptions } from '../../src/emulator/index.js';
import { EXPENSE_APPROVAL_CODE, LEAVE_APPROVAL_CODE } from '../../src/emulator/approval/index.js';
import { useEmulator } from '../helpers/emulator.js';
import { user } from '../helpers/im.js';
import { startReceiver, waitUntil } from './events-receiver.js';

let rx: Awaited<ReturnType<typeof startReceiver>>;
// useEmulator reads the options when its beforeAll runs, after the receiver below has started.
const options: EmulatorOptions = {};
beforeAll(async () => {
  rx = await startReceiver();
  options.eventUrl = `${rx.url}/events`;
});
const env = useEmulator(options);
afterAll(() => rx.close());
beforeEach(() => {
  rx.received.length = 0;
});

const ou = (key: string) => user(env.emu, key).open_id;
const cipher = new lark.AESCipher(DEV_CREDENTIALS.encryptKey);
/** The v1 envelopes pushed so far, decrypted. */
const envelopes = () => rx.received.map((r) => JSON.parse(cipher.decrypt(r.json.encrypt)));
/**
 * The received events in the order the emulator published them: pushes travel on separate
 * connections, so arrival order is not the platform's order; the event log is.
 */
async function events() {
  const log = (await env.ctl.call('GET', '/__emulator/events')).body.events as { event_id: string }[];
  const at = new Map(log.map((e, i) => [e.event_id, i]));
  return envelopes()
    .sort((a, b) => at.get(a.uuid)! - at.get(b.uuid)!)
    .map((e) => e.event);
}
const waitEvents = (n: number) => waitUntil(() => rx.received.length >= n, 5000, () => `expected ${n} events, got ${rx.received.length}`);

const expenseForm = JSON.stringify([
  { id: 'amount', type: 'amount', value: 99 },
  { id: 'reason', type: 'textarea', value: 'Taxi' },
  { id: 'date', type: 'date', value: '2026-12-01T09:00:00+08:00' },
]);
const leaveForm = JSON.stringify([{ id: 'leave_type', type: 'radioV2', value: 'sick' }, { id: 'period', type: 'dateInterval', value: { start: '2026-12-02T09:00:00+08:00', end: '2026-12-02T18:00:00+08:00', interval: 1 } }]);

async function createExpense(uuid?: string) {
  const r = await env.client.approval.v4.instance.create({ data: { approval_code: EXPENSE_APPROVAL_CODE, user_id: 'bob', form: expenseForm, uuid } });
  return r.data!.instance_code;
}
const tasks = async (code: string) => (await env.client.approval.v4.instance.get({ path: { instance_id: code } })).data!.task_list;

describe('approval events (v1)', () => {
  it('are pushed only for subscribed definitions', async () => {
    await env.client.approval.v4.instance.create({ data: { approval_code: LEAVE_APPROVAL_CODE, user_id: 'bob', form: leaveForm, node_approver_user_id_list: [{ key: 'approvers', value: ['alice'] }] } });
    await env.client.approval.v4.approval.subscribe({ path: { approval_code: EXPENSE_APPROVAL_CODE } });
    const code = await createExpense('trip-7');
    await waitEvents(2);
    // Give any stray Leave push time to arrive before asserting there is none.
    await new Promise((r) => setTimeout(r, 200));
    const env1 = envelopes();
    expect(env1.every((e) => e.type === 'event_callback' && e.token === DEV_CREDENTIALS.verificationToken)).toBe(true);
    expect(await events()).toEqual([
      {
        app_id: env.emu.app.appId,
        tenant_key: env.emu.state.tenantKey,
        type: 'approval_instance',
        approval_code: EXPENSE_APPROVAL_CODE,
        instance_code: code,
        status: 'PENDING',
        operate_time: expect.stringMatching(/^\d{13}$/),
        instance_operate_time: expect.stringMatching(/^\d{13}$/),
        uuid: 'trip-7',
      },
      expect.objectContaining({ type: 'approval_task', instance_code: code, status: 'PENDING', open_id: ou('alice'), user_id: 'alice', custom_key: 'manager', task_id: expect.any(String) }),
    ]);
  });

  it('follow the tasks to APPROVED; after unsubscribe nothing more arrives', async () => {
    await env.client.approval.v4.approval.subscribe({ path: { approval_code: EXPENSE_APPROVAL_CODE } });
    const code = await createExpense();
    const [manager] = await tasks(code);
    // The manager hands the task to Carol, who approves; then finance approves.
    await env.client.approval.v4.task.transfer({ data: { approval_code: EXPENSE_APPROVAL_CODE, instance_code: code, task_id: manager.id, user_id: ou('alice'), transfer_user_id: ou('carol') } });
    const carol = (await tasks(code)).find((t) => t.status === 'PENDING')!;
    await env.client.approval.v4.task.approve({ data: { approval_code: EXPENSE_APPROVAL_CODE, instance_code: code, task_id: carol.id, user_id: ou('carol') } });
    const finance = (await tasks(code)).find((t) => t.status === 'PENDING')!;
    await env.client.approval.v4.task.approve({ data: { approval_code: EXPENSE_APPROVAL_CODE, instance_code: code, task_id: finance.id, user_id: ou('erin') } });
    await waitEvents(8);
    const seen = (await events()).map((e) => `${e.type === 'approval_task' ? `task ${user(env.emu, e.user_id).user_id}` : 'instance'} ${e.status}`);
    expect(seen).toEqual([
      'instance PENDING',
      'task alice PENDING',
      'task alice TRANSFERRED',
      'task carol PENDING',
      'task carol APPROVED',
      'task erin PENDING',
      'task erin APPROVED',
      'instance APPROVED',
    ]);

    await env.client.approval.v4.approval.unsubscribe({ path: { approval_code: EXPENSE_APPROVAL_CODE } });
    await createExpense();
    await new Promise((r) => setTimeout(r, 200));
    expect(rx.received).toHaveLength(8);
  });

  it('REVERTED (admin revokes an approved instance) carries operate_time as a number', async () => {
    await env.client.approval.v4.approval.subscribe({ path: { approval_code: EXPENSE_APPROVAL_CODE } });
    const code = await createExpense();
    // People acting in the client: the control routes.
    const notApproved = await env.ctl.call('POST', `/__emulator/approval/instances/${code}/revert`, {});
    expect(notApproved.status).toBe(409);
    const [manager] = await tasks(code);
    expect((await env.ctl.call('POST', `/__emulator/approval/tasks/${manager.id}/approve`, { as: ou('bob') })).status).toBe(403);
    expect((await env.ctl.call('POST', `/__emulator/approval/tasks/${manager.id}/approve`, { as: ou('alice'), comment: 'fine' })).status).toBe(200);
    const centre = (await env.ctl.call('GET', `/__emulator/approval?user=${ou('erin')}`)).body;
    expect(centre.pending).toMatchObject([{ instance_code: code, approval_name: 'Expense', task: { node_name: 'Finance', status: 'PENDING' } }]);
    const finance = centre.pending[0].task.id;
    expect((await env.ctl.call('POST', `/__emulator/approval/tasks/${finance}/approve`, { as: 'erin' })).body.instance.status).toBe('APPROVED');
    expect((await env.ctl.call('GET', `/__emulator/approval?user=alice`)).body.done).toMatchObject([{ instance_code: code, status: 'APPROVED' }]);

    const reverted = await env.ctl.call('POST', `/__emulator/approval/instances/${code}/revert`, {});
    expect(reverted.body.instance).toMatchObject({ status: 'APPROVED', reverted: true });
    await waitEvents(7);
    const last = (await events()).at(-1);
    expect(last).toMatchObject({ type: 'approval_instance', status: 'REVERTED', instance_code: code });
    expect(typeof last.operate_time).toBe('number');
    expect((await events()).filter((e) => e.type === 'approval_instance' && e.status !== 'REVERTED').every((e) => typeof e.operate_time === 'string')).toBe(true);
  });

  it('a rejection closes the instance: task REJECTED, then instance REJECTED', async () => {
    await env.client.approval.v4.approval.subscribe({ path: { approval_code: EXPENSE_APPROVAL_CODE } });
    const code = await createExpense();
    const [manager] = await tasks(code);
    await env.client.approval.v4.task.reject({ data: { approval_code: EXPENSE_APPROVAL_CODE, instance_code: code, task_id: manager.id, user_id: ou('alice'), comment: 'no' } });
    await waitEvents(4);
    expect((await events()).map((e) => `${e.type} ${e.status}`)).toEqual(['approval_instance PENDING', 'approval_task PENDING', 'approval_task REJECTED', 'approval_instance REJECTED']);
  });
});
