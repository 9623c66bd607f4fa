import type { Kysely, Migration, MigrationProvider } from 'kysely';

/**
 * Migrations live in code (no files to ship or find at run time). Append only: never edit a
 * migration that has shipped; add a new one with the next number.
 */
const migrations: Record<string, Migration> = {
  '0001_inbox_idempotency_kv': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('inbox')
        .ifNotExists()
        .addColumn('event_id', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('event_type', 'varchar(255)', (c) => c.notNull())
        .addColumn('source', 'varchar(16)', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('received_at', 'bigint', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull().defaultTo('pending'))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('locked_by', 'varchar(128)')
        .addColumn('locked_until', 'bigint')
        .addColumn('last_error', 'text')
        .execute();
      // One secondary index (each one costs every put): claims scan pending rows by due time, and
      // prune scans done rows by next_attempt_at, which `complete` sets to the completion time.
      await db.schema.createIndex('inbox_status_due').ifNotExists().on('inbox').columns(['status', 'next_attempt_at']).execute();

      await db.schema
        .createTable('idempotency_keys')
        .ifNotExists()
        .addColumn('key', 'varchar(512)', (c) => c.primaryKey())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('result', 'text')
        .execute();

      await db.schema
        .createTable('kv')
        .ifNotExists()
        .addColumn('namespace', 'varchar(128)', (c) => c.notNull())
        .addColumn('key', 'varchar(512)', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint')
        .addPrimaryKeyConstraint('kv_pk', ['namespace', 'key'])
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('kv').ifExists().execute();
      await db.schema.dropTable('idempotency_keys').ifExists().execute();
      await db.schema.dropTable('inbox').ifExists().execute();
    },
  },
};

/**
 * The store's own migrations plus the capabilities' (already namespaced `<capability>/<name>`, so
 * they never clash and a capability added later runs its migrations without renumbering anyone's).
 */
export function migrationProvider(extra: Record<string, Migration> = {}): MigrationProvider {
  for (const name of Object.keys(extra)) {
    if (name in migrations) throw new Error(`migration ${name} clashes with one of the store's own`);
  }
  return {
    async getMigrations() {
      return { ...migrations, ...extra };
    },
  };
}
