import type * as lark from '@larksuiteoapi/node-sdk';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CallRequest } from '../platform/index.js';

/** A person signed in to the hub with Feishu. */
export interface HubUser {
  /** Local user id (sso_users.id). */
  id: string;
  open_id: string;
  union_id: string;
  user_id?: string;
  name: string;
  en_name?: string;
  email?: string;
  avatar_url?: string;
  employee_no?: string;
  tenant_key: string;
  /** Listed in sso.admins (by email or open_id). */
  admin: boolean;
  /** Who they are in our systems (hub.accounts), if bound. */
  system_user?: string;
}

/** A client calling Feishu as one user (their user_access_token, refreshed as needed). */
export interface UserClient {
  /** A raw call through the platform pipeline with the user's token; refreshed and retried once on an expired token. */
  request<T = any>(req: CallRequest): Promise<T>;
  /** Runs an SDK call with `lark.withUserAccessToken(token)`: `asUser(u).sdk((c, opts) => c.authen.v1.userInfo.get({}, opts))`. */
  sdk<T>(call: (client: lark.Client, options: ReturnType<typeof lark.withUserAccessToken>) => Promise<T>): Promise<T>;
  /** The current access token (refreshed ahead of expiry). */
  token(): Promise<string>;
}

export type PreHandler = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

/** `hub.sso`: Feishu login for the hub's pages and other capabilities' routes. */
export interface SsoApi {
  /** Feishu login is on (an sso section, or the sandbox). */
  readonly enabled: boolean;
  /** The signed-in user of a request (from the session cookie), from any capability's route. */
  currentUser(request: FastifyRequest): Promise<HubUser | undefined>;
  /**
   * A preHandler: no user → an HTML request is sent to `/login/feishu?return_to=<url>`, an API
   * request gets 401 JSON; `admin: true` and not an admin → 403.
   */
  requireUser(opts?: { admin?: boolean }): PreHandler;
  /** Where to send a browser to log in and come back to `returnTo` (a path of this hub). */
  loginUrl(returnTo: string): string;
  /**
   * A client calling Feishu with this person's user_access_token: a HubUser, its local id, or the
   * open_id / union_id / email of someone who logged in (else ReauthRequiredError).
   */
  asUser(user: HubUser | string): UserClient;
  /** A user by local id, open_id, union_id or email. */
  user(id: string): Promise<HubUser | undefined>;
  /** Ends every session of a user (and forgets their Feishu tokens). */
  logoutEverywhere(user: HubUser | string): Promise<number>;
}

export type BindingSource = 'login' | 'config' | 'email' | 'self' | 'cli';

export interface Binding {
  /** open_id when known (else `email:…` / `union:…` until the person logs in). */
  feishu: string;
  open_id?: string;
  union_id?: string;
  email?: string;
  system: string;
  source: BindingSource;
  at: number;
}

/** `hub.accounts`: who a Feishu person is in our systems, one service for every capability. */
export interface AccountsApi {
  /** Binds a Feishu person (open_id, union_id or email) to a system user. */
  bind(b: { feishu: string; system: string; source: BindingSource }): Promise<Binding>;
  /** Removes a person's binding; true if there was one. */
  unbind(feishu: string): Promise<boolean>;
  /**
   * The system user of a Feishu person (open_id, union_id or email). One with no binding is bound
   * by their directory email when `sso.bind_by_email` is on, unless `{ directory: false }`.
   */
  systemUserOf(feishuId: string, o?: { directory?: boolean }): Promise<string | undefined>;
  /** The Feishu person bound to a system user. */
  feishuUserOf(systemUser: string): Promise<Binding | undefined>;
  list(): Promise<Binding[]>;
}
