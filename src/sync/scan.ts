import { fromReadValue, type BitableRecord } from './bitable-deps.js';
import { canonical, hashOf, keyText, plainToSql, valuesFromRecord, valuesFromRow, type ResolvedPair, type RowValues, type SqlValue } from './codec.js';
import type { KeyView } from './plan.js';
import type { StateRow } from './state.js';

export interface BitableSide {
  record_id: string;
  values: RowValues;
  hash: string;
  time?: number;
  readOnly: RowValues;
}

/** A Bitable record as the diff sees it (its key as text, undefined when the key cell is empty). */
export function bitableSide(r: BitableRecord, key: ResolvedPair, pairs: ResolvedPair[]): { key?: string; side: BitableSide } {
  const values = valuesFromRecord(r.fields ?? {}, pairs);
  const readOnly: RowValues = {};
  for (const p of pairs) if (p.readOnly) readOnly[p.column] = values[p.column];
  const k = keyText(canonical(key.kind, plainToSql(key.kind, fromReadValue(key.fieldType, (r.fields ?? {})[key.fieldName]))));
  const time = typeof r.last_modified_time === 'number' ? r.last_modified_time : undefined;
  return { key: k, side: { record_id: r.record_id, values, hash: hashOf(values, pairs), time, readOnly } };
}

/** A database row as the diff sees it. */
export function databaseSide(row: Record<string, SqlValue>, key: ResolvedPair, pairs: ResolvedPair[], time?: number): { key?: string; values: RowValues; hash: string; time?: number } {
  const values = valuesFromRow(row, pairs);
  return { key: keyText(row[key.column]), values, hash: hashOf(values, pairs), time };
}

/**
 * Joins what each side holds and what the state remembers, by key. Bitable records sharing a key:
 * the one the state knows is the row, the others are reported as duplicates.
 */
export class ViewBuilder {
  readonly views = new Map<string, KeyView>();
  /** Records whose key cell is empty. */
  readonly keyless: BitableSide[] = [];

  constructor(private readonly state: Map<string, StateRow> | StateRow[]) {
    for (const s of state instanceof Map ? state.values() : state) this.view(s.key).state = { record_id: s.record_id, hash: s.hash, values: s.values, pending: s.pending };
  }

  view(key: string): KeyView {
    let v = this.views.get(key);
    if (!v) this.views.set(key, (v = { key }));
    return v;
  }

  addRecord(key: string | undefined, side: BitableSide): void {
    if (key === undefined) return void this.keyless.push(side);
    const v = this.view(key);
    if (!v.bitable) v.bitable = side;
    else if (v.state?.record_id === side.record_id) {
      (v.duplicates ??= []).push(v.bitable.record_id);
      v.bitable = side;
    } else (v.duplicates ??= []).push(side.record_id);
  }

  addRow(key: string | undefined, side: { values: RowValues; hash: string; time?: number }): void {
    if (key === undefined) return;
    this.view(key).db = side;
  }
}
