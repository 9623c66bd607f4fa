import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { APPROVAL_BOT } from '../../src/emulator/approval/index.js';
import { DEV_CREDENTIALS, type EmulatorOptions } from '../../src/emulator/index.js';
import { useEmulator } from '../helpers/emulator.js';
import { approve, createExpense, EXPENSE_APPROVAL_CODE, expenseForm, openId, PURCHASE_APPROVAL_CODE, purchaseForm } from './approval-helpers.js';
import { startReceiver, waitUntil } from './events-receiver.js';

let rx: Awaited<ReturnType<typeof startReceiver>>;
// useEmulator reads the options when its beforeAll runs, after the receiver has started.
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

const cipher = new lark.AESCipher(DEV_CREDENTIALS.encryptKey);
/** The envelopes in arrival order, decrypted. */
const arrived = () => rx.received.map((r) => JSON.parse(cipher.decrypt(r.json.encrypt)));
/** The envelopes in the order the emulator published them (the event log's order). */
async function published() {
  const log = (await env.ctl.call('GET', '/__emulator/events')).body.events as { event_id: string }[];
  const at = new Map(log.map((e, i) => [e.event_id, i]));
  return arrived().sort((a, b) => at.get(a.uuid ?? a.header.event_id)! - at.get(b.uuid ?? b.header.event_id)!);
}
const waitEvents = (n: number) => waitUntil(() => rx.received.length >= n, 5000, () => `expected ${n} pushes, got ${rx.received.length}`);
const subscribe = (code: string) => env.client.approval.v4.approval.subscribe({ path: { approval_code: code } });

describe('approval events: the documented sequences and shapes', () => {
  it('AND: approving one task re-pushes the node’s other PENDING task, as the task-event page says', async () => {
    await subscribe(PURCHASE_APPROVAL_CODE);
    const res = await env.client.approval.v4.instance.create({ data: { approval_code: PURCHASE_APPROVAL_CODE, user_id: 'bob', form: purchaseForm(), uuid: 'po-7' } });
    const code = res.data!.instance_code;
    await approve(env.client, PURCHASE_APPROVAL_CODE, code, openId(env.emu, 'erin'));
    await approve(env.client, PURCHASE_APPROVAL_CODE, code, openId(env.emu, 'alice'));
    await waitEvents(7);
    const events = (await published()).map((e) => e.event);
    expect(events.map((e) => `${e.type} ${e.status} ${e.user_id ?? ''}`.trim())).toEqual([
      'approval_instance PENDING',
      'approval_task PENDING alice',
      'approval_task PENDING erin',
      'approval_task APPROVED erin',
      'approval_task PENDING alice',
      'approval_task APPROVED alice',
      'approval_instance APPROVED',
    ]);
    // The create-time uuid is echoed on instance events; task events name the node.
    expect(events[0]).toMatchObject({ app_id: env.emu.app.appId, approval_code: PURCHASE_APPROVAL_CODE, instance_code: code, uuid: 'po-7' });
    expect(events[0].operate_time).toMatch(/^\d{13}$/);
    expect(events[1]).toMatchObject({ custom_key: 'budget_owners', open_id: openId(env.emu, 'alice'), extra: '' });
  });

  it('approval_cc: CREATE when copied (API or a node’s cc), READ when the person opens it', async () => {
    await subscribe(EXPENSE_APPROVAL_CODE);
    const code = await createExpense(env.client, env.emu, { node_cc_user_id_list: [{ key: 'finance', value: ['carol'] }] });
    await env.client.approval.v4.instance.cc({ data: { approval_code: EXPENSE_APPROVAL_CODE, instance_code: code, user_id: openId(env.emu, 'bob'), cc_user_ids: [openId(env.emu, 'dave')] } });
    await approve(env.client, EXPENSE_APPROVAL_CODE, code, openId(env.emu, 'alice'));
    expect((await env.ctl.call('POST', `/__emulator/approval/instances/${code}/read`, { as: 'dave' })).body).toEqual({ read: 1 });
    expect((await env.ctl.call('POST', `/__emulator/approval/instances/${code}/read`, { as: 'dave' })).body).toEqual({ read: 0 });
    // instance PENDING, task alice PENDING, cc dave, task alice APPROVED, cc carol, task erin PENDING, READ dave.
    await waitEvents(7);
    const cc = (await published()).map((e) => e.event).filter((e) => e.type === 'approval_cc');
    expect(cc.map((e) => [e.user_id, e.operate, e.from])).toEqual([
      ['dave', 'CREATE', 'bob'],
      ['carol', 'CREATE', ''],
      ['dave', 'READ', 'bob'],
    ]);
    expect(typeof cc[0].create_time).toBe('number');
  });

  it('approval.approval.updated_v4 (v2) when a subscribed definition changes', async () => {
    await subscribe(EXPENSE_APPROVAL_CODE);
    await env.ctl.call('POST', `/__emulator/approval/definitions/${EXPENSE_APPROVAL_CODE}/status`, { status: 'INACTIVE' });
    await waitEvents(1);
    const [e] = arrived();
    expect(e.schema).toBe('2.0');
    expect(e.header.event_type).toBe('approval.approval.updated_v4');
    expect(e.event.object).toMatchObject({ approval_code: EXPENSE_APPROVAL_CODE, approval_id: '7100000000000000001', widget_group_type: 0 });
  });

  it('delivery faults apply: a duplicated approval_instance arrives twice with one uuid', async () => {
    await subscribe(EXPENSE_APPROVAL_CODE);
    await env.ctl.call('POST', '/__emulator/faults/events', { duplicate: true, count: 1, event_type: 'approval_instance' });
    await createExpense(env.client, env.emu);
    await waitEvents(3);
    const instance = arrived().filter((e) => e.event.type === 'approval_instance');
    expect(instance).toHaveLength(2);
    expect(instance[0].uuid).toBe(instance[1].uuid);
  });

  it('delivery faults apply: reordered approval_task events arrive reversed', async () => {
    await subscribe(EXPENSE_APPROVAL_CODE);
    await env.ctl.call('POST', '/__emulator/faults/events', { reorder: 2, count: 2, event_type: 'approval_task' });
    const code = await createExpense(env.client, env.emu);
    await approve(env.client, EXPENSE_APPROVAL_CODE, code, openId(env.emu, 'alice'));
    await waitEvents(4);
    const tasks = arrived().filter((e) => e.event.type === 'approval_task');
    expect(tasks.slice(0, 2).map((e) => e.event.status)).toEqual(['APPROVED', 'PENDING']);
  });
});

describe('the platform’s Approval bot', () => {
  const botChat = (key: string) => [...env.emu.state.chats.values()].find((c) => c.chat_mode === 'p2p' && c.bots.includes(APPROVAL_BOT.appId) && c.members.includes(openId(env.emu, key)));
  const cardsTo = (key: string) => {
    const chat = botChat(key);
    return chat ? [...env.emu.state.messages.values()].filter((m) => m.chat_id === chat.chat_id).map((m) => JSON.parse(m.content).header.title.content as string) : [];
  };

  it('tells the applicant and each approver in its p2p chat, with no subscription needed', async () => {
    const code = await createExpense(env.client, env.emu);
    expect(cardsTo('bob')).toEqual(['Your Expense request was submitted']);
    expect(cardsTo('alice')).toEqual(["Bob Li's Expense request needs your approval"]);
    await approve(env.client, EXPENSE_APPROVAL_CODE, code, openId(env.emu, 'alice'));
    expect(cardsTo('erin')).toEqual(["Bob Li's Expense request needs your approval"]);
    await approve(env.client, EXPENSE_APPROVAL_CODE, code, openId(env.emu, 'erin'));
    expect(cardsTo('bob')).toEqual(['Your Expense request was submitted', 'Your Expense request was approved']);
    // The app got nothing: it subscribed no definition.
    expect(rx.received).toHaveLength(0);

    const web = (await env.ctl.call('GET', `/__emulator/web/state?chat=${botChat('bob')!.chat_id}`)).body;
    expect(web.chats.find((c: { chat_id: string }) => c.chat_id === botChat('bob')!.chat_id)).toMatchObject({ mode: 'p2p', name: 'Bob Li', label: 'Direct with Approval' });
    expect(web.messages.map((m: { sender: { name: string; kind: string } }) => m.sender)).toMatchObject([
      { kind: 'app', name: 'Approval' },
      { kind: 'app', name: 'Approval' },
    ]);
    const card = web.messages[0].content;
    expect(card.elements.at(-1).actions[0].url).toBe(`/#/approval/initiated?instance=${code}&as=${openId(env.emu, 'bob')}`);
  });

  it('stays quiet about the outcomes cancel_bot_notification names; reminds approvers on request', async () => {
    const code = await createExpense(env.client, env.emu, { cancel_bot_notification: '3' });
    const inst = (await env.client.approval.v4.instance.get({ path: { instance_id: code } })).data!;
    await env.client.approval.v4.instance.remind({ data: { instance_code: code, task_ids: [inst.task_list[0].id], comment: 'Flight is tomorrow' } });
    expect(cardsTo('alice')).toEqual(["Bob Li's Expense request needs your approval", "Reminder: Bob Li's Expense request is waiting for you"]);
    await env.client.approval.v4.task.reject({ data: { approval_code: EXPENSE_APPROVAL_CODE, instance_code: code, user_id: openId(env.emu, 'alice'), task_id: inst.task_list[0].id } });
    expect(cardsTo('bob')).toEqual(['Your Expense request was submitted']);
    const quiet = await env.client.approval.v4.instance.create({ data: { approval_code: EXPENSE_APPROVAL_CODE, user_id: 'carol', form: expenseForm(), cancel_bot_notification: '4' } });
    await env.client.approval.v4.instance.cancel({ data: { approval_code: EXPENSE_APPROVAL_CODE, instance_code: quiet.data!.instance_code, user_id: openId(env.emu, 'carol') } });
    expect(cardsTo('carol')).toEqual(['Your Expense request was submitted']);
  });
});
