import { createHash } from 'node:crypto';
import { FieldType, READ_ONLY_TYPES, fromReadValue, toWriteValue, type PlainValue } from '../bitable/index.js';
import type { ColumnKind } from './config.js';

/** A value as the engine and the SQL adapter hold it: JSON-like, timestamps as epoch ms. */
export type SqlValue = string | number | boolean | null | unknown[] | Record<string, unknown>;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Date);

/** The column kind a field type maps to when the mapping does not say. */
export function defaultKind(type: number): ColumnKind {
  switch (type) {
    case FieldType.Number:
      return 'number';
    case FieldType.DateTime:
    case FieldType.CreatedTime:
    case FieldType.ModifiedTime:
      return 'timestamp';
    case FieldType.Checkbox:
      return 'boolean';
    case FieldType.MultiSelect:
    case FieldType.User:
    case FieldType.CreatedUser:
    case FieldType.ModifiedUser:
    case FieldType.GroupChat:
    case FieldType.SingleLink:
    case FieldType.DuplexLink:
    case FieldType.Attachment:
      return 'json';
    default:
      return 'text';
  }
}

/** The field type the engine creates for a column kind (when the mapping names no type). */
export function defaultFieldType(kind: ColumnKind): number {
  return { text: FieldType.Text, number: FieldType.Number, integer: FieldType.Number, boolean: FieldType.Checkbox, timestamp: FieldType.DateTime, json: FieldType.MultiSelect }[kind];
}

const splitList = (s: string) => s.split(/\s*,\s*/).filter(Boolean);
const listOf = (v: SqlValue): string[] => (Array.isArray(v) ? v.map((x) => (isObj(x) ? String(x.id ?? x.file_token ?? x.name ?? JSON.stringify(x)) : String(x))) : typeof v === 'string' ? splitList(v) : v === null ? [] : [String(v)]);

/** A plain Bitable value (fromReadValue) as a value of the column's kind. */
export function plainToSql(kind: ColumnKind, v: PlainValue): SqlValue {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case 'text':
      if (typeof v === 'string') return v;
      if (v instanceof Date) return v.toISOString();
      if (Array.isArray(v)) return v.map((x) => (isObj(x) ? String(x.file_token ?? x.id ?? x.name ?? '') : String(x))).join(', ');
      if (isObj(v)) return String(v.link ?? v.location ?? v.text ?? JSON.stringify(v));
      return String(v);
    case 'number':
    case 'integer': {
      const n = v instanceof Date ? v.getTime() : typeof v === 'boolean' ? Number(v) : typeof v === 'number' ? v : Number(Array.isArray(v) ? v[0] : v);
      return Number.isFinite(n) ? (kind === 'integer' ? Math.trunc(n) : n) : null;
    }
    case 'boolean':
      return v === true || v === 'true' || v === 1;
    case 'timestamp': {
      const n = v instanceof Date ? v.getTime() : typeof v === 'number' ? v : Date.parse(String(v));
      return Number.isFinite(n) ? n : null;
    }
    case 'json':
      if (Array.isArray(v)) return v.map((x) => (isObj(x) && 'file_token' in x ? String(x.file_token) : x instanceof Date ? x.getTime() : x));
      if (v instanceof Date) return v.getTime();
      return v as SqlValue;
  }
}

/** A column value as the plain value `toWriteValue` takes for the field type. */
export function sqlToPlain(type: number, v: SqlValue): unknown {
  if (v === null || v === undefined) return null;
  switch (type) {
    case FieldType.Number:
      return typeof v === 'number' ? v : Number(v);
    case FieldType.MultiSelect:
    case FieldType.User:
    case FieldType.GroupChat:
    case FieldType.SingleLink:
    case FieldType.DuplexLink:
      return listOf(v);
    case FieldType.Attachment:
      return listOf(v).map((file_token) => ({ file_token }));
    case FieldType.DateTime:
      return typeof v === 'number' ? v : Date.parse(String(v));
    case FieldType.Checkbox:
      return v === true || v === 1 || v === 'true';
    case FieldType.Url:
      if (isObj(v)) return v;
      return { text: String(v), link: String(v) };
    case FieldType.SingleSelect:
      return Array.isArray(v) ? String(v[0] ?? '') || null : String(v);
    default:
      if (Array.isArray(v)) return v.map(String).join(', ');
      if (isObj(v)) return JSON.stringify(v);
      return typeof v === 'boolean' ? String(v) : String(v);
  }
}

/**
 * The canonical form both sides are compared in: '' and null are the same text, a checkbox is never
 * null (an unchecked box reads back empty), numbers are finite or null, timestamps whole ms.
 */
export function canonical(kind: ColumnKind, v: SqlValue): SqlValue {
  switch (kind) {
    case 'text':
      return v === null || v === '' ? null : typeof v === 'string' ? v : plainToSql('text', v as PlainValue);
    case 'number':
    case 'integer': {
      if (v === null || v === '') return null;
      const n = typeof v === 'number' ? v : Number(v);
      if (!Number.isFinite(n)) return null;
      return kind === 'integer' ? Math.trunc(n) : Number(n.toPrecision(15));
    }
    case 'boolean':
      return v === true || v === 1 || v === 'true' || v === '1';
    case 'timestamp': {
      if (v === null || v === '') return null;
      const n = typeof v === 'number' ? v : Date.parse(String(v));
      return Number.isFinite(n) ? Math.round(n) : null;
    }
    case 'json':
      if (v === null) return null;
      if (Array.isArray(v) && v.length === 0) return null;
      if (typeof v === 'string') {
        try {
          return canonical('json', JSON.parse(v) as SqlValue);
        } catch {
          return [v];
        }
      }
      return sortKeys(v) as SqlValue;
  }
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (isObj(v)) return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys(v[k])]));
  return v;
}

/** One mapped pair, resolved against the table: field id and type, column and kind. */
export interface ResolvedPair {
  /** The mapping's reference (name or id) as configured. */
  ref: string;
  fieldId: string;
  /** The field's current name (records are keyed by name). */
  fieldName: string;
  fieldType: number;
  column: string;
  kind: ColumnKind;
  /** Formula, lookup, created/modified time…: read from Bitable, never written. */
  readOnly: boolean;
}

/** Canonical values of a row, by column, in mapping order (the diff's unit). */
export type RowValues = Record<string, SqlValue>;

export const isReadOnly = (type: number) => READ_ONLY_TYPES.has(type);

/** A Bitable record's raw `fields` (keyed by name) as canonical column values. */
export function valuesFromRecord(fields: Record<string, unknown>, pairs: ResolvedPair[]): RowValues {
  const out: RowValues = {};
  for (const p of pairs) out[p.column] = canonical(p.kind, plainToSql(p.kind, fromReadValue(p.fieldType, fields[p.fieldName])));
  return out;
}

/** A database row as canonical column values. */
export function valuesFromRow(row: Record<string, SqlValue>, pairs: ResolvedPair[]): RowValues {
  const out: RowValues = {};
  for (const p of pairs) out[p.column] = canonical(p.kind, row[p.column] ?? null);
  return out;
}

/**
 * Values to a Bitable write's `fields` (by current name), writable fields only. `previous` given:
 * only what differs (an update); a cleared value is sent as null.
 */
export function recordFields(values: RowValues, pairs: ResolvedPair[], previous?: RowValues): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const p of pairs) {
    if (p.readOnly) continue;
    const v = values[p.column] ?? null;
    if (previous && stable(previous[p.column] ?? null) === stable(v)) continue;
    if (v === null) {
      if (previous) out[p.fieldName] = null;
      continue;
    }
    out[p.fieldName] = toWriteValue(p.fieldType, sqlToPlain(p.fieldType, v), p.fieldName);
  }
  return out;
}

/** Stable JSON (sorted keys) of a value. */
export function stable(v: unknown): string {
  return JSON.stringify(sortKeys(v));
}

/** The hash compared across sides: over the values that sync both ways (read-only fields are Bitable's). */
export function hashOf(values: RowValues, pairs: ResolvedPair[]): string {
  const h = createHash('sha1');
  for (const p of pairs) if (!p.readOnly) h.update(p.column).update('\u0000').update(stable(values[p.column] ?? null)).update('\u0001');
  return h.digest('hex');
}

/** The key's text form (state and maps are keyed by it). */
export function keyText(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  const s = typeof v === 'number' ? String(v) : Array.isArray(v) ? v.map(String).join('') : String(v);
  return s.trim() === '' ? undefined : s;
}

/** A record-changed event's `field_value` (a JSON string of the read value) as a canonical column value. */
export function fromEventValue(p: ResolvedPair, fieldValue: string | undefined): SqlValue {
  if (fieldValue === undefined || fieldValue === '') return canonical(p.kind, null);
  let raw: unknown;
  try {
    raw = JSON.parse(fieldValue);
  } catch {
    raw = fieldValue;
  }
  return canonical(p.kind, plainToSql(p.kind, fromReadValue(p.fieldType, raw)));
}
