import { createHash } from 'node:crypto';
import { FieldType, recordFields, textOf, textValue, type BitableClient, type BitableTarget, type FieldSpec } from '../bitable/index.js';
import type { Platform } from '../platform/index.js';
import { ApprovalClient, type InstanceSummary } from './client.js';

const API = '/open-apis/approval/v4';

/** The fields an export writes (form widgets add one text field each, by the widget's name). */
export const EXPORT_FIELDS = {
  key: 'Instance code',
  serial: 'Serial',
  title: 'Title',
  approval: 'Approval',
  status: 'Status',
  applicant: 'Applicant',
  started: 'Started',
  ended: 'Ended',
} as const;

const FIXED: FieldSpec[] = [
  { field_name: EXPORT_FIELDS.key, type: FieldType.Text },
  { field_name: EXPORT_FIELDS.serial, type: FieldType.Text },
  { field_name: EXPORT_FIELDS.title, type: FieldType.Text },
  { field_name: EXPORT_FIELDS.approval, type: FieldType.Text },
  { field_name: EXPORT_FIELDS.status, type: FieldType.SingleSelect },
  { field_name: EXPORT_FIELDS.applicant, type: FieldType.User },
  { field_name: EXPORT_FIELDS.started, type: FieldType.DateTime },
  { field_name: EXPORT_FIELDS.ended, type: FieldType.DateTime },
];

export interface ExportProgress {
  phase: 'list' | 'read' | 'write';
  done: number;
  total: number;
}

export interface ExportOptions {
  /** Instances created since (epoch ms; default: all, from 0). */
  since?: number;
  /** …and until (default: now). */
  until?: number;
  /** Instances read at a time (default 4). */
  concurrency?: number;
  onProgress?: (p: ExportProgress) => void;
}

export interface ExportResult {
  approval_code: string;
  app_token: string;
  table_id: string;
  instances: number;
  created: number;
  updated: number;
  /** Fields this export added to the table. */
  fields_created: string[];
  /** Fields that exist with another type than the export's (kept; values converted to their type). */
  fields_mismatched: { field_name: string; wanted: number; actual: number }[];
}

/** Every instance code of a definition created in [since, until], page after page (100 a page). */
export async function listInstanceCodes(platform: Platform, code: string, since: number, until: number, onPage?: (n: number) => void): Promise<string[]> {
  const codes: string[] = [];
  let pageToken: string | undefined;
  do {
    const res = await platform.request<{ data?: { instance_code_list?: string[]; has_more?: boolean; page_token?: string } }>({
      method: 'GET',
      url: `${API}/instances`,
      params: { approval_code: code, start_time: String(since), end_time: String(until), page_size: 100, ...(pageToken ? { page_token: pageToken } : {}) },
    });
    codes.push(...(res.data?.instance_code_list ?? []));
    onPage?.(codes.length);
    pageToken = res.data?.has_more && res.data.page_token ? res.data.page_token : undefined;
  } while (pageToken);
  return [...new Set(codes)];
}

/** The field a form widget's value goes to: its name (or id), prefixed when it clashes with an export field. */
function formFieldName(item: { id: string; name?: string }): string {
  const name = (item.name || item.id).trim();
  return (Object.values(EXPORT_FIELDS) as string[]).includes(name) ? `Form ${name}` : name;
}

/**
 * One instance as plain values by field name. Form values are text, unless `typeOf` says the
 * table already has that field with another type (a number field made by hand): then the widget's
 * own value, for that type's conversion.
 */
export function exportRow(s: InstanceSummary, typeOf: (field: string) => number | undefined = () => undefined): Record<string, unknown> {
  const row: Record<string, unknown> = {
    [EXPORT_FIELDS.key]: s.instance_code,
    [EXPORT_FIELDS.serial]: s.serial_number,
    [EXPORT_FIELDS.title]: s.title ?? '',
    [EXPORT_FIELDS.approval]: s.approval_name,
    [EXPORT_FIELDS.status]: s.status,
    [EXPORT_FIELDS.applicant]: s.applicant.open_id ? [s.applicant.open_id] : '',
    [EXPORT_FIELDS.started]: s.start_time,
    [EXPORT_FIELDS.ended]: s.end_time,
  };
  for (const f of s.form) {
    const name = formFieldName(f);
    const type = typeOf(name);
    row[name] = type !== undefined && type !== FieldType.Text ? f.value : `${textValue(f.value)}${f.currency ? ` ${f.currency}` : ''}`;
  }
  return row;
}

const withoutNulls = (fields: Record<string, unknown>) => Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null && v !== undefined));

/**
 * Exports every instance of an approval definition to a Bitable table, one record per instance
 * keyed by its instance code: the missing fields are created (ensureFields), records already
 * there (by key) are updated, the others created in batches whose client_token derives from the
 * instances they hold — so a second export, or one repeated after a crash, updates instead of
 * duplicating.
 *
 * @example
 * const r = await exportApprovalInstances(hub.platform, hub.bitable, EXPENSE, { appToken: 'bascn…', tableId: 'tbl…' });
 * console.log(`${r.created} created, ${r.updated} updated`);
 */
export async function exportApprovalInstances(platform: Platform, bitable: BitableClient, code: string, target: BitableTarget, o: ExportOptions = {}): Promise<ExportResult> {
  const progress = o.onProgress ?? (() => undefined);
  const codes = await listInstanceCodes(platform, code, o.since ?? 0, o.until ?? Date.now(), (n) => progress({ phase: 'list', done: n, total: n }));
  const client = new ApprovalClient(platform);
  const summaries: InstanceSummary[] = new Array(codes.length);
  let next = 0;
  let read = 0;
  progress({ phase: 'read', done: 0, total: codes.length });
  await Promise.all(
    Array.from({ length: Math.min(o.concurrency ?? 4, codes.length) }, async () => {
      while (next < codes.length) {
        const i = next++;
        summaries[i] = await client.get(codes[i]);
        progress({ phase: 'read', done: ++read, total: codes.length });
      }
    }),
  );
  const formFields = [...new Set(summaries.flatMap((s) => Object.keys(exportRow(s))))].filter((n) => !FIXED.some((f) => f.field_name === n));
  const ensured = await bitable.ensureFields(target.appToken, target.tableId, [...FIXED, ...formFields.map((field_name) => ({ field_name, type: FieldType.Text }))]);
  const schema = ensured.fields;
  const types = new Map(schema.map((f) => [f.field_name, f.type]));
  const rows = summaries.map((s) => exportRow(s, (n) => types.get(n)));

  // Which instances the table already has (by key), read once.
  const existing = new Map<string, string>();
  for await (const r of bitable.records(target.appToken, target.tableId, { fieldNames: [EXPORT_FIELDS.key] })) {
    const key = textOf(r.fields[EXPORT_FIELDS.key]);
    if (key && !existing.has(key)) existing.set(key, r.record_id);
  }
  const updates: { record_id: string; fields: Record<string, unknown> }[] = [];
  const creates: { key: string; fields: Record<string, unknown> }[] = [];
  for (const row of rows) {
    const key = String(row[EXPORT_FIELDS.key]);
    const fields = recordFields(row, schema);
    const id = existing.get(key);
    if (id) updates.push({ record_id: id, fields });
    else creates.push({ key, fields: withoutNulls(fields) });
  }
  const total = rows.length;
  progress({ phase: 'write', done: 0, total });
  if (updates.length) await bitable.batchUpdate(target.appToken, target.tableId, updates, { onProgress: (p) => progress({ phase: 'write', done: p.done, total }) });
  if (creates.length) {
    // The same instances exported to the same table again carry the same key: never created twice.
    const token = createHash('sha256').update(`approval-export\u0000${target.appToken}\u0000${target.tableId}\u0000${creates.map((c) => c.key).join('\u0000')}`).digest('hex');
    await bitable.batchCreate(target.appToken, target.tableId, creates.map((c) => c.fields), { clientToken: token, onProgress: (p) => progress({ phase: 'write', done: updates.length + p.done, total }) });
  }
  progress({ phase: 'write', done: total, total });
  return {
    approval_code: code,
    app_token: target.appToken,
    table_id: target.tableId,
    instances: total,
    created: creates.length,
    updated: updates.length,
    fields_created: ensured.created.map((f) => f.field_name),
    fields_mismatched: ensured.mismatched,
  };
}
