import { FeishuApiError } from '../platform/index.js';
import type { BitableClient } from './client.js';
import type { BitableField, FieldSpec } from './types.js';
import { BitableValueError, FieldType, READ_ONLY_TYPES, textOf, toWriteValue } from './values.js';

/**
 * One record written on behalf of something else (an approval rule, an incident, an export):
 * plain values converted by the table's field types, created with a client_token derived from the
 * caller's durable key (a retry after a timeout never doubles it) or, with a key field, upserted
 * (the record whose key field equals the key is updated, else one is created).
 */

/** A rule's target table: `app_token` and `table_id`. */
export interface BitableTarget {
  appToken: string;
  tableId: string;
}

/** `app/tbl` (as the CLI takes it) → a target; throws a TypeError that says the shape. */
export function parseTarget(s: string): BitableTarget {
  const m = /^([A-Za-z0-9_-]+)\/(tbl[A-Za-z0-9_-]+)$/.exec(s.trim());
  if (!m) throw new TypeError(`a Bitable table is <app_token>/<table_id> (the table id starts with tbl), got "${s}"`);
  return { appToken: m[1], tableId: m[2] };
}

/** Where a value came from does not fit its field (unknown field, read-only, wrong shape): a retry cannot fix it. */
export class RecordValueError extends Error {
  override name = 'RecordValueError';
}

/**
 * Plain values (from templates: strings, numbers, dates, ids, lists) to a write's `fields` by the
 * table's field types. Empty strings clear non-text cells (an unset `${end_time}` of a pending
 * instance, say); a field the table lacks or a computed one is a RecordValueError naming it.
 */
export function recordFields(values: Record<string, unknown>, schema: BitableField[]): Record<string, unknown> {
  const byName = new Map(schema.map((f) => [f.field_name, f]));
  const out: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [name, raw] of Object.entries(values)) {
    if (raw === undefined) continue;
    const field = byName.get(name);
    if (!field) {
      problems.push(`the table has no field "${name}" (it has ${schema.map((f) => `"${f.field_name}"`).join(', ') || 'none'})`);
      continue;
    }
    if (READ_ONLY_TYPES.has(field.type)) {
      problems.push(`field "${name}" (type ${field.type}) is computed by Bitable and cannot be written`);
      continue;
    }
    const text = field.type === FieldType.Text || field.type === FieldType.Phone;
    const value = !text && (raw === '' || (Array.isArray(raw) && raw.length === 0)) ? null : raw;
    try {
      out[name] = text && value !== null && typeof value !== 'string' ? textValue(value) : toWriteValue(field.type, value, name);
    } catch (err) {
      if (err instanceof BitableValueError) problems.push(err.message);
      else throw err;
    }
  }
  if (problems.length) throw new RecordValueError(problems.join('; '));
  return out;
}

/** Any value as the text a text cell shows (lists joined, dates ISO, objects JSON). */
export function textValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return v.map(textValue).join(', ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export interface UpsertInput {
  /** Plain values by field name (see recordFields). */
  fields: Record<string, unknown>;
  /** With a key field: the record whose key field equals `fields[keyField]` is updated, else one is created. */
  keyField?: string;
  /** The durable idempotency key of this write (an outbox row id…): the create's client_token derives from it. */
  idempotencyKey: string;
  /** The record this write made before (the caller kept its id): updated directly, no search. */
  recordId?: string;
  /** The table's fields, when the caller has them (else read once per call). */
  schema?: BitableField[];
}

export interface UpsertResult {
  recordId?: string;
  action: 'created' | 'updated' | 'already_created';
}

/** Upserts of one key run one after another in this process (a search and a create must not interleave). */
const keyLocks = new Map<string, Promise<unknown>>();
async function withKeyLock<T>(key: string, fn: () => Promise<T>): Promise<T> {
  const tail = keyLocks.get(key) ?? Promise.resolve();
  const run = tail.then(fn, fn);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  keyLocks.set(key, settled);
  void settled.then(() => keyLocks.get(key) === settled && keyLocks.delete(key));
  return run;
}

/** The record ids whose key field is exactly `key` (oldest first). */
export async function findByKey(client: BitableClient, target: BitableTarget, keyField: string, key: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const r of client.records(target.appToken, target.tableId, { filter: { conjunction: 'and', conditions: [{ field_name: keyField, operator: 'is', value: [key] }] }, fieldNames: [keyField], limit: 20 })) {
    // `is` on text is the platform's match; keep only exact ones.
    if (textOf(r.fields[keyField]) === key) ids.push(r.record_id);
  }
  return ids;
}

/**
 * Writes one record once. Without a key field: a create whose client_token derives from
 * `idempotencyKey`, so the same write repeated (a retry after a lost answer, a restart) answers
 * the record the first one made; 1255006 (the token was used with another body, i.e. an earlier
 * attempt of this write already created its record) answers `already_created`. With a key field:
 * update the record with that key (or `recordId`), else create it as above.
 */
export async function upsertRecord(client: BitableClient, target: BitableTarget, input: UpsertInput): Promise<UpsertResult> {
  const schema = input.schema ?? (await client.fields(target.appToken, target.tableId));
  const fields = recordFields(input.fields, schema);
  const create = async (): Promise<UpsertResult> => {
    try {
      // A new record has no cells to clear: empty values are left out.
      const cells = Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null));
      const rec = await client.create(target.appToken, target.tableId, cells, { clientToken: `record:${input.idempotencyKey}` });
      return { recordId: rec.record_id, action: 'created' };
    } catch (err) {
      if (err instanceof FeishuApiError && err.code === 1255006) return { action: 'already_created' };
      throw err;
    }
  };
  const update = async (recordId: string): Promise<UpsertResult | undefined> => {
    try {
      await client.update(target.appToken, target.tableId, recordId, fields);
      return { recordId, action: 'updated' };
    } catch (err) {
      // Deleted by someone since: find it by key or create it again.
      if (err instanceof FeishuApiError && (err.code === 1254043 || err.code === 1254006)) return undefined;
      throw err;
    }
  };
  if (input.recordId) {
    const done = await update(input.recordId);
    if (done) return done;
  }
  if (!input.keyField) return create();
  const keyField = input.keyField;
  const key = textValue(input.fields[keyField]);
  if (!key) throw new RecordValueError(`the key field "${keyField}" is empty for this record`);
  return withKeyLock(`${target.appToken}/${target.tableId}/${keyField}/${key}`, async () => {
    const [existing] = await findByKey(client, target, keyField, key);
    if (existing) {
      const done = await update(existing);
      if (done) return done;
    }
    const made = await create();
    if (made.action !== 'already_created') return made;
    const [again] = await findByKey(client, target, keyField, key);
    return again ? ((await update(again)) ?? made) : made;
  });
}

/**
 * Makes sure the table has these fields (creates the missing ones); a field that exists with
 * another type is kept and reported in `mismatched` (values are converted by its actual type).
 * Answers the table's fields afterwards.
 */
export async function ensureRecordFields(client: BitableClient, target: BitableTarget, spec: FieldSpec[]): Promise<{ fields: BitableField[]; created: string[]; mismatched: { field_name: string; wanted: number; actual: number }[] }> {
  const r = await client.ensureFields(target.appToken, target.tableId, spec);
  return { fields: r.fields, created: r.created.map((f) => f.field_name), mismatched: r.mismatched };
}
