import { afterAll, describe, expect, it } from 'vitest';
import { ActionRuns, ApprovalStateMachine, parseOperateTime, type EffectsFor } from '../../src/approval/index.js';
import { approvalBackends } from './stores.js';

const backends = await approvalBackends();

// Every status gets one http rule, so the outbox shows exactly which transitions fired.
const oneRule: EffectsFor = (t) => [{ rule: `notify-${t.to.toLowerCase()}`, action: 'http', payload: { instance: t.instanceCode, status: t.to } }];

describe('operate_time', () => {
  it('is a ms string in v1 events, a number on REVERTED, sometimes seconds', () => {
    expect(parseOperateTime('1700000000123')).toBe(1700000000123);
    expect(parseOperateTime(1700000000123)).toBe(1700000000123);
    expect(parseOperateTime(1700000000)).toBe(1700000000000);
    expect(parseOperateTime('', 42)).toBe(42);
    expect(parseOperateTime(undefined, 42)).toBe(42);
  });
});

for (const { backend, skip } of backends.map((b) => ({ backend: b, skip: b.skip }))) {
  describe.skipIf(skip)(`approval state machine (${backend.name})`, () => {
    afterAll(() => backend.cleanup());

    it('fires each forward transition once and ignores repeats and late, backwards statuses', async () => {
      const store = await backend.open();
      const machine = new ApprovalStateMachine(store, oneRule);
      const runs = new ActionRuns(store);
      const apply = (status: Parameters<typeof machine.applyStatus>[1], t: string | number) => machine.applyStatus('inst-1', status, t, { approvalCode: 'APPR' });

      expect(await apply('PENDING', '1000')).toMatchObject({ outcome: 'transition', fired: true, transition: { from: null, to: 'PENDING', approvalCode: 'APPR' } });
      expect(await apply('APPROVED', '2000')).toMatchObject({ outcome: 'transition', fired: true, enqueued: ['inst-1:APPROVED:notify-approved'] });
      // Feishu pushes twice, and a late PENDING arrives after the outcome.
      expect(await apply('APPROVED', '2000')).toEqual({ outcome: 'ignored', reason: 'repeat', current: 'APPROVED' });
      expect(await apply('PENDING', '1000')).toEqual({ outcome: 'ignored', reason: 'backwards', current: 'APPROVED' });
      expect(await apply('REJECTED', '2500')).toEqual({ outcome: 'ignored', reason: 'backwards', current: 'APPROVED' });
      // REVERTED carries operate_time as a number.
      expect(await apply('REVERTED', 1700000003000)).toMatchObject({ outcome: 'transition', transition: { from: 'APPROVED', to: 'REVERTED', operateTime: 1700000003000 } });
      expect(await apply('APPROVED', '2000')).toMatchObject({ outcome: 'ignored', reason: 'backwards' });

      expect((await machine.get('inst-1'))?.status).toBe('REVERTED');
      expect((await machine.history('inst-1')).map((h) => h.to)).toEqual(['PENDING', 'APPROVED', 'REVERTED']);
      expect((await runs.list({ instanceCode: 'inst-1' })).map((r) => r.id).sort()).toEqual(['inst-1:APPROVED:notify-approved', 'inst-1:PENDING:notify-pending', 'inst-1:REVERTED:notify-reverted']);
    });

    it('takes an outcome seen first (the PENDING event was missed) and handles the overtime round trip', async () => {
      const store = await backend.open();
      const machine = new ApprovalStateMachine(store, oneRule);
      expect(await machine.applyStatus('inst-2', 'CANCELED', '5')).toMatchObject({ outcome: 'transition', transition: { from: null, to: 'CANCELED' } });
      expect(await machine.applyStatus('inst-2', 'PENDING', '1')).toMatchObject({ outcome: 'ignored', reason: 'backwards' });

      await machine.applyStatus('inst-3', 'PENDING', '1');
      expect(await machine.applyStatus('inst-3', 'OVERTIME_CLOSE', '2')).toMatchObject({ fired: true });
      expect(await machine.applyStatus('inst-3', 'OVERTIME_RECOVER', '3')).toMatchObject({ fired: true });
      expect((await machine.undecided()).map((i) => i.instanceCode)).toEqual(['inst-3']);
      // Closed again after the recover: the status follows, but the OVERTIME_CLOSE effect ran already.
      expect(await machine.applyStatus('inst-3', 'OVERTIME_CLOSE', '4')).toMatchObject({ outcome: 'transition', fired: false, enqueued: [] });
      expect(await machine.applyStatus('inst-3', 'DELETED', '5')).toMatchObject({ fired: true });
      expect(await machine.applyStatus('inst-3', 'OVERTIME_RECOVER', '6')).toMatchObject({ outcome: 'ignored', reason: 'backwards', current: 'DELETED' });
    });

    it('records nothing when enqueuing the effects fails, so the retried event decides again', async () => {
      const store = await backend.open();
      let fail = true;
      const machine = new ApprovalStateMachine(store, (t) => {
        if (fail) throw new Error('rules unavailable');
        return oneRule(t);
      });
      await expect(machine.applyStatus('inst-4', 'APPROVED', '10')).rejects.toThrow('rules unavailable');
      expect(await machine.get('inst-4')).toBeUndefined();
      fail = false;
      expect(await machine.applyStatus('inst-4', 'APPROVED', '10')).toMatchObject({ outcome: 'transition', fired: true, enqueued: ['inst-4:APPROVED:notify-approved'] });
    });

    it('fires once when the same event is applied concurrently, duplicated and reordered', async () => {
      const store = await backend.open();
      const machines = [new ApprovalStateMachine(store, oneRule), new ApprovalStateMachine(store, oneRule)];
      const events = ['PENDING', 'APPROVED', 'APPROVED', 'PENDING', 'APPROVED', 'PENDING'] as const;
      const results = await Promise.all(events.map((s, i) => machines[i % 2].applyStatus('inst-5', s, s === 'PENDING' ? '1' : '2')));
      const firedApproved = results.filter((r) => r.outcome === 'transition' && r.transition.to === 'APPROVED');
      expect(firedApproved).toHaveLength(1);
      expect((await machines[0].get('inst-5'))?.status).toBe('APPROVED');
      const runs = await new ActionRuns(store).list({ instanceCode: 'inst-5' });
      expect(runs.filter((r) => r.status === 'APPROVED')).toHaveLength(1);
    });
  });
}
