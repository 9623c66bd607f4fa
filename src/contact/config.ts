import { z } from 'zod';

/** A SQL identifier for the mirror table: letters, digits and underscores, optionally `schema.table`. */
const tableName = z
  .string()
  .regex(/^([A-Za-z_][A-Za-z0-9_]{0,62}\.)?[A-Za-z_][A-Za-z0-9_]{0,62}$/, 'must be a plain SQL table name (letters, digits, _; optionally schema.table)')
  .refine((t) => !/^directory_/.test(t.split('.').pop()!), { message: 'must not start with directory_ (the capability\'s own tables)' });

export const USER_ID_TYPES = ['open_id', 'union_id', 'user_id'] as const;
export type UserIdType = (typeof USER_ID_TYPES)[number];

export const directoryConfigSchema = z
  .object({
    /** Sync the org chart at all (off unless set: a hub without a directory section calls no contact API). */
    enabled: z.boolean().default(false),
    /** How often the reconcile job runs a full sync that repairs drift (missed events). */
    reconcile_every_ms: z.number().int().min(10_000, 'reconcile_every_ms must be at least 10000 (ms)').default(6 * 3600_000),
    /** Run a full sync when the hub starts and the store has never been synced (or a run was cut off). */
    sync_at_start: z.boolean().default(true),
    /** The id that names people in the mirror table (`id`, `leader` columns) and in hook payloads' `id`. */
    user_id_type: z.enum(USER_ID_TYPES, { message: `must be one of ${USER_ID_TYPES.join(', ')}` }).default('open_id'),
    /** Parallel department fetches during a full sync (the rate limiter paces them to the contact tier). */
    concurrency: z.number().int().min(1).max(32).default(6),
    /** page_size of the contact list calls (the platform's maximum is 50). */
    page_size: z.number().int().min(1).max(50).default(50),
    /** Keep a copy of the people in a table of your own, in the hub's database. */
    mirror: z
      .object({
        table: tableName,
        /** Also mirror the departments into this table. */
        departments_table: tableName.optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type DirectoryConfig = z.output<typeof directoryConfigSchema>;
