import type { ConflictPolicy, Direction } from './config.js';
import { stable, type RowValues } from './codec.js';

/** What the engine knows of one key: the last synced state and each side now. */
export interface KeyView {
  key: string;
  state?: { record_id: string | null; hash: string; values: RowValues; pending: boolean };
  db?: { values: RowValues; hash: string; time?: number };
  bitable?: { record_id: string; values: RowValues; hash: string; time?: number; readOnly: RowValues };
  /** Other Bitable records carrying the same key (reported, never merged). */
  duplicates?: string[];
}

export type ConflictReason = 'both_changed' | 'edit_vs_delete' | 'duplicate_key' | 'first_sync';
export interface PlannedConflict {
  key: string;
  record_id: string | null;
  reason: ConflictReason;
  database?: RowValues;
  bitable?: RowValues;
  databaseTime?: number;
  bitableTime?: number;
  winner: 'database' | 'bitable' | 'none';
}

/** The writes a run makes on each side, and the state rows that follow them. */
export interface Plan {
  bitable: {
    create: { key: string; values: RowValues }[];
    update: { key: string; record_id: string; values: RowValues; previous: RowValues }[];
    delete: { key: string; record_id: string }[];
  };
  database: {
    upsert: { key: string; values: RowValues; record_id: string }[];
    delete: { key: string }[];
  };
  /** Rows already equal on both sides whose state is missing or stale (no write on either side). */
  settle: { key: string; record_id: string; values: RowValues }[];
  /** Keys gone from both sides: their state goes. */
  drop: string[];
  conflicts: PlannedConflict[];
  inSync: number;
}

export interface PlanOptions {
  direction: Direction;
  conflict: ConflictPolicy;
}

export const emptyPlan = (): Plan => ({ bitable: { create: [], update: [], delete: [] }, database: { upsert: [], delete: [] }, settle: [], drop: [], conflicts: [], inSync: 0 });

/** Writes a plan makes, per side (the dry run's and the summary's numbers). */
export function planCounts(p: Plan) {
  return {
    bitable: { create: p.bitable.create.length, update: p.bitable.update.length, delete: p.bitable.delete.length },
    database: { insert_or_update: p.database.upsert.length, delete: p.database.delete.length },
    conflicts: p.conflicts.length,
    in_sync: p.inSync,
  };
}

/**
 * The three-way diff: each side against the state of the last sync. A side that changed while the
 * other did not wins; both changed is a conflict the policy settles (and is recorded); a row gone from
 * one side since the last sync is a delete (a tombstone) that reaches the other — unless the other
 * side edited it since, which is a conflict too. A one-way job makes the target equal the source.
 */
export function planKeys(views: Iterable<KeyView>, o: PlanOptions): Plan {
  const plan = emptyPlan();
  for (const v of views) planOne(v, o, plan);
  return plan;
}

function planOne(v: KeyView, o: PlanOptions, plan: Plan): void {
  const { key, state: s, db: d, bitable: b } = v;
  for (const dup of v.duplicates ?? []) plan.conflicts.push({ key, record_id: dup, reason: 'duplicate_key', winner: 'none' });
  const toBitable = () => {
    if (!d) return;
    if (b) plan.bitable.update.push({ key, record_id: b.record_id, values: d.values, previous: b.values });
    else plan.bitable.create.push({ key, values: d.values });
  };
  const toDatabase = () => {
    if (!b) return;
    plan.database.upsert.push({ key, values: { ...b.values, ...b.readOnly }, record_id: b.record_id });
  };
  if (!d && !b) {
    if (s) plan.drop.push(key);
    return;
  }
  if (d && b && d.hash === b.hash) {
    plan.inSync++;
    const readOnlyStale = Object.keys(b.readOnly).some((c) => stable(b.readOnly[c]) !== stable(d.values[c] ?? null));
    if (readOnlyStale && o.direction !== 'to_bitable') toDatabase();
    else if (!s || s.hash !== d.hash || s.record_id !== b.record_id || s.pending) plan.settle.push({ key, record_id: b.record_id, values: d.values });
    return;
  }
  if (o.direction === 'to_database') {
    if (b) toDatabase();
    else plan.database.delete.push({ key });
    return;
  }
  if (o.direction === 'to_bitable') {
    if (d) toBitable();
    else plan.bitable.delete.push({ key, record_id: b!.record_id });
    return;
  }
  const dChanged = !s || !d || s.hash !== d.hash;
  const bChanged = !s || s.pending || !b || s.hash !== b.hash;
  if (d && b) {
    if (s && !s.pending && dChanged && !bChanged) return toBitable();
    if (s && !s.pending && bChanged && !dChanged) return toDatabase();
    const winner = decide(o.conflict, d.time, b.time);
    plan.conflicts.push({ key, record_id: b.record_id, reason: s && !s.pending ? 'both_changed' : 'first_sync', database: d.values, bitable: b.values, databaseTime: d.time, bitableTime: b.time, winner });
    return winner === 'database' ? toBitable() : toDatabase();
  }
  if (d && !b) {
    // Never synced (or its create was cut off): a new database row.
    if (!s || s.pending || !s.record_id) return toBitable();
    // Deleted in Bitable since the last sync.
    if (s.hash === d.hash) return void plan.database.delete.push({ key });
    const winner = o.conflict === 'bitable' ? 'bitable' : 'database';
    plan.conflicts.push({ key, record_id: s.record_id, reason: 'edit_vs_delete', database: d.values, databaseTime: d.time, winner });
    return winner === 'database' ? toBitable() : void plan.database.delete.push({ key });
  }
  // b && !d
  if (!s) return toDatabase();
  if (s.hash === b!.hash && !s.pending) return void plan.bitable.delete.push({ key, record_id: b!.record_id });
  const winner = o.conflict === 'database' ? 'database' : 'bitable';
  plan.conflicts.push({ key, record_id: b!.record_id, reason: 'edit_vs_delete', bitable: b!.values, bitableTime: b!.time, winner });
  return winner === 'bitable' ? toDatabase() : void plan.bitable.delete.push({ key, record_id: b!.record_id });
}

/** The side a conflict goes to: the later change under `latest` (Bitable on a tie or without times). */
function decide(policy: ConflictPolicy, dbTime?: number, bitableTime?: number): 'database' | 'bitable' {
  if (policy === 'database' || policy === 'bitable') return policy;
  if (dbTime !== undefined && bitableTime !== undefined) return dbTime > bitableTime ? 'database' : 'bitable';
  if (dbTime !== undefined && bitableTime === undefined) return 'database';
  return 'bitable';
}
