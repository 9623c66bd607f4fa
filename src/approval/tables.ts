import type { Kysely, Migration } from 'kysely';

/** Times are epoch ms in bigint columns (PostgreSQL returns them as strings: read with `toMs`). */
export interface ApprovalInstancesTable {
  instance_code: string;
  approval_code: string | null;
  /** The last status this hub acted on (never moves backwards, see state-machine.ts). */
  status: string;
  operate_time: number | string;
  updated_at: number | string;
}

/** Each (instance, status) that fired once: a status seen again later never fires again. */
export interface ApprovalTransitionsTable {
  instance_code: string;
  status: string;
  from_status: string | null;
  operate_time: number | string;
  recorded_at: number | string;
}

export type ActionRunState = 'pending' | 'running' | 'done' | 'failed';

/** The outbox: one row per effect of a transition (instance + status + rule), run by runner.ts. */
export interface ApprovalActionRunsTable {
  /** `${instance_code}:${status}:${rule}`, also the Idempotency-Key sent downstream. */
  id: string;
  instance_code: string;
  status: string;
  rule: string;
  /** The kind of effect (`http`, later `message`, `card`, `bitable`): picks the executor. */
  action: string;
  approval_code: string | null;
  /** JSON: what the effect is about (the transition and anything the rule added). */
  payload: string;
  state: ActionRunState;
  attempts: number;
  next_attempt_at: number | string;
  locked_by: string | null;
  locked_until: number | string | null;
  /** HTTP status of the last attempt, when there was a response. */
  last_status: number | null;
  last_error: string | null;
  created_at: number | string;
  updated_at: number | string;
}

/** When each pending task was last reminded (the reminders job: at most once per interval, across replicas). */
export interface ApprovalTaskRemindersTable {
  task_id: string;
  instance_code: string;
  reminded_at: number | string;
  count: number;
}

/** The approval card sent for each task, so it can follow the task when it is decided elsewhere. */
export interface ApprovalTaskCardsTable {
  task_id: string;
  instance_code: string;
  message_id: string;
  /** The task status the card shows, once it shows one. */
  outcome: string | null;
  created_at: number | string;
}

export interface ApprovalTables {
  approval_task_cards: ApprovalTaskCardsTable;
  approval_task_reminders: ApprovalTaskRemindersTable;
  approval_instances: ApprovalInstancesTable;
  approval_transitions: ApprovalTransitionsTable;
  approval_action_runs: ApprovalActionRunsTable;
}

/** The capability's migrations (stored as `approval/<name>`); append only. */
export const approvalMigrations: Record<string, Migration> = {
  '0001_instances_transitions_action_runs': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('approval_instances')
        .addColumn('instance_code', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('approval_code', 'varchar(128)')
        .addColumn('status', 'varchar(32)', (c) => c.notNull())
        .addColumn('operate_time', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      // The reconcile job scans instances still open.
      await db.schema.createIndex('approval_instances_status').on('approval_instances').columns(['status', 'updated_at']).execute();
      await db.schema
        .createTable('approval_transitions')
        .addColumn('instance_code', 'varchar(128)', (c) => c.notNull())
        .addColumn('status', 'varchar(32)', (c) => c.notNull())
        .addColumn('from_status', 'varchar(32)')
        .addColumn('operate_time', 'bigint', (c) => c.notNull())
        .addColumn('recorded_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('approval_transitions_pk', ['instance_code', 'status'])
        .execute();
      await db.schema
        .createTable('approval_action_runs')
        .addColumn('id', 'varchar(512)', (c) => c.primaryKey())
        .addColumn('instance_code', 'varchar(128)', (c) => c.notNull())
        .addColumn('status', 'varchar(32)', (c) => c.notNull())
        .addColumn('rule', 'varchar(128)', (c) => c.notNull())
        .addColumn('action', 'varchar(32)', (c) => c.notNull())
        .addColumn('approval_code', 'varchar(128)')
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('state', 'varchar(16)', (c) => c.notNull().defaultTo('pending'))
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_attempt_at', 'bigint', (c) => c.notNull())
        .addColumn('locked_by', 'varchar(128)')
        .addColumn('locked_until', 'bigint')
        .addColumn('last_status', 'integer')
        .addColumn('last_error', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addUniqueConstraint('approval_action_runs_once', ['instance_code', 'status', 'rule'])
        .execute();
      await db.schema.createIndex('approval_action_runs_due').on('approval_action_runs').columns(['state', 'next_attempt_at']).execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('approval_action_runs').ifExists().execute();
      await db.schema.dropTable('approval_transitions').ifExists().execute();
      await db.schema.dropTable('approval_instances').ifExists().execute();
    },
  },
  '0002_task_reminders': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('approval_task_reminders')
        .addColumn('task_id', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('instance_code', 'varchar(128)', (c) => c.notNull())
        .addColumn('reminded_at', 'bigint', (c) => c.notNull())
        .addColumn('count', 'integer', (c) => c.notNull().defaultTo(1))
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('approval_task_reminders').ifExists().execute();
    },
  },
  '0003_task_cards': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('approval_task_cards')
        .addColumn('task_id', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('instance_code', 'varchar(128)', (c) => c.notNull())
        .addColumn('message_id', 'varchar(128)', (c) => c.notNull())
        .addColumn('outcome', 'varchar(32)')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('approval_task_cards').ifExists().execute();
    },
  },
};
