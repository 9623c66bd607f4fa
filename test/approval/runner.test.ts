import { afterAll, describe, expect, it } from 'vitest';
import { ActionRunner, ActionRuns, ApprovalStateMachine, httpExecutor, verifySignature, type ActionExecutor } from '../../src/approval/index.js';
import type { Store } from '../../src/store/index.js';
import { approvalBackends } from './stores.js';
import { startDownstream } from './receiver.js';

const backends = await approvalBackends();
const SECRET = 'runner-secret-0123456789';
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** `count` approved instances, each with one `action` effect for rule `erp`. */
async function approvedInstances(store: Store, count: number, action = 'test') {
  const machine = new ApprovalStateMachine(store, () => [{ rule: 'erp', action, payload: {} }]);
  for (let i = 0; i < count; i++) await machine.applyStatus(`inst-${i}`, 'APPROVED', String(1_700_000_000_000 + i), { approvalCode: 'APPR' });
}

for (const backend of backends) {
  describe.skipIf(backend.skip)(`approval action runner (${backend.name})`, () => {
    afterAll(() => backend.cleanup());

    it('two concurrent runners on one database execute each row once', async () => {
      const store = await backend.open();
      const other = await backend.reopen(store);
      await approvedInstances(store, 40);
      const executions = new Map<string, string[]>();
      const executor: ActionExecutor = async (run, { runs, owner }) => {
        executions.set(run.id, [...(executions.get(run.id) ?? []), owner]);
        await sleep(2); // let the other runner's claims interleave
        await runs.recordAttempt(run.id, owner, { outcome: 'done', httpStatus: 200 });
      };
      const a = new ActionRunner(store, { owner: 'runner-a', executors: { test: executor }, batch: 4 });
      const b = new ActionRunner(other, { owner: 'runner-b', executors: { test: executor }, batch: 4 });
      const [ra, rb] = await Promise.all([a.drain(), b.drain()]);
      expect(ra.ran + rb.ran).toBe(40);
      expect(executions.size).toBe(40);
      expect([...executions.values()].every((owners) => owners.length === 1)).toBe(true);
      // Both took part (claims interleave rather than one runner doing everything).
      expect(new Set([...executions.values()].flat()).size).toBe(2);
      const rows = await new ActionRuns(store).list({ limit: 100 });
      expect(rows.every((r) => r.state === 'done' && r.attempts === 1)).toBe(true);
      expect(await a.drain()).toEqual({ ran: 0, done: 0, failed: 0, pending: 0 });
    });

    it('releases a row whose executor throws and retries it when due; takes over a crashed claim', async () => {
      const store = await backend.open();
      await approvedInstances(store, 2);
      let clock = 1_800_000_000_000;
      const now = () => clock;
      let calls = 0;
      const flaky: ActionExecutor = async (run, { runs, owner }) => {
        calls++;
        if (calls === 1) throw new Error('bitable busy');
        await runs.recordAttempt(run.id, owner, { outcome: 'done' });
      };
      const runner = new ActionRunner(store, { owner: 'r1', executors: { test: flaky }, batch: 1, maxRunsPerDrain: 1, now });
      expect(await runner.drain()).toMatchObject({ ran: 1, pending: 1 });
      const runs = new ActionRuns(store, { now });
      const released = (await runs.list({ state: 'pending' })).find((r) => r.lastError);
      expect(released).toMatchObject({ attempts: 1, lastError: 'executor failed: bitable busy' });
      clock += 120_000;
      const all = new ActionRunner(store, { owner: 'r1', executors: { test: flaky }, now });
      expect(await all.drain()).toMatchObject({ ran: 2, done: 2 });

      // A runner that crashed mid-run: its claim is taken over once the lease is over, not before.
      await new ApprovalStateMachine(store, () => [{ rule: 'erp', action: 'test', payload: {} }], { now }).applyStatus('inst-crash', 'APPROVED', '1700000000000');
      expect(await runs.claimDue('crashed', { leaseMs: 60_000 })).toHaveLength(1);
      const successor = new ActionRunner(store, { owner: 'r2', executors: { test: flaky }, now, leaseMs: 60_000 });
      expect((await successor.drain()).ran).toBe(0);
      clock += 61_000;
      expect(await successor.drain()).toMatchObject({ ran: 1, done: 1 });
      expect(await runs.recordAttempt('inst-crash:APPROVED:erp', 'crashed', { outcome: 'failed' })).toBe(false);
    });

    it('fails rows with no executor or no rule config, and delivers http rows end to end', async () => {
      const store = await backend.open();
      const downstream = await startDownstream((n) => (n < 3 ? 502 : 200));
      try {
        const machine = new ApprovalStateMachine(store, (t) => [
          { rule: 'erp', action: 'http', payload: { instance_code: t.instanceCode, status: t.to } },
          { rule: 'unknown-rule', action: 'http', payload: {} },
          { rule: 'sheet', action: 'bitable', payload: {} },
        ]);
        await machine.applyStatus('inst-h', 'APPROVED', '1700000000000');
        await machine.applyStatus('inst-h', 'APPROVED', '1700000000000'); // the duplicate push
        const runner = new ActionRunner(store, {
          executors: { http: httpExecutor((rule) => (rule === 'erp' ? { url: downstream.url, secret: SECRET, allowHosts: ['127.0.0.1'], baseDelayMs: 5, maxDelayMs: 20 } : undefined)) },
        });
        expect(await runner.drain()).toMatchObject({ ran: 3, done: 1, failed: 2 });
        expect(downstream.calls.filter((c) => c.answeredWith === 200)).toHaveLength(1);
        const ok = downstream.calls[3];
        expect(verifySignature(SECRET, ok.headers['x-feishu-hub-timestamp'] as string, ok.body, ok.headers['x-feishu-hub-signature'] as string)).toBe(true);
        const runs = new ActionRuns(store);
        expect(await runs.get('inst-h:APPROVED:erp')).toMatchObject({ state: 'done', attempts: 4, lastStatus: 200 });
        expect(await runs.get('inst-h:APPROVED:unknown-rule')).toMatchObject({ state: 'failed', lastError: 'rule "unknown-rule" has no http action configured' });
        expect(await runs.get('inst-h:APPROVED:sheet')).toMatchObject({ state: 'failed', lastError: 'no executor for action "bitable"' });
        expect(await runs.retry('inst-h:APPROVED:sheet')).toBe(true);
        expect(await runs.get('inst-h:APPROVED:sheet')).toMatchObject({ state: 'pending', attempts: 0 });
      } finally {
        await downstream.close();
      }
    });
  });
}
