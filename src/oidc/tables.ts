import type { Kysely, Migration } from 'kysely';

/**
 * What oidc-provider stores, one table for every model (Session, Interaction, AuthorizationCode,
 * AccessToken, RefreshToken, Grant, …) keyed by (kind, id). `payload` is the model as JSON;
 * `grant_id`, `uid` and `user_code` are copied out of it for the adapter's lookups. Times are epoch
 * milliseconds in bigint columns (PostgreSQL returns them as strings: read with `toMs`).
 */
export interface OidcModelsTable {
  kind: string;
  id: string;
  payload: string;
  grant_id: string | null;
  uid: string | null;
  user_code: string | null;
  expires_at: number | string | null;
  consumed_at: number | string | null;
}

/**
 * The provider's signing keys (RS256). The private JWK is encrypted (AES-256-GCM, a key derived
 * from HUB_SESSION_SECRET). The signer is the newest active key; a retired key stays in the JWKS
 * until `publish_until`, so tokens it signed still verify.
 */
export interface OidcKeysTable {
  kid: string;
  alg: string;
  public_jwk: string;
  private_jwk: string;
  created_at: number | string;
  /** When it became the signer (NULL for the next key: published ahead, not signing yet). */
  activated_at: number | string | null;
  /** When a newer key replaced it (NULL while it signs). */
  retired_at: number | string | null;
  /** When it leaves the JWKS (NULL while it signs). */
  publish_until: number | string | null;
}

export interface OidcSchema {
  oidc_models: OidcModelsTable;
  oidc_keys: OidcKeysTable;
}

export type OidcDb = Kysely<OidcSchema>;

export const oidcMigrations: Record<string, Migration> = {
  '0001_models_keys': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('oidc_models')
        .ifNotExists()
        .addColumn('kind', 'varchar(64)', (c) => c.notNull())
        .addColumn('id', 'varchar(255)', (c) => c.notNull())
        .addColumn('payload', 'text', (c) => c.notNull())
        .addColumn('grant_id', 'varchar(255)')
        .addColumn('uid', 'varchar(255)')
        .addColumn('user_code', 'varchar(255)')
        .addColumn('expires_at', 'bigint')
        .addColumn('consumed_at', 'bigint')
        .addPrimaryKeyConstraint('oidc_models_pk', ['kind', 'id'])
        .execute();
      await db.schema.createIndex('oidc_models_grant').ifNotExists().on('oidc_models').columns(['grant_id']).execute();
      await db.schema.createIndex('oidc_models_uid').ifNotExists().on('oidc_models').columns(['uid']).execute();
      await db.schema.createIndex('oidc_models_user_code').ifNotExists().on('oidc_models').columns(['user_code']).execute();
      await db.schema.createIndex('oidc_models_expires').ifNotExists().on('oidc_models').columns(['expires_at']).execute();
      await db.schema
        .createTable('oidc_keys')
        .ifNotExists()
        .addColumn('kid', 'varchar(128)', (c) => c.primaryKey())
        .addColumn('alg', 'varchar(16)', (c) => c.notNull())
        .addColumn('public_jwk', 'text', (c) => c.notNull())
        .addColumn('private_jwk', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('activated_at', 'bigint')
        .addColumn('retired_at', 'bigint')
        .addColumn('publish_until', 'bigint')
        .execute();
    },
    async down(db: Kysely<any>) {
      await db.schema.dropTable('oidc_keys').ifExists().execute();
      await db.schema.dropTable('oidc_models').ifExists().execute();
    },
  },
};

/** The migrations as the hub runs them (`oidc/<name>`), for the CLI and tests that open the store themselves. */
export const namespacedOidcMigrations: Record<string, Migration> = Object.fromEntries(Object.entries(oidcMigrations).map(([name, m]) => [`oidc/${name}`, m]));
