import { z } from 'zod';

const ident = z.string().regex(/^([A-Za-z_][A-Za-z0-9_]{0,62}\.)?[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a plain SQL name (letters, digits, _; optionally schema.table)');
const column = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a plain SQL column name (letters, digits, _)');
export const COLUMN_KINDS = ['text', 'number', 'integer', 'boolean', 'timestamp', 'json'] as const;
export const DIRECTIONS = ['both', 'to_database', 'to_bitable'] as const;
export const CONFLICT_POLICIES = ['latest', 'bitable', 'database'] as const;

const fieldRef = z.string().min(1, 'must name a Bitable field (its name, or its fld… id, which survives renames)');

const pair = z
  .object({
    /** The Bitable field: a name (resolved to its field id on the first run) or a `fld…` id. */
    field: fieldRef,
    /** The SQL column. */
    column,
    /** How the column holds the value (default: from the field's type). */
    kind: z.enum(COLUMN_KINDS, { message: `must be one of ${COLUMN_KINDS.join(', ')}` }).optional(),
    /** The field's type when the engine creates it (a FieldType name such as Number, or its number); default from `kind`. */
    type: z.union([z.string(), z.number().int()]).optional(),
  })
  .strict();

const job = z
  .object({
    bitable: z
      .object({
        /** The base's token (bascn…); or leave it out and give `base_name`: the engine creates the base on the first run. */
        app_token: z.string().min(1).optional(),
        /** The table's id (tbl…) in that base; or `table_name` (found, or created with the mapped fields). */
        table_id: z.string().min(1).optional(),
        base_name: z.string().min(1).max(255).optional(),
        table_name: z.string().min(1).optional(),
      })
      .strict()
      .refine((b) => b.app_token || b.base_name, { message: 'needs app_token (an existing base) or base_name (the engine creates one)' })
      .refine((b) => b.table_id || b.table_name, { message: 'needs table_id or table_name' }),
    database: z
      .object({
        /** postgres://…, mysql://… / mariadb://…, or sqlite:<path>. Put URLs with passwords in env and use `url_env`. */
        url: z.string().min(1).optional(),
        /** The environment variable that holds the URL. */
        url_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must name an environment variable').optional(),
        table: ident,
        /** Create the table (from the mapping) when it does not exist. */
        create: z.boolean().default(false),
        /** How database changes are seen: a change-log table fed by triggers (default), or a timestamp column you maintain. */
        capture: z.enum(['triggers', 'updated_at']).default('triggers'),
        updated_at_column: column.optional(),
        /** Rows inserted when the engine creates the table (fixtures, the sandbox demo). */
        seed: z.array(z.record(z.string(), z.unknown())).optional(),
      })
      .strict()
      .refine((d) => (d.url === undefined) !== (d.url_env === undefined), { message: 'needs exactly one of url or url_env' })
      .refine((d) => d.capture !== 'updated_at' || d.updated_at_column, { message: 'capture: updated_at needs updated_at_column' }),
    /** The row's identity: a unique column and the Bitable field that holds the same value. */
    key: z.object({ column, field: fieldRef, kind: z.enum(['text', 'integer']).default('text') }).strict(),
    fields: z.array(pair).min(1, 'must map at least one field to a column'),
    direction: z.enum(DIRECTIONS, { message: `must be one of ${DIRECTIONS.join(', ')}` }).default('both'),
    /** Who wins when both sides changed a row: the later change (latest), or always one side. */
    conflict: z.enum(CONFLICT_POLICIES, { message: `must be one of ${CONFLICT_POLICIES.join(', ')}` }).default('latest'),
    /** A run that would delete more than this share of a side's rows stops (and asks for --allow-mass-delete). */
    mass_delete_percent: z.number().min(0).max(100).default(20),
    /** Fewer deletes than this never count as a mass delete (small tables). */
    mass_delete_min_rows: z.number().int().min(0).default(10),
    /** Create mapped fields missing in Bitable (with types from the mapping). */
    create_fields: z.boolean().default(true),
    /** How often the database change log is read. */
    poll_every_ms: z.number().int().min(100, 'poll_every_ms must be at least 100').default(1000),
    /** How often a full reconcile scan repairs what events and the change log missed. */
    reconcile_every_ms: z.number().int().min(10_000, 'reconcile_every_ms must be at least 10000').default(600_000),
    /** Run the job (initial load or catch-up) when the hub starts. */
    run_at_start: z.boolean().default(true),
  })
  .strict()
  .superRefine((j, ctx) => {
    const cols = [j.key.column, ...j.fields.map((f) => f.column)];
    const dup = cols.find((c, i) => cols.indexOf(c) !== i);
    if (dup) ctx.addIssue({ code: 'custom', message: `column "${dup}" is mapped twice`, path: ['fields'] });
    const fields = [j.key.field, ...j.fields.map((f) => f.field)];
    const dupF = fields.find((c, i) => fields.indexOf(c) !== i);
    if (dupF) ctx.addIssue({ code: 'custom', message: `field "${dupF}" is mapped twice`, path: ['fields'] });
  });

export const syncConfigSchema = z
  .object({
    jobs: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/i, 'job names are letters, digits, - and _'), job).default({}),
  })
  .strict();

export type SyncConfig = z.output<typeof syncConfigSchema>;
export type SyncJobConfig = SyncConfig['jobs'][string];
export type ColumnKind = (typeof COLUMN_KINDS)[number];
export type Direction = (typeof DIRECTIONS)[number];
export type ConflictPolicy = (typeof CONFLICT_POLICIES)[number];
