import type { Kysely, Transaction } from 'kysely';
import type { Store } from '../store/index.js';
import { ActionRuns, type ActionRunInput } from './action-runs.js';
import type { ApprovalTables } from './tables.js';

/** Instance statuses as events and `instance get` report them (feishu-api.md §3.4, §4). */
export const INSTANCE_STATUSES = ['PENDING', 'APPROVED', 'REJECTED', 'CANCELED', 'DELETED', 'REVERTED', 'OVERTIME_CLOSE', 'OVERTIME_RECOVER'] as const;
export type InstanceStatus = (typeof INSTANCE_STATUSES)[number];

const DECIDED: InstanceStatus[] = ['APPROVED', 'REJECTED', 'CANCELED', 'DELETED'];

/**
 * Where each status may go next. Anything else is a late, repeated or reordered event: Feishu
 * pushes twice and out of order, so e.g. a PENDING that arrives after APPROVED, or an APPROVED that
 * arrives after REVERTED, is dropped instead of moving the instance back. OVERTIME_CLOSE closes a
 * pending instance on timeout; OVERTIME_RECOVER reopens it. DELETED can end anything.
 */
const NEXT: Record<InstanceStatus, readonly InstanceStatus[]> = {
  PENDING: [...DECIDED, 'OVERTIME_CLOSE'],
  OVERTIME_CLOSE: ['OVERTIME_RECOVER', 'DELETED'],
  OVERTIME_RECOVER: [...DECIDED, 'OVERTIME_CLOSE'],
  APPROVED: ['REVERTED', 'DELETED'],
  REJECTED: ['DELETED'],
  CANCELED: ['DELETED'],
  REVERTED: ['DELETED'],
  DELETED: [],
};

/** A status change this hub acts on. */
export interface Transition {
  instanceCode: string;
  approvalCode: string | null;
  from: InstanceStatus | null;
  to: InstanceStatus;
  /** Epoch ms. */
  operateTime: number;
}

export type ApplyResult =
  | { outcome: 'transition'; transition: Transition; /** false when this status already fired once (OVERTIME_CLOSE again after a recover): the status moves, no effect runs twice */ fired: boolean; enqueued: string[] }
  | { outcome: 'ignored'; reason: 'repeat' | 'backwards'; current: InstanceStatus };

/** Effects (outbox rows) a transition asks for; the rules config decides. May throw: nothing is recorded then. */
export type EffectsFor = (transition: Transition) => Omit<ActionRunInput, 'instanceCode' | 'status' | 'approvalCode'>[] | Promise<Omit<ActionRunInput, 'instanceCode' | 'status' | 'approvalCode'>[]>;

/**
 * `operate_time` as epoch ms: a ms string in v1 events, but a number on REVERTED (and seconds in
 * some payloads: anything below 10^11 is taken to be seconds).
 */
export function parseOperateTime(value: string | number | null | undefined, fallback = Date.now()): number {
  const n = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : NaN;
  if (!Number.isFinite(n) || n <= 0) return fallback;
  return n < 1e11 ? Math.round(n * 1000) : Math.round(n);
}

export function isInstanceStatus(s: string): s is InstanceStatus {
  return (INSTANCE_STATUSES as readonly string[]).includes(s);
}

export interface InstanceRecord {
  instanceCode: string;
  approvalCode: string | null;
  status: InstanceStatus;
  operateTime: number;
  updatedAt: number;
}

/**
 * The per-instance state machine in the store. `applyStatus` records a transition and the effects
 * it enqueues in one transaction: if enqueuing fails nothing is recorded (the event is retried and
 * decides again); once recorded, a failing effect is retried from the outbox, never re-decided.
 */
export class ApprovalStateMachine {
  private readonly db: Kysely<ApprovalTables>;
  private readonly runs: ActionRuns;
  private readonly now: () => number;

  constructor(
    store: Store,
    private readonly effectsFor: EffectsFor = () => [],
    options: { now?: () => number } = {},
  ) {
    this.db = store.db as unknown as Kysely<ApprovalTables>;
    this.now = options.now ?? Date.now;
    this.runs = new ActionRuns(store, options);
  }

  async applyStatus(instanceCode: string, status: InstanceStatus, operateTime: string | number, options: { approvalCode?: string } = {}): Promise<ApplyResult> {
    const time = parseOperateTime(operateTime, this.now());
    // A concurrent writer for the same instance makes our conditional write miss: decide again on
    // what it wrote (it commits first; PostgreSQL re-checks the WHERE after its lock is released).
    for (let round = 0; round < 10; round++) {
      const result = await this.db.transaction().execute((trx) => this.tryApply(trx, instanceCode, status, time, options.approvalCode ?? null));
      if (result) return result;
    }
    throw new Error(`approval instance ${instanceCode}: status ${status} kept conflicting with concurrent updates`);
  }

  private async tryApply(trx: Transaction<ApprovalTables>, instanceCode: string, to: InstanceStatus, operateTime: number, approvalCode: string | null): Promise<ApplyResult | undefined> {
    const now = this.now();
    const current = await trx.selectFrom('approval_instances').selectAll().where('instance_code', '=', instanceCode).executeTakeFirst();
    const from = current ? (current.status as InstanceStatus) : null;
    if (from === to) return { outcome: 'ignored', reason: 'repeat', current: from };
    if (from && !NEXT[from].includes(to)) return { outcome: 'ignored', reason: 'backwards', current: from };
    const code = approvalCode ?? current?.approval_code ?? null;
    if (!current) {
      const inserted = await trx
        .insertInto('approval_instances')
        .values({ instance_code: instanceCode, approval_code: code, status: to, operate_time: operateTime, updated_at: now })
        .onConflict((oc) => oc.column('instance_code').doNothing())
        .returning('instance_code')
        .executeTakeFirst();
      if (!inserted) return undefined;
    } else {
      const updated = await trx
        .updateTable('approval_instances')
        .set({ status: to, operate_time: operateTime, approval_code: code, updated_at: now })
        .where('instance_code', '=', instanceCode)
        .where('status', '=', current.status)
        .executeTakeFirst();
      if (Number(updated.numUpdatedRows) !== 1) return undefined;
    }
    const transition: Transition = { instanceCode, approvalCode: code, from, to, operateTime };
    const first = await trx
      .insertInto('approval_transitions')
      .values({ instance_code: instanceCode, status: to, from_status: from, operate_time: operateTime, recorded_at: now })
      .onConflict((oc) => oc.columns(['instance_code', 'status']).doNothing())
      .returning('status')
      .executeTakeFirst();
    if (!first) return { outcome: 'transition', transition, fired: false, enqueued: [] };
    const effects = await this.effectsFor(transition);
    const enqueued = await this.runs.enqueue(
      trx,
      effects.map((e) => ({ ...e, instanceCode, status: to, approvalCode: code })),
    );
    return { outcome: 'transition', transition, fired: true, enqueued };
  }

  async get(instanceCode: string): Promise<InstanceRecord | undefined> {
    const r = await this.db.selectFrom('approval_instances').selectAll().where('instance_code', '=', instanceCode).executeTakeFirst();
    return r && { instanceCode: r.instance_code, approvalCode: r.approval_code, status: r.status as InstanceStatus, operateTime: Number(r.operate_time), updatedAt: Number(r.updated_at) };
  }

  /** Instances not decided yet, oldest update first: what the reconcile job asks Feishu about. */
  async undecided(limit = 100): Promise<InstanceRecord[]> {
    const rows = await this.db.selectFrom('approval_instances').selectAll().where('status', 'in', ['PENDING', 'OVERTIME_RECOVER']).orderBy('updated_at').limit(limit).execute();
    return rows.map((r) => ({ instanceCode: r.instance_code, approvalCode: r.approval_code, status: r.status as InstanceStatus, operateTime: Number(r.operate_time), updatedAt: Number(r.updated_at) }));
  }

  /**
   * Every instance still undecided, a page at a time (keyed on the instance code, so instances
   * that stay pending never hide the ones after them, however many there are).
   */
  async *eachUndecided(pageSize = 200): AsyncGenerator<InstanceRecord> {
    let after = '';
    for (;;) {
      const rows = await this.db.selectFrom('approval_instances').selectAll().where('status', 'in', ['PENDING', 'OVERTIME_RECOVER']).where('instance_code', '>', after).orderBy('instance_code').limit(pageSize).execute();
      for (const r of rows) yield { instanceCode: r.instance_code, approvalCode: r.approval_code, status: r.status as InstanceStatus, operateTime: Number(r.operate_time), updatedAt: Number(r.updated_at) };
      if (rows.length < pageSize) return;
      after = rows[rows.length - 1].instance_code;
    }
  }

  /** Transitions recorded for an instance, in order. */
  async history(instanceCode: string): Promise<{ from: string | null; to: string; operateTime: number }[]> {
    const rows = await this.db.selectFrom('approval_transitions').selectAll().where('instance_code', '=', instanceCode).orderBy('recorded_at').orderBy('operate_time').execute();
    return rows.map((r) => ({ from: r.from_status, to: r.status, operateTime: Number(r.operate_time) }));
  }
}
