import type { Adapter, AdapterPayload } from 'oidc-provider';
import type { Store } from '../store/index.js';
import type { OidcDb } from './tables.js';

const toMs = (v: number | string | null | undefined) => (v === null || v === undefined ? undefined : Number(v));

/**
 * oidc-provider's storage on the hub's database (SQLite or PostgreSQL through Kysely): one row per
 * model instance in `oidc_models`. An expired row reads as absent (the prune job deletes it later);
 * `consume` stamps `consumed_at`, which comes back as the payload's `consumed` (what the provider
 * checks to refuse a reused code or a rotated refresh token).
 */
export class KyselyOidcAdapter implements Adapter {
  private readonly db: OidcDb;

  constructor(
    store: Store,
    private readonly kind: string,
    private readonly now: () => number = Date.now,
  ) {
    this.db = store.db as unknown as OidcDb;
  }

  async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
    const row = {
      payload: JSON.stringify(payload),
      grant_id: payload.grantId ?? null,
      uid: payload.uid ?? null,
      user_code: payload.userCode ?? null,
      expires_at: expiresIn ? this.now() + expiresIn * 1000 : null,
    };
    await this.db
      .insertInto('oidc_models')
      .values({ kind: this.kind, id, consumed_at: null, ...row })
      .onConflict((oc) => oc.columns(['kind', 'id']).doUpdateSet(row))
      .execute();
  }

  find(id: string): Promise<AdapterPayload | undefined> {
    return this.findBy('id', id);
  }

  findByUid(uid: string): Promise<AdapterPayload | undefined> {
    return this.findBy('uid', uid);
  }

  findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
    return this.findBy('user_code', userCode);
  }

  async consume(id: string): Promise<void> {
    await this.db.updateTable('oidc_models').set({ consumed_at: this.now() }).where('kind', '=', this.kind).where('id', '=', id).execute();
  }

  async destroy(id: string): Promise<void> {
    await this.db.deleteFrom('oidc_models').where('kind', '=', this.kind).where('id', '=', id).execute();
  }

  async revokeByGrantId(grantId: string): Promise<void> {
    await this.db.deleteFrom('oidc_models').where('kind', '=', this.kind).where('grant_id', '=', grantId).execute();
  }

  private async findBy(column: 'id' | 'uid' | 'user_code', value: string): Promise<AdapterPayload | undefined> {
    const row = await this.db.selectFrom('oidc_models').select(['payload', 'expires_at', 'consumed_at']).where('kind', '=', this.kind).where(column, '=', value).executeTakeFirst();
    if (!row) return undefined;
    const expires = toMs(row.expires_at);
    if (expires !== undefined && expires <= this.now()) return undefined;
    const payload = JSON.parse(row.payload) as AdapterPayload;
    const consumed = toMs(row.consumed_at);
    return consumed === undefined ? payload : { ...payload, consumed: Math.floor(consumed / 1000) };
  }
}

/** Deletes rows that expired more than `graceMs` ago; returns how many. */
export async function pruneExpiredModels(store: Store, now = Date.now(), graceMs = 60_000): Promise<number> {
  const db = store.db as unknown as OidcDb;
  const result = await db.deleteFrom('oidc_models').where('expires_at', 'is not', null).where('expires_at', '<', now - graceMs).executeTakeFirst();
  return Number(result.numDeletedRows ?? 0);
}
