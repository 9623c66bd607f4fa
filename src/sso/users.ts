import { randomToken } from './crypto.js';
import type { FeishuProfile } from './oauth.js';
import type { SsoDb, SsoUsersTable } from './tables.js';

export type UserRow = SsoUsersTable;

/** Local users (`sso_users`): one per Feishu person who logged in, keyed by open_id. */
export class UserBook {
  constructor(private readonly db: () => SsoDb) {}

  /** Creates the user on first login, refreshes the profile on later ones. */
  async upsert(p: FeishuProfile, now = Date.now()): Promise<UserRow> {
    const fields = {
      union_id: p.union_id || null,
      user_id: p.user_id || null,
      tenant_key: p.tenant_key || null,
      name: p.name || p.en_name || p.open_id,
      en_name: p.en_name || null,
      email: (p.enterprise_email || p.email || '').toLowerCase() || null,
      avatar_url: p.avatar_url || p.avatar_big || p.avatar_thumb || null,
      employee_no: p.employee_no || null,
      last_login_at: now,
    };
    await this.db()
      .insertInto('sso_users')
      .values({ id: `u_${randomToken(12)}`, open_id: p.open_id, created_at: now, ...fields })
      .onConflict((oc) => oc.column('open_id').doUpdateSet(fields))
      .execute();
    return (await this.byOpenId(p.open_id))!;
  }

  byId(id: string): Promise<UserRow | undefined> {
    return this.db().selectFrom('sso_users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  byOpenId(openId: string): Promise<UserRow | undefined> {
    return this.db().selectFrom('sso_users').selectAll().where('open_id', '=', openId).executeTakeFirst();
  }

  /** By local id, open_id (ou_), union_id (on_) or email. */
  async find(key: string): Promise<UserRow | undefined> {
    const q = this.db().selectFrom('sso_users').selectAll();
    if (key.startsWith('u_')) return q.where('id', '=', key).executeTakeFirst();
    if (key.startsWith('ou_')) return q.where('open_id', '=', key).executeTakeFirst();
    if (key.startsWith('on_')) return q.where('union_id', '=', key).executeTakeFirst();
    if (key.includes('@')) return q.where('email', '=', key.toLowerCase()).executeTakeFirst();
    return q.where('user_id', '=', key).executeTakeFirst();
  }

  list(): Promise<UserRow[]> {
    return this.db().selectFrom('sso_users').selectAll().orderBy('created_at').execute();
  }
}
