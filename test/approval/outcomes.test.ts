import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ActionRuns, ApprovalFormError, verifySignature, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../src/approval/index.js';
import { ApprovalState, EXPENSE_APPROVAL_CODE } from '../../src/emulator/approval/index.js';
import { DEMO_CHAT_ID } from '../../src/emulator/index.js';
import { createTestHub, type TestHub } from '../../src/testing/index.js';
import { startDownstream } from './receiver.js';

const SECRET = 'approval-outcomes-secret-0123456789';

async function until(cond: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition') {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
const settle = (ms = 1200) => new Promise((r) => setTimeout(r, ms));

/**
 * Every outcome a rule can be written for, through the typed client (hub.approvals), with every
 * approval_instance event pushed twice: each reaches its rule exactly once.
 */
describe('approval outcomes reach their rules once (events duplicated)', () => {
  let t: TestHub;
  let down: Awaited<ReturnType<typeof startDownstream>>;
  const control = (method: string, path: string, body?: unknown) =>
    fetch(`${t.emulator.url}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined }).then(async (r) => ({ status: r.status, body: (await r.json().catch(() => ({}))) as Record<string, any> }));
  const callsFor = (code: string, status: string) => down.calls.filter((c) => JSON.parse(c.body).instance_code === code && JSON.parse(c.body).status === status);
  const userId = (name: string) => t.users[name].open_id;

  beforeAll(async () => {
    process.env.APPROVAL_OUTCOMES_SECRET = SECRET;
    down = await startDownstream(() => 200);
    const http = { url: down.url, secret_env: 'APPROVAL_OUTCOMES_SECRET', allow_hosts: [`127.0.0.1:${down.port}`] };
    t = await createTestHub({
      sections: {
        approvals: {
          drain_every_ms: 200,
          reconcile_every_ms: 1000,
          approver_cards: [EXPENSE_APPROVAL_CODE],
          rules: [
            ...['APPROVED', 'REJECTED', 'CANCELED', 'REVERTED'].map((status) => ({ name: `erp-${status.toLowerCase()}`, code: EXPENSE_APPROVAL_CODE, status, http })),
            // A template naming a widget the form does not have: that run fails with the reason; the others still run.
            { name: 'broken-template', code: EXPENSE_APPROVAL_CODE, status: 'REJECTED', message: { to: '${applicant.open_id}', text: 'cost centre ${form.cost_centre}' } },
            { name: 'tell-applicant', code: EXPENSE_APPROVAL_CODE, status: 'REJECTED', message: { to: '${applicant.open_id}', text: 'Your expense "${form.reason}" (${form.amount}) was rejected: ${opinion}' } },
            {
              name: 'finance-card',
              code: EXPENSE_APPROVAL_CODE,
              status: 'APPROVED',
              message: { to: DEMO_CHAT_ID, card: { schema: '2.0', header: { title: { tag: 'plain_text', content: 'Paid out: ${form.reason}' }, template: 'green' }, body: { elements: [{ tag: 'markdown', content: 'Amount **${form.amount}** for ${applicant.user_id}' }] } } },
            },
          ],
        },
      },
    });
    await control('POST', '/__emulator/faults/events', { duplicate: true, event_type: 'approval_instance' });
  });
  afterAll(async () => {
    await t?.close();
    await down?.close();
    delete process.env.APPROVAL_OUTCOMES_SECRET;
  });

  const file = (reason: string, amount = 120) => t.hub.approvals.create({ code: EXPENSE_APPROVAL_CODE, user: 'bob', form: { amount: `${amount} CNY`, reason, date: '2026-12-01T09:00:00+08:00' } }).then((r) => r.instance_code);
  /** Approves the next pending task as whoever holds it. */
  const approveNext = async (code: string, comment = 'ok') => {
    const inst = await t.hub.approvals.get(code);
    const task = inst.tasks.find((x) => x.status === 'PENDING')!;
    await t.hub.approvals.approve({ instance: code, as: task.assignee.open_id, comment });
  };

  it('the typed client checks the form against the definition before anything is sent', async () => {
    const instances = () => t.emulator.context.slice(ApprovalState).instances.size;
    const before = instances();
    const err = await t.hub.approvals.create({ code: EXPENSE_APPROVAL_CODE, user: 'bob', form: { amount: 'lots', reasn: 'typo' } }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApprovalFormError);
    const problems = (err as ApprovalFormError).problems.map((p) => p.widgetId);
    expect(problems).toEqual(expect.arrayContaining(['reasn', 'amount']));
    expect(instances()).toBe(before);
  });

  it('a rejected instance with a comment: one signed call carrying the comment, and the applicant is told why', async () => {
    const code = await file('first-class flight', 4000);
    const inst = await t.hub.approvals.get(code);
    const task = inst.tasks.find((x) => x.status === 'PENDING')!;
    await t.hub.approvals.reject({ instance: code, as: task.assignee.open_id, comment: 'over the travel budget' });
    await until(() => callsFor(code, 'REJECTED').length > 0, 10_000, 'the REJECTED call');
    await settle();
    const calls = callsFor(code, 'REJECTED');
    expect(calls).toHaveLength(1);
    const body = JSON.parse(calls[0].body);
    expect(verifySignature(SECRET, calls[0].headers[TIMESTAMP_HEADER.toLowerCase()] as string, calls[0].body, calls[0].headers[SIGNATURE_HEADER.toLowerCase()] as string)).toBe(true);
    expect(body.instance).toMatchObject({ opinion: 'over the travel budget', applicant: { user_id: 'bob' }, form: { amount: 4000, reason: 'first-class flight' } });
    const told = t.messages().concat([...t.emulator.state.messages.values()]).filter((m) => m.sender.id === t.emulator.app.appId && m.content.includes('first-class flight') && m.content.includes('over the travel budget'));
    expect(new Set(told.map((m) => m.message_id)).size).toBe(1);
    expect(callsFor(code, 'APPROVED')).toHaveLength(0);
  });

  it('a canceled instance reaches the CANCELED rule once', async () => {
    const code = await file('taxi to nowhere');
    await until(async () => (await t.hub.approvals.get(code)).status === 'PENDING', 3000, 'the instance');
    await t.hub.approvals.cancel({ instance: code, as: 'bob' });
    await until(() => callsFor(code, 'CANCELED').length > 0, 10_000, 'the CANCELED call');
    await settle();
    expect(callsFor(code, 'CANCELED')).toHaveLength(1);
    expect(down.calls.filter((c) => JSON.parse(c.body).instance_code === code)).toHaveLength(1);
  });

  it('a transferred task: the new approver gets the card, approves, and APPROVED fires once (with the finance card posted once)', async () => {
    const code = await file('team lunch');
    const inst = await t.hub.approvals.get(code);
    const first = inst.tasks.find((x) => x.status === 'PENDING')!;
    await t.hub.approvals.transfer({ instance: code, as: first.assignee.open_id, to: userId('carol'), comment: 'Carol knows this team' });
    // Carol now holds a task, and the bot sent her the approval card for it.
    await until(
      () => [...t.emulator.state.messages.values()].some((m) => m.msg_type === 'interactive' && m.sender.id === t.emulator.app.appId && m.content.includes(code) && t.emulator.state.chats.get(m.chat_id)?.chat_mode === 'p2p' && t.emulator.state.chats.get(m.chat_id)!.members.includes(userId('carol'))),
      5000,
      'the approval card for Carol',
    );
    await t.hub.approvals.approve({ instance: code, as: userId('carol'), comment: 'fine' });
    await approveNext(code);
    await until(() => callsFor(code, 'APPROVED').length > 0, 10_000, 'the APPROVED call');
    await settle();
    expect(callsFor(code, 'APPROVED')).toHaveLength(1);
    const cards = t.messages().filter((m) => m.msg_type === 'interactive' && m.content.includes('Paid out: team lunch'));
    expect(cards).toHaveLength(1);
    expect(JSON.parse(cards[0].content).body.elements[0].content).toContain('**120**');
  });

  it('a REVERTED instance (revoked after approval; operate_time a number) reaches the REVERTED rule once, after APPROVED', async () => {
    const code = await file('conference ticket');
    await approveNext(code);
    await approveNext(code);
    await until(() => callsFor(code, 'APPROVED').length > 0, 10_000, 'the APPROVED call');
    const revoked = await control('POST', `/__emulator/approval/instances/${code}/revert`);
    expect(revoked.status).toBe(200);
    await until(() => callsFor(code, 'REVERTED').length > 0, 10_000, 'the REVERTED call');
    await settle();
    expect(callsFor(code, 'REVERTED')).toHaveLength(1);
    expect(callsFor(code, 'APPROVED')).toHaveLength(1);
    expect(JSON.parse(callsFor(code, 'REVERTED')[0].body)).toMatchObject({ from: 'APPROVED', status: 'REVERTED', instance: { status: 'REVERTED' } });
  });

  it('a rule whose template cannot render fails once with the reason, sends nothing, and leaves the other rules alone', async () => {
    const runs = new ActionRuns(t.hub.store!);
    const rejected = (await runs.list({ state: 'failed' })).filter((r) => r.rule === 'broken-template');
    expect(rejected.length).toBeGreaterThanOrEqual(1);
    expect(rejected[0]).toMatchObject({ attempts: 1, lastError: expect.stringContaining('${form.cost_centre} is not set') });
    expect([...t.emulator.state.messages.values()].some((m) => m.content.includes('cost centre'))).toBe(false);
    const told = await runs.get(`${rejected[0].instanceCode}:REJECTED:tell-applicant`);
    expect(told?.state).toBe('done');
  });
});

