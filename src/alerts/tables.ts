import type { Kysely, Migration } from 'kysely';

/** Times are epoch ms in bigint columns (PostgreSQL returns them as strings: read with `toMs`). JSON in text columns. */
export type IncidentStatus = 'triggered' | 'acknowledged' | 'resolved';

export interface AlertIncidentsTable {
  /** Short id people type (`/ack 3f9a2c`). */
  id: string;
  /** What alerts group by: source + receiver + group labels (or the configured group_by labels). */
  group_key: string;
  /** `group_key` while the incident is open, NULL once resolved: a unique index keeps one open incident per group across replicas. */
  open_key: string | null;
  source: string;
  source_group_key: string | null;
  title: string;
  severity: string;
  status: IncidentStatus;
  /** JSON: the group's labels and annotations as last sent. */
  labels: string;
  annotations: string;
  external_url: string | null;
  /** JSON [{open_id, name, user, at}]: who acknowledged (several may). */
  acked_by: string;
  snoozed_until: number | string | null;
  flapping: number;
  firing: number;
  resolved_alerts: number;
  /** Bumped on every change; deliveries render when theirs is behind. */
  version: number;
  escalation_level: number;
  /** JSON: names of the routes it was sent by. */
  routes: string;
  /** Why nothing was sent (no route, silenced), if so. */
  note: string | null;
  war_room_chat_id: string | null;
  /** null | creating | open | resolved | disbanded */
  war_room_state: string | null;
  opened_at: number | string;
  updated_at: number | string;
  resolved_at: number | string | null;
  /** JSON {open_id, name, user} of who resolved it in Feishu; null when its alerts resolved. */
  resolved_by: string | null;
  /** When its chats were last reminded (repeat_interval_ms). */
  reminded_at: number | string | null;
}

/** One occurrence of an alert: fingerprint + startsAt (the same labels firing again later is a new one). */
export interface AlertOccurrencesTable {
  source: string;
  fingerprint: string;
  starts_at: number | string;
  incident_id: string;
  status: 'firing' | 'resolved';
  ends_at: number | string | null;
  labels: string;
  annotations: string;
  /** JSON [{name,url}] */
  links: string;
  /** From its labels (severity_label / severity_map), kept so the incident's severity is one aggregate query. */
  severity: string;
  /** The maintenance silence that held it, if any. */
  silenced: string | null;
  updated_at: number | string;
}

export interface AlertTimelineTable {
  id: string;
  incident_id: string;
  at: number | string;
  /** opened | alert_firing | alert_resolved | resolved | retriggered | acknowledged | … */
  kind: string;
  /** open_id of who did it (or null for the source). */
  actor: string | null;
  /** Their id in the alerting system, when bound. */
  actor_user: string | null;
  text: string;
}

/** One card of an incident in one place (a chat, a person, its war room). */
export interface AlertDeliveriesTable {
  id: string;
  incident_id: string;
  /** oc_… chat, or a person (ou_…, email, user_id), or bitable:<app_token>/<table_id>. */
  target: string;
  /** `bitable`: the incident's record in the incident log (`target` bitable:<app>/<table>, `message_id` the record id). */
  kind: 'chat' | 'user' | 'war_room' | 'escalation' | 'bitable';
  route: string | null;
  message_id: string | null;
  /** The incident version the card shows. */
  rendered_version: number;
  /** Set when the chat's card budget was spent: the incident is listed on this summary card instead. */
  summary_key: string | null;
  attempts: number;
  next_at: number | string;
  locked_by: string | null;
  locked_until: number | string | null;
  last_error: string | null;
  /** Given up (a refusal a retry cannot fix, e.g. the bot is not in the chat). */
  failed: number;
  sent_at: number | string | null;
  patched_at: number | string | null;
  created_at: number | string;
}

/** The storm card of a chat for one window, listing the incidents that did not get their own. */
export interface AlertSummariesTable {
  key: string;
  chat_id: string;
  message_id: string | null;
  version: number;
  rendered_version: number;
  next_at: number | string;
  locked_by: string | null;
  locked_until: number | string | null;
  sent_at: number | string | null;
  patched_at: number | string | null;
  created_at: number | string;
}

export interface AlertBindingsTable {
  open_id: string;
  user: string;
  /** config | email | self */
  via: string;
  created_at: number | string;
}

/** Clicks and commands of users not bound yet: applied when they bind. */
export interface AlertHeldActionsTable {
  id: string;
  open_id: string;
  incident_id: string;
  action: string;
  arg: string | null;
  created_at: number | string;
}

export interface AlertTables {
  alert_incidents: AlertIncidentsTable;
  alert_occurrences: AlertOccurrencesTable;
  alert_timeline: AlertTimelineTable;
  alert_deliveries: AlertDeliveriesTable;
  alert_summaries: AlertSummariesTable;
  alert_bindings: AlertBindingsTable;
  alert_held_actions: AlertHeldActionsTable;
}

export type AlertDb = Kysely<AlertTables>;

/** The capability's migrations (stored as `alerts/<name>`); append only. */
export const alertMigrations: Record<string, Migration> = {
  '0001_incidents': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('alert_incidents')
        .addColumn('id', 'varchar(16)', (c) => c.primaryKey())
        .addColumn('group_key', 'varchar(1024)', (c) => c.notNull())
        .addColumn('open_key', 'varchar(1024)')
        .addColumn('source', 'varchar(32)', (c) => c.notNull())
        .addColumn('source_group_key', 'text')
        .addColumn('title', 'text', (c) => c.notNull())
        .addColumn('severity', 'varchar(16)', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('labels', 'text', (c) => c.notNull())
        .addColumn('annotations', 'text', (c) => c.notNull())
        .addColumn('external_url', 'text')
        .addColumn('acked_by', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('snoozed_until', 'bigint')
        .addColumn('flapping', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('firing', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('resolved_alerts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('escalation_level', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('routes', 'text', (c) => c.notNull().defaultTo('[]'))
        .addColumn('note', 'text')
        .addColumn('war_room_chat_id', 'varchar(128)')
        .addColumn('war_room_state', 'varchar(16)')
        .addColumn('opened_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('resolved_at', 'bigint')
        .addColumn('resolved_by', 'text')
        .addColumn('reminded_at', 'bigint')
        .execute();
      await db.schema.createIndex('alert_incidents_open_key').on('alert_incidents').column('open_key').unique().execute();
      await db.schema.createIndex('alert_incidents_group').on('alert_incidents').columns(['group_key', 'resolved_at']).execute();
      await db.schema.createIndex('alert_incidents_status').on('alert_incidents').columns(['status', 'updated_at']).execute();
      await db.schema
        .createTable('alert_occurrences')
        .addColumn('source', 'varchar(32)', (c) => c.notNull())
        .addColumn('fingerprint', 'varchar(64)', (c) => c.notNull())
        .addColumn('starts_at', 'bigint', (c) => c.notNull())
        .addColumn('incident_id', 'varchar(16)', (c) => c.notNull())
        .addColumn('status', 'varchar(16)', (c) => c.notNull())
        .addColumn('ends_at', 'bigint')
        .addColumn('labels', 'text', (c) => c.notNull())
        .addColumn('annotations', 'text', (c) => c.notNull())
        .addColumn('links', 'text', (c) => c.notNull())
        .addColumn('severity', 'varchar(16)', (c) => c.notNull().defaultTo('warning'))
        .addColumn('silenced', 'text')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('alert_occurrences_pk', ['source', 'fingerprint', 'starts_at'])
        .execute();
      await db.schema.createIndex('alert_occurrences_incident').on('alert_occurrences').columns(['incident_id', 'status']).execute();
      await db.schema
        .createTable('alert_timeline')
        .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
        .addColumn('incident_id', 'varchar(16)', (c) => c.notNull())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('kind', 'varchar(32)', (c) => c.notNull())
        .addColumn('actor', 'varchar(128)')
        .addColumn('actor_user', 'varchar(256)')
        .addColumn('text', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('alert_timeline_incident').on('alert_timeline').columns(['incident_id', 'at']).execute();
      await db.schema
        .createTable('alert_deliveries')
        .addColumn('id', 'varchar(512)', (c) => c.primaryKey())
        .addColumn('incident_id', 'varchar(16)', (c) => c.notNull())
        .addColumn('target', 'varchar(256)', (c) => c.notNull())
        .addColumn('kind', 'varchar(16)', (c) => c.notNull())
        .addColumn('route', 'varchar(128)')
        .addColumn('message_id', 'varchar(128)')
        .addColumn('rendered_version', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('summary_key', 'varchar(256)')
        .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_at', 'bigint', (c) => c.notNull())
        .addColumn('locked_by', 'varchar(128)')
        .addColumn('locked_until', 'bigint')
        .addColumn('last_error', 'text')
        .addColumn('failed', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('sent_at', 'bigint')
        .addColumn('patched_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('alert_deliveries_incident').on('alert_deliveries').column('incident_id').execute();
      await db.schema.createIndex('alert_deliveries_target').on('alert_deliveries').columns(['target', 'sent_at']).execute();
      await db.schema
        .createTable('alert_summaries')
        .addColumn('key', 'varchar(256)', (c) => c.primaryKey())
        .addColumn('chat_id', 'varchar(128)', (c) => c.notNull())
        .addColumn('message_id', 'varchar(128)')
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('rendered_version', 'integer', (c) => c.notNull().defaultTo(0))
        .addColumn('next_at', 'bigint', (c) => c.notNull())
        .addColumn('locked_by', 'varchar(128)')
        .addColumn('locked_until', 'bigint')
        .addColumn('sent_at', 'bigint')
        .addColumn('patched_at', 'bigint')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('alert_bindings')
        .addColumn('open_id', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('user', 'varchar(256)', (c) => c.notNull())
        .addColumn('via', 'varchar(16)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('alert_held_actions')
        .addColumn('id', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('open_id', 'varchar(128)', (c) => c.notNull())
        .addColumn('incident_id', 'varchar(16)', (c) => c.notNull())
        .addColumn('action', 'varchar(32)', (c) => c.notNull())
        .addColumn('arg', 'varchar(64)')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
    },
    async down(db: Kysely<any>) {
      for (const t of ['alert_held_actions', 'alert_bindings', 'alert_summaries', 'alert_deliveries', 'alert_timeline', 'alert_occurrences', 'alert_incidents']) await db.schema.dropTable(t).ifExists().execute();
    },
  },
};
