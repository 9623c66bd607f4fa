import type * as lark from '@larksuiteoapi/node-sdk';
import { EXPENSE_APPROVAL_CODE, LEAVE_APPROVAL_CODE, PURCHASE_APPROVAL_CODE } from '../../src/emulator/approval/index.js';
import type { EmulatorHandle } from '../../src/emulator/index.js';
import { user } from '../helpers/im.js';

export { EXPENSE_APPROVAL_CODE, LEAVE_APPROVAL_CODE, PURCHASE_APPROVAL_CODE };

/** Seeded people by key (alice, bob, carol, dave, erin). */
export const openId = (emu: EmulatorHandle, key: string) => user(emu, key).open_id;

export const expenseForm = (amount = '120.50', reason = 'Team lunch') =>
  JSON.stringify([
    { id: 'amount', type: 'amount', value: amount },
    { id: 'reason', type: 'textarea', value: reason },
    { id: 'date', type: 'date', value: '2026-03-02T00:00:00+08:00' },
  ]);

export const leaveForm = () =>
  JSON.stringify([
    { id: 'leave_type', type: 'radioV2', value: 'annual' },
    { id: 'period', type: 'dateInterval', value: { start: '2026-04-01T09:00:00+08:00', end: '2026-04-03T18:00:00+08:00', interval: 3 } },
  ]);

export const purchaseForm = () =>
  JSON.stringify([
    { id: 'item', type: 'input', value: 'Laptop' },
    { id: 'quantity', type: 'number', value: '2' },
    { id: 'amount', type: 'amount', value: '3000' },
  ]);

/** Bob asks for an expense (manager Alice, then finance Erin). */
export async function createExpense(client: lark.Client, emu: EmulatorHandle, extra: Record<string, unknown> = {}) {
  const res = await client.approval.v4.instance.create({ data: { approval_code: EXPENSE_APPROVAL_CODE, open_id: openId(emu, 'bob'), form: expenseForm(), ...extra } });
  return res.data!.instance_code;
}

export async function getInstance(client: lark.Client, code: string) {
  const res = await client.approval.v4.instance.get({ path: { instance_id: code } });
  return res.data!;
}

/** The pending task of a person in an instance. */
export async function pendingTask(client: lark.Client, code: string, who: string) {
  const inst = await getInstance(client, code);
  const t = inst.task_list.find((x) => x.open_id === who && x.status === 'PENDING');
  if (!t) throw new Error(`no pending task for ${who}: ${JSON.stringify(inst.task_list)}`);
  return t;
}

export async function approve(client: lark.Client, approvalCode: string, code: string, who: string, comment?: string) {
  const t = await pendingTask(client, code, who);
  return client.approval.v4.task.approve({ data: { approval_code: approvalCode, instance_code: code, user_id: who, task_id: t.id, ...(comment ? { comment } : {}) } });
}
