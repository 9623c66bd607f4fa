import { afterAll, describe, expect, it } from 'vitest';
import type { Kysely } from 'kysely';
import { ActionRuns, backoffDelay, deliverHttpAction, hostAllowed, signBody, verifySignature, type ApprovalTables, type HttpActionConfig } from '../../src/approval/index.js';
import type { Store } from '../../src/store/index.js';
import { approvalBackends } from './stores.js';
import { startDownstream } from './receiver.js';

const [sqlite] = await approvalBackends();
const SECRET = 'downstream-secret-0123456789';

/** One claimed outbox row for `rule`, as the runner would hand it over. */
async function claimedRun(store: Store, rule: string) {
  const runs = new ActionRuns(store);
  await runs.enqueue(store.db as unknown as Kysely<ApprovalTables>, [{ instanceCode: 'inst-9', status: 'APPROVED', rule, action: 'http', approvalCode: 'APPR', payload: { instance_code: 'inst-9', status: 'APPROVED', amount: 1200 } }]);
  const [run] = await runs.claimDue('runner-a');
  return { runs, run };
}

const config = (url: string, extra: Partial<HttpActionConfig> = {}): HttpActionConfig => ({ url, secret: SECRET, allowHosts: ['127.0.0.1'], baseDelayMs: 5, maxDelayMs: 20, timeoutMs: 2000, ...extra });

describe('approval HTTP action', () => {
  afterAll(() => sqlite.cleanup());

  it('retries a failing endpoint with backoff and records one success after 4 attempts', async () => {
    const store = await sqlite.open();
    const downstream = await startDownstream((n) => (n < 3 ? 503 : 200));
    try {
      const { runs, run } = await claimedRun(store, 'erp');
      const result = await deliverHttpAction(runs, run, config(downstream.url), { owner: 'runner-a' });
      expect(result).toMatchObject({ state: 'done', attempts: 4, lastStatus: 200 });
      expect(downstream.calls.map((c) => c.answeredWith)).toEqual([503, 503, 503, 200]);
      // Every attempt is signed, and carries the same idempotency key.
      for (const call of downstream.calls) {
        expect(call.headers['idempotency-key']).toBe('inst-9:APPROVED:erp');
        expect(call.headers['content-type']).toBe('application/json');
        expect(verifySignature(SECRET, call.headers['x-feishu-hub-timestamp'] as string, call.body, call.headers['x-feishu-hub-signature'] as string)).toBe(true);
      }
      expect(JSON.parse(downstream.calls[3].body)).toEqual({ instance_code: 'inst-9', status: 'APPROVED', amount: 1200 });
      expect(await runs.get(run.id)).toMatchObject({ state: 'done', attempts: 4, lastStatus: 200, lastError: null, lockedBy: null });
    } finally {
      await downstream.close();
    }
  });

  it('does not retry a 4xx: the row is failed with the status', async () => {
    const store = await sqlite.open();
    const downstream = await startDownstream(() => 400);
    try {
      const { runs, run } = await claimedRun(store, 'erp');
      expect(await deliverHttpAction(runs, run, config(downstream.url), { owner: 'runner-a' })).toMatchObject({ state: 'failed', attempts: 1, lastStatus: 400 });
      expect(downstream.calls).toHaveLength(1);
      expect(await runs.get(run.id)).toMatchObject({ state: 'failed', attempts: 1, lastStatus: 400, lastError: expect.stringMatching(/^HTTP 400/) });
    } finally {
      await downstream.close();
    }
  });

  it('retries a timeout, and gives up after maxAttempts on a persistent 5xx', async () => {
    const store = await sqlite.open();
    const slow = await startDownstream((n) => (n === 0 ? 0 : 204));
    const down = await startDownstream(() => 500);
    try {
      const first = await claimedRun(store, 'slow');
      expect(await deliverHttpAction(first.runs, first.run, config(slow.url, { timeoutMs: 200 }), { owner: 'runner-a' })).toMatchObject({ state: 'done', attempts: 2, lastStatus: 204 });
      const second = await claimedRun(store, 'down');
      expect(await deliverHttpAction(second.runs, second.run, config(down.url, { maxAttempts: 3 }), { owner: 'runner-a' })).toMatchObject({ state: 'failed', attempts: 3, lastStatus: 500 });
      expect(down.calls).toHaveLength(3);
    } finally {
      await slow.close();
      await down.close();
    }
  });

  it('never calls a host that is not allowed', async () => {
    const store = await sqlite.open();
    const downstream = await startDownstream(() => 200);
    try {
      const { runs, run } = await claimedRun(store, 'elsewhere');
      const result = await deliverHttpAction(runs, run, config(downstream.url, { allowHosts: ['api.example.com'] }), { owner: 'runner-a' });
      expect(result).toMatchObject({ state: 'failed', lastError: expect.stringMatching(/not in allowHosts/) });
      expect(downstream.calls).toHaveLength(0);
    } finally {
      await downstream.close();
    }
    expect(hostAllowed('https://a.example.com/x', ['*.example.com'])).toBe(true);
    expect(hostAllowed('https://example.com.evil.io/x', ['*.example.com', 'example.com'])).toBe(false);
    expect(hostAllowed('http://127.0.0.1:9/x', ['127.0.0.1:8080'])).toBe(false);
    expect(hostAllowed('file:///etc/passwd', ['127.0.0.1'])).toBe(false);
  });

  it('verifies signatures: good, tampered, stale, missing', () => {
    const now = 1_700_000_000;
    const body = '{"instance_code":"inst-9","status":"APPROVED"}';
    const sig = signBody(SECRET, now, body);
    expect(sig).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(verifySignature(SECRET, String(now), body, sig, 300, now + 10)).toBe(true);
    expect(verifySignature(SECRET, String(now), Buffer.from(body), sig, 300, now)).toBe(true);
    expect(verifySignature(SECRET, String(now), body.replace('APPROVED', 'REJECTED'), sig, 300, now)).toBe(false);
    expect(verifySignature('another-secret', String(now), body, sig, 300, now)).toBe(false);
    expect(verifySignature(SECRET, String(now + 1), body, sig, 300, now)).toBe(false);
    expect(verifySignature(SECRET, String(now), body, sig, 300, now + 301)).toBe(false);
    expect(verifySignature(SECRET, undefined, body, sig)).toBe(false);
    expect(verifySignature(SECRET, String(now), body, undefined)).toBe(false);
  });

  it('backs off exponentially, capped, with jitter', () => {
    expect([1, 2, 3, 4].map((n) => backoffDelay(n, 100, 1000, () => 1))).toEqual([100, 200, 400, 800]);
    expect(backoffDelay(10, 100, 1000, () => 1)).toBe(1000);
    expect(backoffDelay(3, 100, 1000, () => 0)).toBe(200);
  });
});
