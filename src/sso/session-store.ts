import type { SsoDb } from './tables.js';

type Callback = (err?: unknown) => void;
type GetCallback = (err: unknown, session?: Record<string, unknown> | null) => void;

/**
 * @fastify/session's store on the hub database (SQLite or PostgreSQL): sessions survive restarts
 * and are shared by replicas. A session row keeps the user id in its own column (logout
 * everywhere, `feishu-hub users`) and expires with its cookie.
 */
export class DbSessionStore {
  constructor(
    private readonly db: () => SsoDb,
    private readonly ttlMs: number,
  ) {}

  private expiresOf(session: Record<string, unknown>): number {
    const cookie = session.cookie as { expires?: string | Date | null } | undefined;
    const at = cookie?.expires ? new Date(cookie.expires).getTime() : NaN;
    return Number.isFinite(at) ? at : Date.now() + this.ttlMs;
  }

  /** Reads a session (undefined when absent or expired). */
  async load(id: string): Promise<Record<string, unknown> | undefined> {
    const row = await this.db().selectFrom('sso_sessions').select(['data', 'expires_at']).where('id', '=', id).executeTakeFirst();
    if (!row || Number(row.expires_at) <= Date.now()) return undefined;
    return JSON.parse(row.data) as Record<string, unknown>;
  }

  async save(id: string, session: Record<string, unknown>): Promise<void> {
    const data = JSON.stringify(session);
    const user_id = typeof session.user_id === 'string' ? session.user_id : null;
    const expires_at = this.expiresOf(session);
    await this.db()
      .insertInto('sso_sessions')
      .values({ id, data, user_id, expires_at })
      .onConflict((oc) => oc.column('id').doUpdateSet({ data, user_id, expires_at }))
      .execute();
  }

  async remove(id: string): Promise<void> {
    await this.db().deleteFrom('sso_sessions').where('id', '=', id).execute();
  }

  async prune(): Promise<number> {
    const r = await this.db().deleteFrom('sso_sessions').where('expires_at', '<=', Date.now()).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  // The callback interface @fastify/session calls.
  get(id: string, cb: GetCallback): void {
    this.load(id).then((s) => cb(null, s ?? null), (err: unknown) => cb(err));
  }

  set(id: string, session: Record<string, unknown>, cb: Callback): void {
    this.save(id, session).then(() => cb(), (err: unknown) => cb(err));
  }

  destroy(id: string, cb: Callback): void {
    this.remove(id).then(() => cb(), (err: unknown) => cb(err));
  }
}
