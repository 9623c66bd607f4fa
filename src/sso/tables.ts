import type { Kysely, Migration } from 'kysely';

/** Times are epoch ms in bigint columns (PostgreSQL answers them as strings: read with Number()). */
export interface SsoUsersTable {
  /** Local user id (`u_` + random), what sessions and bindings point at. */
  id: string;
  /** Per app. */
  open_id: string;
  /** Per developer (the same person across the developer's apps). */
  union_id: string | null;
  /** Per tenant (needs the employee-id scope). */
  user_id: string | null;
  tenant_key: string | null;
  name: string;
  en_name: string | null;
  email: string | null;
  avatar_url: string | null;
  employee_no: string | null;
  created_at: number | string;
  last_login_at: number | string;
}

/** A user's Feishu tokens, encrypted (AES-256-GCM); `lock_*` is the cross-process refresh lock. */
export interface SsoUserTokensTable {
  user_id: string;
  access_token: string;
  refresh_token: string | null;
  access_expires_at: number | string;
  refresh_expires_at: number | string | null;
  scope: string | null;
  /** Bumped on every new pair; a refresher only takes the lock on the version it saw. */
  version: number;
  lock_owner: string | null;
  lock_until: number | string | null;
  updated_at: number | string;
}

export interface SsoSessionsTable {
  id: string;
  /** JSON of the @fastify/session object. */
  data: string;
  user_id: string | null;
  expires_at: number | string;
}

/** One login under way: state → PKCE verifier, where to return, the browser it started in. */
export interface SsoLoginStatesTable {
  state: string;
  verifier: string | null;
  return_to: string;
  /** The redirect_uri the authorize request named (the token request must repeat it exactly). */
  redirect_uri: string;
  /** sha256 of the browser's login nonce cookie (login CSRF). */
  browser: string;
  created_at: number | string;
  expires_at: number | string;
}

/** Feishu person ↔ system user (hub.accounts). */
export interface SsoBindingsTable {
  /** open_id when known, else `email:<email>` or `union:<union_id>` until they log in. */
  feishu_id: string;
  open_id: string | null;
  union_id: string | null;
  email: string | null;
  system_user: string;
  /** login | config | email | self | cli */
  source: string;
  created_at: number | string;
  updated_at: number | string;
}

export interface SsoTables {
  sso_users: SsoUsersTable;
  sso_user_tokens: SsoUserTokensTable;
  sso_sessions: SsoSessionsTable;
  sso_login_states: SsoLoginStatesTable;
  sso_bindings: SsoBindingsTable;
}

export type SsoDb = Kysely<SsoTables>;

/** Stored as `sso/<name>`; append only. */
export const ssoMigrations: Record<string, Migration> = {
  '0001_sso': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('sso_users')
        .addColumn('id', 'varchar(40)', (c) => c.primaryKey())
        .addColumn('open_id', 'varchar(128)', (c) => c.notNull().unique())
        .addColumn('union_id', 'varchar(128)')
        .addColumn('user_id', 'varchar(128)')
        .addColumn('tenant_key', 'varchar(128)')
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('en_name', 'text')
        .addColumn('email', 'varchar(320)')
        .addColumn('avatar_url', 'text')
        .addColumn('employee_no', 'varchar(128)')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_login_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sso_users_union').on('sso_users').column('union_id').execute();
      await db.schema.createIndex('sso_users_email').on('sso_users').column('email').execute();
      await db.schema
        .createTable('sso_user_tokens')
        .addColumn('user_id', 'varchar(40)', (c) => c.primaryKey())
        .addColumn('access_token', 'text', (c) => c.notNull())
        .addColumn('refresh_token', 'text')
        .addColumn('access_expires_at', 'bigint', (c) => c.notNull())
        .addColumn('refresh_expires_at', 'bigint')
        .addColumn('scope', 'text')
        .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
        .addColumn('lock_owner', 'varchar(64)')
        .addColumn('lock_until', 'bigint')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema
        .createTable('sso_sessions')
        .addColumn('id', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('data', 'text', (c) => c.notNull())
        .addColumn('user_id', 'varchar(40)')
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sso_sessions_user').on('sso_sessions').column('user_id').execute();
      await db.schema.createIndex('sso_sessions_expires').on('sso_sessions').column('expires_at').execute();
      await db.schema
        .createTable('sso_login_states')
        .addColumn('state', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('verifier', 'varchar(128)')
        .addColumn('return_to', 'text', (c) => c.notNull())
        .addColumn('redirect_uri', 'text', (c) => c.notNull())
        .addColumn('browser', 'varchar(64)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sso_login_states_expires').on('sso_login_states').column('expires_at').execute();
      await db.schema
        .createTable('sso_bindings')
        .addColumn('feishu_id', 'varchar(400)', (c) => c.primaryKey())
        .addColumn('open_id', 'varchar(128)')
        .addColumn('union_id', 'varchar(128)')
        .addColumn('email', 'varchar(320)')
        .addColumn('system_user', 'varchar(256)', (c) => c.notNull())
        .addColumn('source', 'varchar(16)', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('sso_bindings_open').on('sso_bindings').column('open_id').execute();
      await db.schema.createIndex('sso_bindings_union').on('sso_bindings').column('union_id').execute();
      await db.schema.createIndex('sso_bindings_email').on('sso_bindings').column('email').execute();
      await db.schema.createIndex('sso_bindings_system').on('sso_bindings').column('system_user').execute();
    },
  },
};

export const ms = (v: number | string | null | undefined): number | undefined => (v === null || v === undefined ? undefined : Number(v));
