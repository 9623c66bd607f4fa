import * as lark from '@larksuiteoapi/node-sdk';
import { fastifyCookie, Signer } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { HubConfig, Logger } from '../config/index.js';
import type { CallRequest, Platform } from '../platform/index.js';
import type { Store } from '../store/index.js';
import { Accounts } from './accounts.js';
import type { SsoConfig } from './config.js';
import { TokenCipher } from './crypto.js';
import { FeishuOAuth, isExpiredUserToken, type FeishuProfile, type TokenSet } from './oauth.js';
import { DbSessionStore } from './session-store.js';
import type { SsoDb } from './tables.js';
import { ReauthRequiredError, UserTokens } from './tokens.js';
import type { HubUser, PreHandler, UserClient } from './types.js';
import { UserBook, type UserRow } from './users.js';

export interface SsoServiceDeps {
  store: Store;
  config: SsoConfig;
  hubConfig: HubConfig;
  platform: Platform;
  logger: Logger;
  secret: string;
  onRefresh?: (userId: string) => void;
}

/** Everything behind hub.sso once the store is open: users, sessions, tokens, bindings. */
export class SsoService {
  readonly db: () => SsoDb;
  readonly users: UserBook;
  readonly accounts: Accounts;
  readonly sessions: DbSessionStore;
  readonly tokens: UserTokens;
  readonly oauth: FeishuOAuth;
  readonly cipher: TokenCipher;
  readonly signer: Signer;
  private readonly seen = new WeakMap<object, Promise<HubUser | undefined>>();

  constructor(readonly deps: SsoServiceDeps) {
    const { store, config, platform, logger, secret, hubConfig } = deps;
    this.db = () => store.db as unknown as SsoDb;
    this.users = new UserBook(this.db);
    this.accounts = new Accounts(this.db, config, this.users, platform, logger);
    this.sessions = new DbSessionStore(this.db, config.session_ttl_ms);
    this.cipher = new TokenCipher(secret);
    this.signer = new Signer(secret, 'sha256');
    this.oauth = new FeishuOAuth(platform, hubConfig.app.appSecret ?? '');
    this.tokens = new UserTokens(this.db, this.cipher, () => this.oauth, { refreshAheadMs: config.refresh_ahead_ms, logger, onRefresh: deps.onRefresh });
  }

  get config(): SsoConfig {
    return this.deps.config;
  }

  isAdmin(row: Pick<UserRow, 'open_id' | 'email' | 'union_id'>): boolean {
    const admins = this.config.admins.map((a) => a.toLowerCase());
    return [row.open_id, row.union_id, row.email].some((v) => v && admins.includes(v.toLowerCase()));
  }

  async hubUser(row: UserRow): Promise<HubUser> {
    const system = await this.accounts.systemUserOf(row.open_id, { directory: false });
    return {
      id: row.id,
      open_id: row.open_id,
      union_id: row.union_id ?? '',
      ...(row.user_id ? { user_id: row.user_id } : {}),
      name: row.name,
      ...(row.en_name ? { en_name: row.en_name } : {}),
      ...(row.email ? { email: row.email } : {}),
      ...(row.avatar_url ? { avatar_url: row.avatar_url } : {}),
      ...(row.employee_no ? { employee_no: row.employee_no } : {}),
      tenant_key: row.tenant_key ?? '',
      admin: this.isAdmin(row),
      ...(system ? { system_user: system } : {}),
    };
  }

  /** The session id in a request's cookie, if the signature holds. */
  sessionIdOf(request: FastifyRequest): string | undefined {
    const header = request.headers.cookie;
    if (!header) return undefined;
    const raw = fastifyCookie.parse(header)[this.config.cookie_name];
    if (!raw) return undefined;
    const r = this.signer.unsign(raw);
    return r.valid && r.value ? r.value : undefined;
  }

  /** The signed-in user of a request (cookie → session row → user), once per request. */
  currentUser(request: FastifyRequest): Promise<HubUser | undefined> {
    const key = request.raw;
    let hit = this.seen.get(key);
    if (!hit) {
      hit = this.lookup(request);
      this.seen.set(key, hit);
    }
    return hit;
  }

  /** Forgets what currentUser found for this request (after a login or logout in it). */
  forgetRequest(request: FastifyRequest): void {
    this.seen.delete(request.raw);
  }

  private async lookup(request: FastifyRequest): Promise<HubUser | undefined> {
    const sid = this.sessionIdOf(request);
    if (!sid) return undefined;
    const session = await this.sessions.load(sid);
    const userId = session?.user_id;
    if (typeof userId !== 'string') return undefined;
    const row = await this.users.byId(userId);
    return row ? this.hubUser(row) : undefined;
  }

  loginUrl(returnTo: string): string {
    return `/login/feishu?return_to=${encodeURIComponent(returnTo)}`;
  }

  requireUser(opts: { admin?: boolean } = {}): PreHandler {
    return async (request: FastifyRequest, reply: FastifyReply) => {
      const user = await this.currentUser(request);
      const html = wantsHtml(request);
      if (!user) {
        if (html) return void (await reply.redirect(this.loginUrl(request.url), 302));
        return void (await reply.status(401).header('www-authenticate', 'Cookie realm="feishu-hub"').send({ error: 'login_required', message: 'log in with Feishu first', login_url: this.loginUrl(request.url) }));
      }
      if (opts.admin && !user.admin) {
        if (html) return void (await reply.status(403).type('text/html; charset=utf-8').send(forbiddenPage(user)));
        return void (await reply.status(403).send({ error: 'forbidden', message: `${user.name} is not an admin of this hub (sso.admins)` }));
      }
    };
  }

  /** After a successful code exchange: the local user, their binding, their tokens. */
  async completeLogin(profile: FeishuProfile, tokens: TokenSet): Promise<UserRow> {
    const row = await this.users.upsert(profile);
    await this.accounts.bindLogin(profile);
    await this.tokens.save(row.id, tokens);
    return row;
  }

  /** A local user id from a HubUser, a local id, or an open_id / union_id / email of someone who logged in. */
  private async localId(user: HubUser | string): Promise<string> {
    if (typeof user !== 'string') return user.id;
    if (user.startsWith('u_')) return user;
    const row = await this.users.find(user);
    if (!row) throw new ReauthRequiredError(`${user} has never logged in to the hub, so there is no Feishu token of theirs to call with`);
    return row.id;
  }

  asUser(user: HubUser | string): UserClient {
    const withToken = async <T>(fn: (token: string) => Promise<T>): Promise<T> => {
      const id = await this.localId(user);
      const { token, version } = await this.tokens.current(id);
      try {
        return await fn(token);
      } catch (err) {
        if (!isExpiredUserToken(err)) throw err;
        // Feishu says the token is no longer valid (expired early, revoked): one refresh, one retry.
        this.deps.logger.debug({ user: id }, 'Feishu refused a user token; refreshing it once');
        const fresh = await this.tokens.refresh(id, version ?? (await this.tokens.version(id)));
        return fn(fresh);
      }
    };
    return {
      token: async () => this.tokens.accessToken(await this.localId(user)),
      request: <T>(req: CallRequest) => withToken((token) => this.deps.platform.request<T>({ ...req, headers: { ...(req.headers ?? {}), authorization: `Bearer ${token}` } })),
      sdk: (call) => withToken((token) => call(this.deps.platform.sdk, lark.withUserAccessToken(token))),
    };
  }

  async logoutEverywhere(user: HubUser | string): Promise<number> {
    const id = await this.localId(user);
    const r = await this.db().deleteFrom('sso_sessions').where('user_id', '=', id).executeTakeFirst();
    await this.tokens.forget(id);
    return Number(r.numDeletedRows);
  }

  /** Removes expired sessions and logins. */
  async prune(): Promise<{ sessions: number; logins: number }> {
    const sessions = await this.sessions.prune();
    const r = await this.db().deleteFrom('sso_login_states').where('expires_at', '<=', Date.now()).executeTakeFirst();
    return { sessions, logins: Number(r.numDeletedRows) };
  }
}

export function wantsHtml(request: FastifyRequest): boolean {
  if (request.method !== 'GET' && request.method !== 'HEAD') return false;
  const accept = String(request.headers.accept ?? '');
  return accept.includes('text/html');
}

function forbiddenPage(user: HubUser): string {
  const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><meta charset="utf-8"><title>Forbidden</title><body style="font-family:system-ui;margin:3rem"><h1>Admins only</h1><p>${esc(user.name)} is signed in but is not an admin of this hub.</p></body>`;
}
