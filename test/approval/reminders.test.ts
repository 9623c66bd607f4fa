import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TaskReminders } from '../../src/approval/index.js';
import { APPROVAL_BOT, EXPENSE_APPROVAL_CODE } from '../../src/emulator/approval/index.js';
import { createTestHub, type TestHub } from '../../src/testing/index.js';
import { approvalBackends } from './stores.js';

const backends = await approvalBackends();

for (const backend of backends) {
  describe.skipIf(backend.skip)(`reminder claims (${backend.name})`, () => {
    afterAll(() => backend.cleanup());

    it('two replicas racing for the same tasks remind each once per interval, and a failed reminder gives its claim back', async () => {
      const store = await backend.open();
      const other = await backend.reopen(store);
      const a = new TaskReminders(store);
      const b = new TaskReminders(other);
      const tasks = Array.from({ length: 20 }, (_, i) => `task-${i}`);
      const t0 = 1_800_000_000_000;
      const first = await Promise.all(tasks.flatMap((id) => [a.claim(id, 'inst', t0, 60_000), b.claim(id, 'inst', t0 + 1, 60_000)]));
      expect(first.filter((c) => c.claimed)).toHaveLength(20);
      // Within the interval: nobody may remind again.
      const soon = await Promise.all(tasks.map((id) => b.claim(id, 'inst', t0 + 30_000, 60_000)));
      expect(soon.some((c) => c.claimed)).toBe(false);
      // After it: once more each, whoever races.
      const later = await Promise.all(tasks.flatMap((id) => [a.claim(id, 'inst', t0 + 61_000, 60_000), b.claim(id, 'inst', t0 + 61_001, 60_000)]));
      expect(later.filter((c) => c.claimed)).toHaveLength(20);
      expect(await a.count('task-0')).toBe(2);
      // The send failed: the claim is given back, so the next run may try again.
      const c = await a.claim('task-x', 'inst', t0, 60_000);
      await a.release('task-x', t0, c.previous);
      expect((await b.claim('task-x', 'inst', t0 + 5, 60_000)).claimed).toBe(true);
    });
  });
}

describe('the reminders job against the emulator', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await createTestHub({
      sections: { approvals: { reconcile_every_ms: 60_000, reminders: { codes: [EXPENSE_APPROVAL_CODE], after_ms: 1000, every_ms: 60_000, check_every_ms: 1000, comment: 'Expenses are paid on Friday: please decide.' } } },
    });
  });
  afterAll(() => t?.close());

  /** The Approval bot's reminders in a user's p2p chat. */
  const remindersTo = (userId: string) =>
    [...t.emulator.state.messages.values()].filter(
      (m) => m.sender.id === APPROVAL_BOT.appId && m.content.includes('Reminder:') && t.emulator.state.chats.get(m.chat_id)?.members.includes(t.users[userId].open_id),
    );

  it('a task pending longer than after_ms gets the platform reminder once per every_ms, with the configured text', async () => {
    const before = remindersTo('alice').length;
    const { instance_code } = await t.hub.approvals.create({ code: EXPENSE_APPROVAL_CODE, user: 'bob', form: { amount: '80 CNY', reason: 'books', date: '2026-12-01T09:00:00+08:00' } });
    const holder = (await t.hub.approvals.get(instance_code)).tasks.find((x) => x.status === 'PENDING')!.assignee.user_id;
    const end = Date.now() + 8000;
    while (remindersTo(holder).length <= (holder === 'alice' ? before : 0) && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
    const got = remindersTo(holder).filter((m) => m.content.includes('Expenses are paid on Friday'));
    expect(got).toHaveLength(1);
    // Three more job runs inside the interval: still one.
    await new Promise((r) => setTimeout(r, 3200));
    expect(remindersTo(holder).filter((m) => m.content.includes('Expenses are paid on Friday'))).toHaveLength(1);
    // The claim row in the hub database says it was reminded once.
    expect(await new TaskReminders(t.hub.store!).count((await t.hub.approvals.get(instance_code)).tasks.find((x) => x.status === 'PENDING')!.id)).toBe(1);
  });
});
