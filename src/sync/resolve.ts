import { FieldType, isReadOnlyType, type BitableClient, type BitableField, type FieldSpec } from './bitable-deps.js';
import { defaultFieldType, defaultKind, type ResolvedPair } from './codec.js';
import type { SyncJobConfig } from './config.js';
import type { SyncState } from './state.js';

/** The job's table in Bitable, with the mapping resolved to field ids (and current names). */
export interface ResolvedTable {
  appToken: string;
  tableId: string;
  key: ResolvedPair;
  pairs: ResolvedPair[];
  fields: BitableField[];
  /** Fields the engine created this time. */
  created: string[];
}

/** Primary fields may only be of these types (reference §5.1). */
const PRIMARY_TYPES = new Set<number>([1, 2, 5, 13, 15, 20, 22]);

function typeOf(spec: string | number | undefined, kind: Parameters<typeof defaultFieldType>[0]): number {
  if (typeof spec === 'number') return spec;
  if (typeof spec === 'string') {
    const t = (FieldType as Record<string, number>)[spec];
    if (t === undefined) throw new Error(`sync: unknown field type "${spec}" (one of ${Object.keys(FieldType).join(', ')})`);
    return t;
  }
  return defaultFieldType(kind);
}

interface Wanted {
  ref: string;
  column: string;
  kind?: ResolvedPair['kind'];
  type?: string | number;
}

/**
 * Finds (or creates) the base, the table and each mapped field. A field is found by its id when the
 * mapping gives one or an earlier run resolved its name — so a field renamed in Bitable keeps syncing
 * — and by name only the first time.
 */
export async function resolveTable(client: BitableClient, state: SyncState, job: SyncJobConfig, jobName: string): Promise<ResolvedTable> {
  const row = await state.jobRow();
  let appToken = job.bitable.app_token ?? row?.app_token ?? undefined;
  let tableId = job.bitable.table_id ?? (row?.app_token === appToken ? row?.table_id : undefined) ?? undefined;
  const wanted: Wanted[] = [{ ref: job.key.field, column: job.key.column, kind: job.key.kind, type: job.key.kind === 'integer' ? FieldType.Number : FieldType.Text }, ...job.fields.map((f) => ({ ref: f.field, column: f.column, kind: f.kind, type: f.type }))];
  const created: string[] = [];
  const specOf = (w: Wanted): FieldSpec => ({ field_name: w.ref.startsWith('fld') ? w.column : w.ref, type: typeOf(w.type, w.kind ?? 'text') });

  if (appToken && !job.bitable.app_token) {
    // A base the engine created earlier, gone since (e.g. the sandbox's local Feishu restarted empty):
    // a new one is made and the rows start over (the state's record ids point into the old base).
    const gone = await client.app(appToken).then(
      () => false,
      (err: { code?: number }) => {
        if (err?.code === 1254040 || err?.code === 1254003) return true;
        throw err;
      },
    );
    if (gone) {
      await state.clearRows();
      appToken = undefined;
      tableId = undefined;
    }
  }
  if (!appToken) {
    const app = await client.createApp({ name: job.bitable.base_name! });
    appToken = app.app_token;
    await state.updateJob({ app_token: appToken, table_id: null, field_ids: null });
  }
  if (!tableId) {
    const name = job.bitable.table_name ?? jobName;
    const tables = await client.listTables(appToken);
    const found = tables.find((t) => t.name === name);
    if (found) tableId = found.table_id;
    else {
      const key = specOf(wanted[0]);
      if (!PRIMARY_TYPES.has(key.type)) key.type = FieldType.Text;
      const t = await client.createTable(appToken, { name, fields: [key, ...wanted.slice(1).map(specOf)] });
      tableId = t.table_id;
      created.push(...wanted.map((w) => specOf(w).field_name));
      // A base the engine created comes with an empty default table: the synced one replaces it.
      if (job.bitable.base_name && !job.bitable.app_token) {
        for (const other of tables) if (other.table_id !== tableId) await client.deleteTable(appToken, other.table_id).catch(() => undefined);
      }
    }
    await state.updateJob({ app_token: appToken, table_id: tableId });
  }

  let fields = await client.fields(appToken, tableId);
  const known = row?.field_ids && row.app_token === appToken && row.table_id === tableId ? (JSON.parse(row.field_ids) as Record<string, string>) : {};
  const find = (w: Wanted) => fields.find((f) => f.field_id === w.ref) ?? (known[w.ref] ? fields.find((f) => f.field_id === known[w.ref]) : undefined) ?? (known[w.ref] ? undefined : fields.find((f) => f.field_name === w.ref));
  const missing = wanted.filter((w) => !find(w));
  for (const w of missing) {
    if (known[w.ref]) throw new Error(`sync ${jobName}: the Bitable field "${w.ref}" (${known[w.ref]}) mapped to column ${w.column} was deleted from table ${tableId}; map another field or remove it from the job`);
    if (w.ref.startsWith('fld')) throw new Error(`sync ${jobName}: no field ${w.ref} in table ${tableId} (mapped to column ${w.column})`);
    if (!job.create_fields) throw new Error(`sync ${jobName}: no field "${w.ref}" in table ${tableId} (mapped to column ${w.column}); create it, or set create_fields: true`);
    await client.createField(appToken, tableId, specOf(w));
    created.push(w.ref);
  }
  if (missing.length) fields = await client.fields(appToken, tableId);

  const resolved = wanted.map((w): ResolvedPair => {
    const f = find(w)!;
    return { ref: w.ref, fieldId: f.field_id, fieldName: f.field_name, fieldType: f.type, column: w.column, kind: w.kind ?? defaultKind(f.type), readOnly: isReadOnlyType(f.type) };
  });
  const fieldIds = Object.fromEntries(resolved.map((p) => [p.ref, p.fieldId]));
  // Stored with the table they belong to, so a later resolve (after a rename) finds them by id.
  if (JSON.stringify(fieldIds) !== JSON.stringify(known)) await state.updateJob({ app_token: appToken, table_id: tableId, field_ids: JSON.stringify(fieldIds) });
  const [key, ...pairs] = resolved;
  if (key.readOnly) throw new Error(`sync ${jobName}: the key field "${key.fieldName}" is read-only (type ${key.fieldType}); use a text or number field`);
  return { appToken, tableId, key, pairs, fields, created };
}
