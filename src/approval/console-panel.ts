import { z } from 'zod';
import type { ConsoleContribution } from '../capability/index.js';
import { scrub, secretValues } from '../config/index.js';
import { ActionRuns, type ActionRun } from './action-runs.js';
import type { ApprovalsConfig } from './config.js';
import type { ActionRunState } from './tables.js';

const STATES: ActionRunState[] = ['pending', 'running', 'done', 'failed'];
const retryBody = z.object({ ids: z.array(z.string().min(1).max(400)).min(1, 'choose at least one run').max(200) });

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) throw Object.assign(new Error(r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')), { statusCode: 400 });
  return r.data;
}

const kindOf = (r: ApprovalsConfig['rules'][number]) => (r.http ? 'http' : r.message ? 'message' : 'bitable');
const targetOf = (r: ApprovalsConfig['rules'][number]) => (r.http ? r.http.url : r.message ? `to ${r.message.to}` : r.bitable ? `${r.bitable.app_token}/${r.bitable.table_id}` : '');

function run(r: ActionRun, secrets: readonly string[]) {
  return { id: r.id, instanceCode: r.instanceCode, approvalCode: r.approvalCode, status: r.status, rule: r.rule, action: r.action, state: r.state, attempts: r.attempts, lastStatus: r.lastStatus, lastError: r.lastError ? (scrub(r.lastError, secrets) as string) : null, nextAttemptAt: r.nextAttemptAt, createdAt: r.createdAt, updatedAt: r.updatedAt };
}

/**
 * The approval capability's console panel: the rules (which approval code and status runs which
 * action), the outbox's recent runs (approval_action_runs) with their state, attempts, last HTTP
 * status and error, and Retry for failed runs (a fresh attempt budget, as `approval runs retry`).
 */
export const approvalConsole: ConsoleContribution = {
  panels: [
    {
      id: 'approvals',
      title: 'Approval rules',
      icon: 'M9 11l3 3 8-8M20 12v7a2 2 0 0 1-2 2H6a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2h9',
      order: 40,
      module: new URL('./console/approvals-panel.js', import.meta.url),
      async data({ store, config, hubConfig, query }) {
        const cfg = config as ApprovalsConfig;
        const secrets = secretValues(hubConfig);
        const runs = new ActionRuns(store);
        const state = (STATES as string[]).includes(query.state) ? (query.state as ActionRunState) : undefined;
        const [list, failed] = await Promise.all([runs.list({ state, limit: Math.min(500, Math.max(1, Number(query.limit) || 100)) }), runs.list({ state: 'failed', limit: 500 })]);
        return {
          state: state ?? null,
          rules: (cfg?.rules ?? []).map((r) => ({ name: r.name, code: r.code, status: r.status, action: kindOf(r), target: scrub(targetOf(r), secrets) as string, maxAttempts: r.http?.max_attempts ?? null })),
          drainEveryMs: (cfg as { drain_every_ms?: number })?.drain_every_ms ?? null,
          failed: failed.length,
          runs: list.map((r) => run(r, secrets)),
        };
      },
      actions: {
        /** Puts failed runs back in the queue with a fresh attempt budget; the runner picks them up at its next drain. */
        async retry({ store }, body) {
          const { ids } = parse(retryBody, body);
          const runs = new ActionRuns(store);
          const retried: string[] = [];
          const skipped: { id: string; why: string }[] = [];
          for (const id of [...new Set(ids)]) {
            if (await runs.retry(id)) retried.push(id);
            else {
              const r = await runs.get(id);
              skipped.push({ id, why: r ? `it is ${r.state} (only failed runs are retried)` : 'no such run' });
            }
          }
          if (retried.length === 0) throw Object.assign(new Error(`nothing retried: ${skipped.map((s) => `${s.id} ${s.why}`).join('; ')}`), { statusCode: 409 });
          return { retried, skipped };
        },
      },
    },
  ],
};
