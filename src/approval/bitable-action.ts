import { RecordValueError, upsertRecord, type BitableClient } from '../bitable/index.js';
import { fillPlaceholders, TemplateError } from '../cards/index.js';
import type { Logger } from '../config/index.js';
import { FeishuApiError } from '../platform/index.js';
import type { BitableActionConfig } from './config.js';
import { backoffDelay } from './http-action.js';
import type { InstanceFacts } from './instance-facts.js';
import { templateVars } from './message-action.js';
import type { ActionExecutor } from './runner.js';

/** The record a rule writes for a run: its fields with every `${…}` filled (a TemplateError when a variable is missing). */
export function renderRecord(config: BitableActionConfig, vars: Record<string, unknown>): Record<string, unknown> {
  return fillPlaceholders(config.fields, vars) as Record<string, unknown>;
}

export interface BitableExecutorDeps {
  bitable: BitableClient;
  configFor: (rule: string) => BitableActionConfig | undefined;
  facts: (instanceCode: string, status: string) => Promise<InstanceFacts>;
  logger: Logger;
  /** Attempts in all before the run is dead-lettered (default 5; the platform client already retried each 5xx within an attempt). */
  maxAttempts?: number;
  baseDelayMs?: number;
  maxDelayMs?: number;
}

/**
 * The executor for `bitable` rows: renders the rule's fields with the instance's variables, then
 * creates the record (client_token derived from the row id, so a retry after a lost answer, a
 * restart or another replica's takeover answers the same record) or, with `key_field`, upserts it.
 * A value that does not fit the table (unknown field, wrong type) or a refusal no retry fixes ends
 * the row as failed at once; a 5xx, 429 or network failure is retried with backoff up to
 * `maxAttempts`, then dead-lettered (`feishu-hub approval runs --state failed`, `runs retry`).
 */
export function bitableExecutor(deps: BitableExecutorDeps): ActionExecutor {
  const maxAttempts = deps.maxAttempts ?? 5;
  return async (run, { runs, owner }) => {
    const log = { rule: run.rule, instance: run.instanceCode, status: run.status, run: run.id, attempt: run.attempts + 1 };
    const fail = async (error: string) => {
      deps.logger.error({ ...log, error }, `approval rule "${run.rule}": the Bitable record was not written and will not be retried: ${error}`);
      await runs.recordAttempt(run.id, owner, { outcome: 'failed', error });
    };
    const config = deps.configFor(run.rule);
    if (!config) return fail(`rule "${run.rule}" has no bitable action configured`);
    let fields: Record<string, unknown>;
    try {
      fields = renderRecord(config, templateVars(await deps.facts(run.instanceCode, run.status), run));
    } catch (err) {
      if (err instanceof TemplateError) return fail(err.message);
      throw err; // could not read the instance: the runner tries again later
    }
    const target = { appToken: config.app_token, tableId: config.table_id };
    try {
      const r = await upsertRecord(deps.bitable, target, { fields, keyField: config.key_field, idempotencyKey: run.id });
      deps.logger.info({ ...log, app_token: target.appToken, table_id: target.tableId, record_id: r.recordId, action: r.action }, `approval rule "${run.rule}": Bitable record ${r.action.replace('_', ' ')}`);
      await runs.recordAttempt(run.id, owner, { outcome: 'done' });
    } catch (err) {
      if (err instanceof RecordValueError) return fail(err.message);
      const api = err instanceof FeishuApiError ? err : undefined;
      const why = api ? `Feishu ${api.code}${api.httpStatus && api.httpStatus !== 200 ? ` (HTTP ${api.httpStatus})` : ''}: ${api.msg}${api.explain().action ? ` — ${api.explain().action}` : ''}` : String((err as Error)?.message ?? err);
      if (api && !api.retryable) return fail(why);
      const attempts = run.attempts + 1;
      if (attempts >= maxAttempts) {
        deps.logger.error({ ...log, err }, `approval rule "${run.rule}": Bitable kept failing (${why}); gave up after ${attempts} attempts (feishu-hub approval runs retry ${run.id})`);
        return void (await runs.recordAttempt(run.id, owner, { outcome: 'failed', httpStatus: api?.httpStatus, error: why }));
      }
      const delay = Math.max(backoffDelay(attempts, deps.baseDelayMs ?? 1000, deps.maxDelayMs ?? 60_000), (api?.retryAfterSec ?? 0) * 1000);
      deps.logger.warn({ ...log, err, retry_in_ms: delay }, `approval rule "${run.rule}": Bitable failed (${why}); retrying`);
      await runs.recordAttempt(run.id, owner, { outcome: 'later', retryAt: Date.now() + delay, httpStatus: api?.httpStatus, error: why });
    }
  };
}
