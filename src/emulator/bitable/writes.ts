import type { EmulatorContext } from '../context.js';
import { writeToBase } from './base.js';
import { bitableErrors } from './errors.js';
import { copyRecord, recordChangedEvent, type RecordChange } from './events.js';
import { bitableIds, BitableState, fieldByName } from './state.js';
import { FT, type BitableApp, type BitableField, type BitableRecord, type BitableTable, type StoredValue } from './types.js';
import { commitOptions, isObj, toStored, writtenView, type IdType, type WriteCtx } from './values.js';

/**
 * The record write path: create, incremental update, delete (all or none), one write per base at a
 * time, the revision bump and the record-changed event. The API routes (records.ts) and the Base
 * page's control routes (control.ts) both write through here, so they validate and notify alike.
 */

export const RECORDS_PER_TABLE = 20_000;

/** Where a write goes and who makes it (`operator`: an open_id, '' for an app). */
export interface WriteTarget {
  appToken: string;
  tableId: string;
  /** The id type of user cells in the write and in the answer. */
  idType: IdType;
  operator: string;
}

/** `fields` of a write → field_id → stored value (`undefined` clears), checked against the table. */
function parseFields(w: WriteCtx, fields: unknown): Map<BitableField, StoredValue | undefined> {
  if (!isObj(fields)) throw bitableErrors.wrongBody('fields is an object keyed by field name');
  const out = new Map<BitableField, StoredValue | undefined>();
  for (const [name, v] of Object.entries(fields)) {
    const f = fieldByName(w.table, name);
    if (!f) throw bitableErrors.fieldNameNotFound(name);
    out.set(f, toStored(w, f, v));
  }
  return out;
}

function applyFields(rec: BitableRecord, values: Map<BitableField, StoredValue | undefined>): void {
  for (const [f, v] of values) {
    if (v === undefined) delete rec.fields[f.field_id];
    else rec.fields[f.field_id] = v;
  }
}

/** Keeps the other side of two-way links in step with a record's links. */
function syncDuplex(app: BitableApp, table: BitableTable, before: BitableRecord | undefined, after: BitableRecord | undefined): void {
  for (const f of table.fields) {
    if (f.type !== FT.duplexLink) continue;
    const p = f.property as { table_id: string; back_field_id?: string };
    const target = app.tables.find((t) => t.table_id === p.table_id);
    if (!target || !p.back_field_id) continue;
    const id = (after ?? before)!.record_id;
    const was = new Set((before?.fields[f.field_id] as string[] | undefined) ?? []);
    const now = new Set((after?.fields[f.field_id] as string[] | undefined) ?? []);
    for (const r of target.records) {
      const links = new Set((r.fields[p.back_field_id] as string[] | undefined) ?? []);
      const changed = now.has(r.record_id) ? !links.has(id) && links.add(id) : was.has(r.record_id) && links.delete(id);
      if (!changed) continue;
      if (links.size) r.fields[p.back_field_id] = [...links];
      else delete r.fields[p.back_field_id];
    }
  }
}

/** Removes deleted records from every link cell of the base that named them. */
function unlink(app: BitableApp, table: BitableTable, ids: Set<string>): void {
  for (const t of app.tables) {
    for (const f of t.fields) {
      if ((f.type !== FT.link && f.type !== FT.duplexLink) || f.property?.table_id !== table.table_id) continue;
      for (const r of t.records) {
        const v = r.fields[f.field_id] as string[] | undefined;
        if (!v?.some((x) => ids.has(x))) continue;
        const kept = v.filter((x) => !ids.has(x));
        if (kept.length) r.fields[f.field_id] = kept;
        else delete r.fields[f.field_id];
      }
    }
  }
}

const where = (ctx: EmulatorContext, t: WriteTarget) => {
  const state = ctx.slice(BitableState);
  return { base: state.app(t.appToken), table: state.table(t.appToken, t.tableId) };
};
const writer = (ctx: EmulatorContext, base: BitableApp, table: BitableTable, idType: IdType): WriteCtx => ({ ctx, app: base, table, idType, newOptions: new Map() });
const recordOf = (table: BitableTable, id: unknown) => {
  const r = typeof id === 'string' ? table.records.find((x) => x.record_id === id) : undefined;
  if (!r) throw bitableErrors.recordNotFound(String(id));
  return r;
};

/** Creates records (all or none) and pushes the change event; answers them as writes do. */
export async function createRecords(ctx: EmulatorContext, t: WriteTarget, list: unknown[]): Promise<Record<string, unknown>[]> {
  return writeToBase(ctx, t.appToken, () => {
    const { base, table } = where(ctx, t);
    if (table.records.length + list.length > RECORDS_PER_TABLE) throw bitableErrors.recordLimit(RECORDS_PER_TABLE);
    const w = writer(ctx, base, table, t.idType);
    const parsed = list.map((item) => parseFields(w, isObj(item) ? item.fields : undefined));
    commitOptions(w.newOptions);
    const now = ctx.clock.now();
    const who = t.operator;
    const created = parsed.map((values) => {
      const rec: BitableRecord = { record_id: bitableIds.record(), fields: {}, created_time: now, last_modified_time: now, created_by: who, last_modified_by: who, serial: table.next_serial++ };
      applyFields(rec, values);
      table.records.push(rec);
      syncDuplex(base, table, undefined, rec);
      return rec;
    });
    base.revision++;
    table.revision++;
    recordChangedEvent(ctx, base, table, created.map((r) => ({ action: 'record_added', record_id: r.record_id, after: copyRecord(r) })), who);
    return created.map((rec) => writtenView({ ctx, idType: t.idType }, table, rec));
  });
}

/** Updates records incrementally (only the given fields; null clears), all or none. */
export async function updateRecords(ctx: EmulatorContext, t: WriteTarget, list: { record_id: unknown; fields: unknown }[]): Promise<Record<string, unknown>[]> {
  return writeToBase(ctx, t.appToken, () => {
    const { base, table } = where(ctx, t);
    const w = writer(ctx, base, table, t.idType);
    const parsed = list.map((item) => ({ rec: recordOf(table, item.record_id), values: parseFields(w, item.fields) }));
    commitOptions(w.newOptions);
    const now = ctx.clock.now();
    const who = t.operator;
    const changes: RecordChange[] = parsed.map(({ rec, values }) => {
      const before = copyRecord(rec);
      applyFields(rec, values);
      rec.last_modified_time = now;
      rec.last_modified_by = who;
      syncDuplex(base, table, before, rec);
      return { action: 'record_edited', record_id: rec.record_id, before, after: copyRecord(rec) };
    });
    base.revision++;
    table.revision++;
    recordChangedEvent(ctx, base, table, changes, who);
    return parsed.map(({ rec }) => writtenView({ ctx, idType: t.idType }, table, rec));
  });
}

/** Deletes records (all or none), unlinking them from link cells. */
export async function deleteRecords(ctx: EmulatorContext, t: WriteTarget, ids: unknown[]): Promise<{ deleted: true; record_id: unknown }[]> {
  return writeToBase(ctx, t.appToken, () => {
    const { base, table } = where(ctx, t);
    const recs = [...new Set(ids)].map((id) => recordOf(table, id));
    const gone = new Set(recs.map((r) => r.record_id));
    table.records = table.records.filter((r) => !gone.has(r.record_id));
    for (const r of recs) syncDuplex(base, table, r, undefined);
    unlink(base, table, gone);
    base.revision++;
    table.revision++;
    recordChangedEvent(ctx, base, table, recs.map((r) => ({ action: 'record_deleted', record_id: r.record_id, before: r })), t.operator);
    return ids.map((id) => ({ deleted: true as const, record_id: id }));
  });
}
