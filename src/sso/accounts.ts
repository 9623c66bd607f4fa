import type { Logger } from '../config/index.js';
import type { Platform } from '../platform/index.js';
import type { BindClaim, SsoConfig } from './config.js';
import type { FeishuProfile } from './oauth.js';
import type { SsoBindingsTable, SsoDb } from './tables.js';
import type { AccountsApi, Binding, BindingSource } from './types.js';
import type { UserBook } from './users.js';

/** Bindings written by hand or config win over ones guessed from a login or the directory. */
const WEAK: ReadonlySet<string> = new Set(['login', 'email']);
const TTL_MS = 10 * 60_000;

interface Person {
  open_id?: string;
  union_id?: string;
  email?: string;
  user_id?: string;
  employee_no?: string;
}

/** The value of a claim of a person (email_local: alice@example.com → alice). */
export function claimOf(p: Person, claim: BindClaim): string | undefined {
  switch (claim) {
    case 'email_local':
      return p.email?.split('@')[0] || undefined;
    case 'email':
      return p.email || undefined;
    case 'user_id':
      return p.user_id || undefined;
    case 'employee_no':
      return p.employee_no || undefined;
    default:
      return undefined;
  }
}

/**
 * `hub.accounts`: Feishu person ↔ system user (`sso_bindings`). A binding comes from config
 * (`sso.bindings`), from a login (the configured claim), from the directory email, or by hand
 * (`feishu-hub accounts bind`, a capability's `/bind`). A person named by email or union_id before
 * anyone knows their open_id is kept under that key and moves to their open_id once known.
 */
export class Accounts implements AccountsApi {
  private readonly cache = new Map<string, { at: number; value: Promise<Person | undefined> }>();

  constructor(
    private readonly db: () => SsoDb,
    private readonly config: SsoConfig,
    private readonly users: UserBook,
    private readonly platform: Platform | undefined,
    private readonly logger?: Logger,
  ) {}

  /** A person from the directory (contact v3), by open_id or email; cached 10 minutes. */
  private directory(key: string): Promise<Person | undefined> {
    const platform = this.platform;
    if (!platform) return Promise.resolve(undefined);
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
    const load = async (): Promise<Person | undefined> => {
      if (key.startsWith('ou_')) {
        const res = await platform.request<{ data?: { user?: Person } }>({ method: 'GET', url: `/open-apis/contact/v3/users/${encodeURIComponent(key)}`, params: { user_id_type: 'open_id' } });
        return res.data?.user;
      }
      const res = await platform.request<{ data?: { user_list?: { user_id?: string; email?: string }[] } }>({ method: 'POST', url: '/open-apis/contact/v3/users/batch_get_id', params: { user_id_type: 'open_id' }, data: { emails: [key] } });
      const id = res.data?.user_list?.find((u) => u.email?.toLowerCase() === key)?.user_id;
      return id ? { open_id: id, email: key } : undefined;
    };
    const value = load().catch((err: unknown) => {
      this.logger?.warn({ err, person: key }, 'could not look up a person in the directory');
      this.cache.delete(key);
      return undefined;
    });
    this.cache.set(key, { at: Date.now(), value });
    return value;
  }

  /** What we know of a Feishu id: open_id, union_id and email from local users, then the directory. */
  private async resolve(feishu: string): Promise<Person> {
    const key = feishu.includes('@') ? feishu.toLowerCase() : feishu;
    const local = await this.users.find(key);
    if (local) return { open_id: local.open_id, union_id: local.union_id ?? undefined, email: local.email ?? undefined };
    if (key.startsWith('ou_')) return { open_id: key, email: (await this.directory(key))?.email?.toLowerCase() };
    if (key.startsWith('on_')) return { union_id: key };
    if (key.includes('@')) return { email: key, open_id: (await this.directory(key))?.open_id };
    return { open_id: key };
  }

  private async rowsOf(p: Person): Promise<SsoBindingsTable[]> {
    if (!p.open_id && !p.union_id && !p.email) return [];
    let q = this.db().selectFrom('sso_bindings').selectAll();
    q = q.where((eb) =>
      eb.or([
        ...(p.open_id ? [eb('open_id', '=', p.open_id), eb('feishu_id', '=', p.open_id)] : []),
        ...(p.union_id ? [eb('union_id', '=', p.union_id)] : []),
        ...(p.email ? [eb('email', '=', p.email)] : []),
      ]),
    );
    return q.execute();
  }

  async bind(b: { feishu: string; system: string; source: BindingSource }): Promise<Binding> {
    const p = await this.resolve(b.feishu);
    return this.write(p, b.system, b.source);
  }

  /** Binds a person who just logged in (their profile in hand): the config's or a hand-made binding stays. */
  async bindLogin(p: FeishuProfile): Promise<string | undefined> {
    const person: Person = { open_id: p.open_id, union_id: p.union_id, email: (p.enterprise_email || p.email)?.toLowerCase(), user_id: p.user_id, employee_no: p.employee_no };
    const existing = await this.rowsOf(person);
    const strong = existing.find((r) => !WEAK.has(r.source)) ?? existing[0];
    if (strong) return (await this.write(person, strong.system_user, strong.source as BindingSource)).system;
    const claim = claimOf(person, this.config.bind_claim);
    if (!claim) return undefined;
    return (await this.write(person, claim, 'login')).system;
  }

  private async write(p: Person, system: string, source: BindingSource): Promise<Binding> {
    const now = Date.now();
    const feishu_id = p.open_id ?? (p.union_id ? `union:${p.union_id}` : p.email ? `email:${p.email}` : undefined);
    if (!feishu_id) throw new Error('a binding needs an open_id, a union_id or an email');
    const db = this.db();
    const existing = await this.rowsOf(p);
    const created = existing.find((r) => r.feishu_id === feishu_id)?.created_at ?? existing[0]?.created_at ?? now;
    // The person's older rows (under their email or union_id) fold into this one.
    const others = existing.map((r) => r.feishu_id).filter((id) => id !== feishu_id);
    if (others.length) await db.deleteFrom('sso_bindings').where('feishu_id', 'in', others).execute();
    const values = { open_id: p.open_id ?? null, union_id: p.union_id ?? null, email: p.email ?? null, system_user: system, source, updated_at: now };
    await db
      .insertInto('sso_bindings')
      .values({ feishu_id, created_at: Number(created), ...values })
      .onConflict((oc) => oc.column('feishu_id').doUpdateSet(values))
      .execute();
    return toBinding({ feishu_id, created_at: created, ...values });
  }

  async unbind(feishu: string): Promise<boolean> {
    const rows = await this.rowsOf(await this.resolve(feishu));
    if (!rows.length) return false;
    await this.db().deleteFrom('sso_bindings').where('feishu_id', 'in', rows.map((r) => r.feishu_id)).execute();
    return true;
  }

  /**
   * The system user of a Feishu person. A person with no binding is bound by their directory email
   * (the configured claim of it) when `sso.bind_by_email` is on, unless `{ directory: false }`.
   */
  async systemUserOf(feishuId: string, o: { directory?: boolean } = {}): Promise<string | undefined> {
    const key = feishuId.includes('@') ? feishuId.toLowerCase() : feishuId;
    const direct = await this.db()
      .selectFrom('sso_bindings')
      .select(['system_user', 'feishu_id'])
      .where((eb) => eb.or([eb('feishu_id', '=', key), eb('open_id', '=', key), eb('union_id', '=', key), eb('email', '=', key)]))
      .orderBy('updated_at', 'desc')
      .executeTakeFirst();
    if (direct) return direct.system_user;
    const p = await this.resolve(key);
    const rows = await this.rowsOf(p);
    if (rows[0]) {
      // Named by email or union_id earlier: move it to the open_id now that we know it.
      if (p.open_id && rows[0].feishu_id !== p.open_id) await this.write(p, rows[0].system_user, rows[0].source as BindingSource);
      return rows[0].system_user;
    }
    if (o.directory === false || !this.config.bind_by_email || !p.open_id) return undefined;
    const email = p.email ?? (await this.directory(p.open_id))?.email?.toLowerCase();
    const claim = claimOf({ ...p, email }, this.config.bind_claim === 'email' ? 'email' : 'email_local');
    if (!claim) return undefined;
    return (await this.write({ ...p, email }, claim, 'email')).system;
  }

  async feishuUserOf(systemUser: string): Promise<Binding | undefined> {
    const rows = await this.db().selectFrom('sso_bindings').selectAll().where('system_user', '=', systemUser).orderBy('updated_at', 'desc').execute();
    const row = rows.find((r) => r.open_id) ?? rows[0];
    return row ? toBinding(row) : undefined;
  }

  async list(): Promise<Binding[]> {
    return (await this.db().selectFrom('sso_bindings').selectAll().orderBy('created_at').execute()).map(toBinding);
  }

  /** Writes `sso.bindings` (each start); returns the people it could not place (kept by email until they log in). */
  async seed(bindings: Record<string, string>): Promise<string[]> {
    const pending: string[] = [];
    for (const [feishu, system] of Object.entries(bindings)) {
      const b = await this.bind({ feishu, system, source: 'config' });
      if (!b.open_id) pending.push(feishu);
    }
    return pending;
  }
}

function toBinding(r: SsoBindingsTable): Binding {
  return {
    feishu: r.feishu_id,
    ...(r.open_id ? { open_id: r.open_id } : {}),
    ...(r.union_id ? { union_id: r.union_id } : {}),
    ...(r.email ? { email: r.email } : {}),
    system: r.system_user,
    source: r.source as BindingSource,
    at: Number(r.updated_at),
  };
}
