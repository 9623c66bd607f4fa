import { sql, type Kysely, type Transaction } from 'kysely';
import type { Store } from '../store/index.js';
import type { ActionRunState, ApprovalActionRunsTable, ApprovalTables } from './tables.js';

/** An outbox row as code sees it. */
export interface ActionRun {
  id: string;
  instanceCode: string;
  status: string;
  rule: string;
  action: string;
  approvalCode: string | null;
  payload: unknown;
  state: ActionRunState;
  attempts: number;
  nextAttemptAt: number;
  lockedBy: string | null;
  lastStatus: number | null;
  lastError: string | null;
  createdAt: number;
  updatedAt: number;
}

/** An effect a transition asks for. */
export interface ActionRunInput {
  instanceCode: string;
  status: string;
  rule: string;
  action: string;
  approvalCode?: string | null;
  payload: unknown;
}

/**
 * How one attempt ended: `done`/`failed` are final; `retrying` keeps the claim (the executor
 * backs off in process); `later` releases the row to be claimed again at `retryAt`.
 */
export type AttemptOutcome = { outcome: 'done' | 'failed' | 'retrying'; httpStatus?: number; error?: string } | { outcome: 'later'; retryAt: number; httpStatus?: number; error?: string };

/** The key of an effect: the same instance, status and rule is one effect, whatever the retries. */
export function actionRunId(instanceCode: string, status: string, rule: string): string {
  return `${instanceCode}:${status}:${rule}`;
}

const ms = (v: number | string | null): number => (v === null ? 0 : Number(v));

function fromRow(r: ApprovalActionRunsTable): ActionRun {
  return {
    id: r.id,
    instanceCode: r.instance_code,
    status: r.status,
    rule: r.rule,
    action: r.action,
    approvalCode: r.approval_code,
    payload: JSON.parse(r.payload),
    state: r.state,
    attempts: Number(r.attempts),
    nextAttemptAt: ms(r.next_attempt_at),
    lockedBy: r.locked_by,
    lastStatus: r.last_status === null ? null : Number(r.last_status),
    lastError: r.last_error,
    createdAt: ms(r.created_at),
    updatedAt: ms(r.updated_at),
  };
}

/** The `approval_action_runs` outbox: enqueue (inside the transition's transaction), claim, record. */
export class ActionRuns {
  private readonly db: Kysely<ApprovalTables>;
  private readonly now: () => number;

  constructor(store: Store, options: { now?: () => number } = {}) {
    this.db = store.db as unknown as Kysely<ApprovalTables>;
    this.now = options.now ?? Date.now;
  }

  /** Adds effects in `trx`; an effect already there (same instance, status, rule) is left alone. Returns the ids added. */
  async enqueue(trx: Transaction<ApprovalTables> | Kysely<ApprovalTables>, inputs: ActionRunInput[]): Promise<string[]> {
    const added: string[] = [];
    const now = this.now();
    for (const i of inputs) {
      const id = actionRunId(i.instanceCode, i.status, i.rule);
      const row = await trx
        .insertInto('approval_action_runs')
        .values({ id, instance_code: i.instanceCode, status: i.status, rule: i.rule, action: i.action, approval_code: i.approvalCode ?? null, payload: JSON.stringify(i.payload ?? null), state: 'pending', attempts: 0, next_attempt_at: now, locked_by: null, locked_until: null, last_status: null, last_error: null, created_at: now, updated_at: now })
        .onConflict((oc) => oc.doNothing())
        .returning('id')
        .executeTakeFirst();
      if (row) added.push(id);
    }
    return added;
  }

  async get(id: string): Promise<ActionRun | undefined> {
    const r = await this.db.selectFrom('approval_action_runs').selectAll().where('id', '=', id).executeTakeFirst();
    return r && fromRow(r);
  }

  /** For `feishu-hub approval runs`: newest first. */
  async list(filter: { instanceCode?: string; state?: ActionRunState; limit?: number } = {}): Promise<ActionRun[]> {
    let q = this.db.selectFrom('approval_action_runs').selectAll();
    if (filter.instanceCode) q = q.where('instance_code', '=', filter.instanceCode);
    if (filter.state) q = q.where('state', '=', filter.state);
    const rows = await q.orderBy('created_at', 'desc').orderBy('id').limit(filter.limit ?? 100).execute();
    return rows.map(fromRow);
  }

  /**
   * Claims up to `limit` due rows for `owner` for `leaseMs`: pending rows whose time has come, and
   * running rows whose claimer's lease ran out (it crashed). Each claim is a conditional update, so
   * of two runners reading the same candidates only one wins each row, on SQLite and PostgreSQL alike.
   */
  async claimDue(owner: string, options: { limit?: number; leaseMs?: number } = {}): Promise<ActionRun[]> {
    const now = this.now();
    const limit = options.limit ?? 10;
    const leaseMs = options.leaseMs ?? 5 * 60_000;
    const candidates = await this.db
      .selectFrom('approval_action_runs')
      .select('id')
      .where((eb) => eb.or([eb.and([eb('state', '=', 'pending'), eb('next_attempt_at', '<=', now)]), eb.and([eb('state', '=', 'running'), eb('locked_until', '<', now)])]))
      .orderBy('next_attempt_at')
      .limit(limit * 2)
      .execute();
    const claimed: ActionRun[] = [];
    for (const { id } of candidates) {
      if (claimed.length >= limit) break;
      const r = await this.db
        .updateTable('approval_action_runs')
        .set({ state: 'running', locked_by: owner, locked_until: now + leaseMs, updated_at: now })
        .where('id', '=', id)
        .where((eb) => eb.or([eb.and([eb('state', '=', 'pending'), eb('next_attempt_at', '<=', now)]), eb.and([eb('state', '=', 'running'), eb('locked_until', '<', now)])]))
        .returningAll()
        .executeTakeFirst();
      if (r) claimed.push(fromRow(r));
    }
    return claimed;
  }

  /**
   * Records one attempt on the row `owner` holds: attempts + 1, the HTTP status and error of this
   * attempt, and where the row goes next. False when `owner` no longer holds it (its lease ran out
   * and another runner took it over): that runner records from then on.
   */
  async recordAttempt(id: string, owner: string, attempt: AttemptOutcome & { leaseMs?: number }): Promise<boolean> {
    const now = this.now();
    const next: Partial<ApprovalActionRunsTable> =
      attempt.outcome === 'later'
        ? { state: 'pending', next_attempt_at: attempt.retryAt, locked_by: null, locked_until: null }
        : attempt.outcome === 'retrying'
          ? { state: 'running', locked_until: now + (attempt.leaseMs ?? 5 * 60_000) }
          : { state: attempt.outcome, locked_by: null, locked_until: null };
    const r = await this.db
      .updateTable('approval_action_runs')
      .set({ ...next, attempts: sql<number>`attempts + 1`, last_status: attempt.httpStatus ?? null, last_error: attempt.error ?? null, updated_at: now })
      .where('id', '=', id)
      .where('locked_by', '=', owner)
      .where('state', '=', 'running')
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Puts a failed row back in the queue (`feishu-hub approval runs retry`) with a fresh attempt budget. */
  async retry(id: string): Promise<boolean> {
    const now = this.now();
    const r = await this.db.updateTable('approval_action_runs').set({ state: 'pending', attempts: 0, next_attempt_at: now, updated_at: now }).where('id', '=', id).where('state', '=', 'failed').executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }
}
