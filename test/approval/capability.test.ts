import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifySignature, SIGNATURE_HEADER, TIMESTAMP_HEADER } from '../../src/approval/index.js';
import type { Hub } from '../../src/index.js';
import type { EmulatorHandle } from '../../src/emulator/index.js';
import { EXPENSE_APPROVAL_CODE } from '../../src/emulator/approval/index.js';
import { createTestHub, type TestHub } from '../../src/testing/index.js';

const SECRET = 'approval-hook-secret-for-tests-0123';

/** The downstream system: verifies every call's signature; can be told to fail the first N calls. */
async function downstream() {
  const calls: { body: Record<string, any>; verified: boolean; key?: string }[] = [];
  let failFirst = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      if (failFirst > 0) {
        failFirst--;
        res.writeHead(503).end();
        return;
      }
      const verified = verifySignature(SECRET, req.headers[TIMESTAMP_HEADER.toLowerCase()] as string, raw, req.headers[SIGNATURE_HEADER.toLowerCase()] as string);
      calls.push({ body: JSON.parse(raw), verified, key: req.headers['idempotency-key'] as string });
      res.writeHead(verified ? 200 : 401).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { calls, url: `http://127.0.0.1:${port}/hook`, host: `127.0.0.1:${port}`, failNext: (n: number) => (failFirst = n), close: () => new Promise((r) => server.close(r)) };
}

async function until(cond: () => boolean | Promise<boolean>, ms = 10_000, what = 'condition') {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('approval capability against the emulator', () => {
  let emu: EmulatorHandle;
  let hub: Hub;
  let down: Awaited<ReturnType<typeof downstream>>;
  const listenerRuns: string[] = [];
  const control = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(`${emu.url}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
    return { status: res.status, body: (await res.json().catch(() => ({}))) as Record<string, any> };
  };

  /** Bob files an expense; Alice then Erin approve it, as people do in the client. */
  async function fileExpense(reason: string) {
    const form = JSON.stringify([
      { id: 'amount', type: 'amount', value: 120 },
      { id: 'reason', type: 'textarea', value: reason },
      { id: 'date', type: 'date', value: '2026-12-01T09:00:00+08:00' },
    ]);
    const res = await hub.platform.sdk.approval.v4.instance.create({ data: { approval_code: EXPENSE_APPROVAL_CODE, user_id: 'bob', form } });
    return res.data!.instance_code!;
  }
  /** Each pending task is approved by its approver through the task API, node after node. */
  async function approveAll(code: string) {
    for (let round = 0; round < 2; round++) {
      const inst = (await hub.platform.sdk.approval.v4.instance.get({ path: { instance_id: code } })).data!;
      const task = inst.task_list!.find((t) => t.status === 'PENDING')!;
      await hub.platform.sdk.approval.v4.task.approve({
        params: { user_id_type: 'open_id' },
        data: { approval_code: EXPENSE_APPROVAL_CODE, instance_code: code, user_id: task.open_id!, task_id: task.id!, comment: 'ok' },
      });
    }
    const after = (await hub.platform.sdk.approval.v4.instance.get({ path: { instance_id: code } })).data!;
    expect(after.status).toBe('APPROVED');
  }
  const recorded = async (code: string) => (await hub.store!.db.selectFrom('approval_instances' as never).selectAll().where('instance_code' as never, '=', code as never).executeTakeFirst()) as { status: string } | undefined;

  let t: TestHub;
  beforeAll(async () => {
    process.env.APPROVAL_HOOK_SECRET = SECRET;
    down = await downstream();
    t = await createTestHub({
      sections: {
        approvals: {
          reconcile_every_ms: 1000,
          approver_cards: [EXPENSE_APPROVAL_CODE],
          drain_every_ms: 200,
          rules: [{ name: 'erp', code: EXPENSE_APPROVAL_CODE, status: 'APPROVED', http: { url: down.url, secret_env: 'APPROVAL_HOOK_SECRET', allow_hosts: [down.host] } }],
        },
      },
      setup: (h) => h.approval(EXPENSE_APPROVAL_CODE).on('APPROVED', ({ instanceCode }) => void listenerRuns.push(instanceCode)),
    });
    emu = t.emulator;
    hub = t.hub;
  });
  afterAll(async () => {
    await t?.close();
    await down?.close();
    delete process.env.APPROVAL_HOOK_SECRET;
  });

  it('subscribes at start; an approved instance reaches the downstream system exactly once, signed, even with events duplicated and reordered', async () => {
    // Every approval_instance push is sent twice, and PENDING and APPROVED arrive swapped.
    await control('POST', '/__emulator/faults/events', { duplicate: true, event_type: 'approval_instance' });
    await control('POST', '/__emulator/faults/events', { reorder: 2, event_type: 'approval_instance' });
    try {
      const code = await fileExpense('taxi');
      await approveAll(code);
      await until(() => down.calls.some((c) => c.body.instance_code === code), 10_000, 'the downstream call');
      await new Promise((r) => setTimeout(r, 1500)); // late duplicates and a reconcile round have come and gone
      const mine = down.calls.filter((c) => c.body.instance_code === code);
      expect(mine).toHaveLength(1);
      expect(mine[0]).toMatchObject({ verified: true, key: `${code}:APPROVED:erp`, body: { status: 'APPROVED', approval_code: EXPENSE_APPROVAL_CODE, rule: 'erp' } });
      expect(listenerRuns.filter((c) => c === code)).toHaveLength(1);
      const pushes = ((await control('GET', '/__emulator/events')).body.events as { type: string; envelope: { event: { instance_code?: string } }; attempts: unknown[] }[]).filter((e) => e.type === 'approval_instance' && e.envelope.event.instance_code === code);
      expect(pushes.length).toBeGreaterThanOrEqual(2);
    } finally {
      await control('DELETE', '/__emulator/faults');
    }
  });

  it('a downstream system failing three times is retried and reached once', async () => {
    down.failNext(3);
    const code = await fileExpense('hotel');
    await approveAll(code);
    await until(() => down.calls.some((c) => c.body.instance_code === code), 20_000, 'the retried downstream call');
    await new Promise((r) => setTimeout(r, 500));
    expect(down.calls.filter((c) => c.body.instance_code === code)).toHaveLength(1);
  }, 30_000);

  it('with event pushes off while it is approved, the reconcile job still delivers the outcome, once', async () => {
    const code = await fileExpense('conference');
    await until(async () => (await recorded(code))?.status === 'PENDING', 5000, 'the PENDING event');
    await control('PATCH', `/__emulator/apps/${emu.app.appId}`, { event_url: null });
    try {
      await approveAll(code);
      await until(() => down.calls.some((c) => c.body.instance_code === code), 10_000, 'the reconciled downstream call');
      await new Promise((r) => setTimeout(r, 1500));
      expect(down.calls.filter((c) => c.body.instance_code === code)).toHaveLength(1);
      expect(listenerRuns.filter((c) => c === code)).toHaveLength(1);
    } finally {
      await control('PATCH', `/__emulator/apps/${emu.app.appId}`, { event_url: `${hub.url}/webhook/event` });
    }
  });

  /** The approval card the bot sent `userId` for this instance (in their p2p chat with the bot). */
  async function cardFor(userId: string, code: string) {
    const openId = emu.state.users.find((u) => u.user_id === userId)!.open_id;
    let found: { message_id: string } | undefined;
    await until(() => {
      found = [...emu.state.messages.values()].find((m) => m.msg_type === 'interactive' && m.sender.id === emu.app.appId && m.content.includes(code) && emu.state.chats.get(m.chat_id)?.members.includes(openId) && emu.state.chats.get(m.chat_id)?.chat_mode === 'p2p');
      return Boolean(found);
    }, 5000, `the approval card for ${userId}`);
    return { messageId: found!.message_id, openId };
  }
  /** Bob's name as the directory (contact API) gives it: the cards' titles use it. */
  const bobName = () => emu.state.users.find((u) => u.user_id === 'bob')!.name;
  const click = async (messageId: string, operator: string, action: string, code: string, formValue: Record<string, unknown> = {}) => {
    const msg = emu.state.messages.get(messageId)!;
    // A 2.0 button carries its value in a callback behavior.
    const valueOf = (e: any) => e.value ?? e.behaviors?.find((b: any) => b.type === 'callback')?.value;
    const value = JSON.parse(msg.content).body?.elements?.flatMap((e: any) => e.elements ?? []).map(valueOf).find((v: any) => v?.action === action);
    expect(value).toMatchObject({ action, instance: code });
    return (await control('POST', `/__emulator/messages/${messageId}/actions`, { operator, value, form_value: formValue, tag: 'button' })).body;
  };

  it('the approver gets the approval card; only they can decide; Approve acts on the task and updates the card', async () => {
    const code = await fileExpense('client dinner');
    const alice = await cardFor('alice', code);
    const content = emu.state.messages.get(alice.messageId)!.content;
    expect(content).toContain('client dinner');
    expect(content).toContain('120');
    // The card forwarded into a group: Bob sees it there, but the task is Alice's.
    const bob = emu.state.users.find((u) => u.user_id === 'bob')!.open_id;
    const demo = [...emu.state.chats.values()].find((c) => c.name === 'feishu-hub demo')!.chat_id;
    const copy = await hub.messenger.send(demo, { msgType: 'interactive', content: JSON.parse(content) });
    expect(JSON.stringify(await click(copy.message_id, bob, 'approval.approve', code))).toContain('Only the approver this task is assigned to can decide it.');
    const answer = await click(alice.messageId, alice.openId, 'approval.approve', code, { comment: 'enjoy' });
    expect(JSON.stringify(answer)).toContain('Approved');
    expect(JSON.parse(emu.state.messages.get(alice.messageId)!.content).header.title.content).toBe(`Approved: Expense from ${bobName()}`);
    // The next node's approver (Finance: Erin) gets hers; a reject needs a comment.
    const erin = await cardFor('erin', code);
    expect(JSON.stringify(await click(erin.messageId, erin.openId, 'approval.reject', code))).toContain('Please write why you reject it');
    await click(erin.messageId, erin.openId, 'approval.reject', code, { comment: 'no receipt' });
    const after = (await hub.platform.sdk.approval.v4.instance.get({ path: { instance_id: code } })).data!;
    expect(after.status).toBe('REJECTED');
    expect(JSON.parse(emu.state.messages.get(erin.messageId)!.content).header.title.content).toBe(`Rejected: Expense from ${bobName()}`);
  });
});
