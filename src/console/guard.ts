import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { fastifyCookie } from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ConsoleUser, HubCore } from '../capability/index.js';
import type { HubUser, SsoApi } from '../sso/index.js';

/** The console's own cookie in the sandbox (no hub session there): what its CSRF token is tied to. */
export const CONSOLE_COOKIE = 'feishu_hub_console';

export type Who =
  | { kind: 'admin'; user: ConsoleUser; sessionKey?: string }
  | { kind: 'login' }
  | { kind: 'forbidden'; user: HubUser }
  | { kind: 'off'; why: string };

export interface GuardDeps {
  hub: HubCore;
  /** console.admins + sso.admins, lower case. */
  admins: () => string[];
  sandbox: boolean;
  autoLogin: boolean;
  /** The signed hub session id of a request, if any. */
  sessionIdOf: (request: FastifyRequest) => string | undefined;
  secret: () => string;
}

/**
 * Who is asking: a signed-in admin, someone to send to the login, a signed-in non-admin, or no
 * Feishu login at all. In the sandbox, a browser with no hub session is the demo admin.
 */
export class ConsoleGuard {
  constructor(private readonly deps: GuardDeps) {}

  private get sso(): SsoApi | undefined {
    return (this.deps.hub as { sso?: SsoApi }).sso;
  }

  isAdmin(u: { open_id?: string; union_id?: string; email?: string; admin?: boolean }): boolean {
    if (u.admin) return true;
    const admins = this.deps.admins();
    return [u.open_id, u.union_id, u.email].some((v) => v && admins.includes(v.toLowerCase()));
  }

  async who(request: FastifyRequest): Promise<Who> {
    const sso = this.sso;
    if (!sso?.enabled) return { kind: 'off', why: 'Feishu login (the sso section) is off, and the console admits admins only' };
    const user = await sso.currentUser(request);
    if (user) {
      if (!this.isAdmin(user)) return { kind: 'forbidden', user };
      return { kind: 'admin', user: { id: user.id, name: user.name, open_id: user.open_id, ...(user.email ? { email: user.email } : {}) }, sessionKey: this.deps.sessionIdOf(request) };
    }
    if (this.deps.sandbox && this.deps.autoLogin) {
      const demo = this.deps.admins()[0];
      if (demo) {
        const known = await sso.user(demo).catch(() => undefined);
        const nonce = cookieOf(request, CONSOLE_COOKIE);
        return {
          kind: 'admin',
          user: { id: known?.id ?? demo, name: known?.name ?? demo, ...(known?.open_id || demo.startsWith('ou_') ? { open_id: known?.open_id ?? demo } : {}), ...(demo.includes('@') ? { email: demo } : {}), sandbox: true },
          sessionKey: nonce ? `sandbox:${nonce}` : undefined,
        };
      }
    }
    return { kind: 'login' };
  }

  /** Gives a sandbox browser its console cookie (what its CSRF token is tied to); returns the session key. */
  ensureSandboxCookie(request: FastifyRequest, reply: FastifyReply): string {
    const have = cookieOf(request, CONSOLE_COOKIE);
    if (have) return `sandbox:${have}`;
    const nonce = randomBytes(18).toString('base64url');
    reply.header('set-cookie', `${CONSOLE_COOKIE}=${nonce}; Path=/console; HttpOnly; SameSite=Strict`);
    return `sandbox:${nonce}`;
  }

  /** The CSRF token of a session: an HMAC of its id, so nothing is stored and every replica agrees. */
  csrfToken(sessionKey: string): string {
    return createHmac('sha256', this.deps.secret()).update(`console-csrf:${sessionKey}`).digest('base64url');
  }

  csrfOk(request: FastifyRequest, sessionKey: string | undefined): boolean {
    if (!sessionKey) return false;
    const given = request.headers['x-csrf-token'];
    if (typeof given !== 'string' || !given) return false;
    const expected = Buffer.from(this.csrfToken(sessionKey));
    const got = Buffer.from(given);
    return got.length === expected.length && timingSafeEqual(got, expected);
  }

  loginUrl(returnTo: string): string {
    return this.sso?.loginUrl(returnTo) ?? `/login/feishu?return_to=${encodeURIComponent(returnTo)}`;
  }
}

function cookieOf(request: FastifyRequest, name: string): string | undefined {
  const header = request.headers.cookie;
  if (!header) return undefined;
  const v = fastifyCookie.parse(header)[name];
  return v && /^[A-Za-z0-9_-]{16,64}$/.test(v) ? v : undefined;
}
