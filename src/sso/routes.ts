import fastifyCookie from '@fastify/cookie';
import fastifyFormbody from '@fastify/formbody';
import fastifySession from '@fastify/session';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../config/index.js';
import { FeishuApiError } from '../platform/index.js';
import { pkce, randomToken, sameText, sha256 } from './crypto.js';
import { h5Snippet } from './h5.js';
import { browserHosts, type FeishuProfile, type TokenSet } from './oauth.js';
import { h5DemoPage, loginPage, logoutPage, mePage, messagePage } from './pages.js';
import { checkReturnTo, ReturnToError } from './return-to.js';
import type { SsoService } from './service.js';
import { ReauthRequiredError } from './tokens.js';

declare module 'fastify' {
  interface Session {
    user_id?: string;
    csrf?: string;
  }
}

/** The signed cookie tying a login to the browser it started in (login CSRF). */
export const LOGIN_COOKIE = 'feishu_hub_login';
export const CALLBACK_PATH = '/callback/feishu';

export interface SsoRouteDeps {
  service: SsoService;
  secret: string;
  domain: string;
  appId: string;
  publicUrl?: string;
  logger: Logger;
}

const HTML = 'text/html; charset=utf-8';

/** The routes of Feishu login: /login, /login/feishu, /callback/feishu, /logout, /auth/h5(.js), /me. */
export async function registerSsoRoutes(app: FastifyInstance, deps: SsoRouteDeps): Promise<void> {
  const { service, logger } = deps;
  const config = service.config;
  const hosts = browserHosts(deps.domain, config);
  const secure = deps.publicUrl?.startsWith('https:') ?? false;
  const cookieBase = { httpOnly: true, sameSite: 'lax' as const, secure, path: '/' };

  await app.register(fastifyCookie, { secret: deps.secret });
  await app.register(fastifyFormbody);
  await app.register(fastifySession, {
    secret: deps.secret,
    cookieName: config.cookie_name,
    store: service.sessions as unknown as fastifySession.SessionStore,
    saveUninitialized: false,
    rolling: false,
    cookie: { ...cookieBase, maxAge: config.session_ttl_ms },
  });

  const origin = (request: FastifyRequest) => (deps.publicUrl ? new URL(deps.publicUrl).origin : `${request.protocol}://${request.host}`);
  const base = (request: FastifyRequest) => (deps.publicUrl ? deps.publicUrl.replace(/\/+$/, '') : origin(request));
  const redirectUri = (request: FastifyRequest) => `${base(request)}${CALLBACK_PATH}`;
  const page = (reply: FastifyReply, status: number, html: string) => reply.status(status).type(HTML).header('cache-control', 'no-store').send(html);
  const returnToOf = (request: FastifyRequest, raw: unknown) => checkReturnTo(typeof raw === 'string' ? raw : undefined, { hubOrigin: origin(request), hosts: config.return_to_hosts, fallback: config.home });

  /** The browser's login nonce (made on its first login), and its hash for the state row. */
  const browserNonce = (request: FastifyRequest, reply: FastifyReply): string => {
    const raw = request.cookies[LOGIN_COOKIE];
    const got = raw ? request.unsignCookie(raw) : undefined;
    const nonce = got?.valid && got.value ? got.value : randomToken(24);
    reply.setCookie(LOGIN_COOKIE, nonce, { ...cookieBase, signed: true, maxAge: Math.ceil(Math.max(config.login_ttl_ms, 3600_000) / 1000) });
    return nonce;
  };

  const newLogin = async (request: FastifyRequest, reply: FastifyReply, returnTo: string, withPkce: boolean) => {
    const state = randomToken(24);
    const p = withPkce ? pkce() : undefined;
    const now = Date.now();
    const redirect_uri = redirectUri(request);
    await service.db().insertInto('sso_login_states').values({ state, verifier: p?.verifier ?? null, return_to: returnTo, redirect_uri, browser: sha256(browserNonce(request, reply)), created_at: now, expires_at: now + config.login_ttl_ms }).execute();
    return { state, challenge: p?.challenge, redirect_uri };
  };

  /** Signs the browser in as this user: a new session id (no fixation), a CSRF token for its forms. */
  const signIn = async (request: FastifyRequest, profile: FeishuProfile, tokens: TokenSet) => {
    const row = await service.completeLogin(profile, tokens);
    await request.session.regenerate();
    request.session.user_id = row.id;
    request.session.csrf = randomToken(18);
    service.forgetRequest(request);
    logger.info({ user: row.id, open_id: row.open_id }, 'signed in with Feishu');
    return row;
  };

  /** The query's return_to, checked; undefined once a 400 page has said why it is refused. */
  const queryReturnTo = (request: FastifyRequest, reply: FastifyReply): string | undefined => {
    try {
      return returnToOf(request, (request.query as Record<string, unknown>).return_to);
    } catch (err) {
      if (!(err instanceof ReturnToError)) throw err;
      page(reply, 400, messagePage('Cannot log in', err.message, { href: '/login', label: 'Log in' }));
      return undefined;
    }
  };

  app.get('/login/feishu', async (request, reply) => {
    const returnTo = queryReturnTo(request, reply);
    if (returnTo === undefined) return reply;
    const { state, challenge, redirect_uri } = await newLogin(request, reply, returnTo, true);
    const url = new URL(hosts.authorize);
    url.searchParams.set('client_id', deps.appId);
    url.searchParams.set('response_type', 'code');
    url.searchParams.set('redirect_uri', redirect_uri);
    url.searchParams.set('scope', ['offline_access', ...config.scopes.filter((s) => s !== 'offline_access')].join(' '));
    url.searchParams.set('state', state);
    url.searchParams.set('code_challenge', challenge!);
    url.searchParams.set('code_challenge_method', 'S256');
    return reply.header('cache-control', 'no-store').redirect(url.toString(), 302);
  });

  app.get('/login', async (request, reply) => {
    const returnTo = queryReturnTo(request, reply);
    if (returnTo === undefined) return reply;
    const user = await service.currentUser(request);
    // The QR SDK's passport flow carries no PKCE challenge; the state is still single use and tied to this browser.
    const { state, redirect_uri } = await newLogin(request, reply, returnTo, false);
    const goto = new URL(hosts.passport);
    goto.searchParams.set('client_id', deps.appId);
    goto.searchParams.set('redirect_uri', redirect_uri);
    goto.searchParams.set('response_type', 'code');
    goto.searchParams.set('state', state);
    return page(reply, 200, loginPage({ loginHref: `/login/feishu?return_to=${encodeURIComponent(returnTo)}`, qr: { sdk: hosts.qrSdk, goto: goto.toString() }, user, returnTo }));
  });

  app.get(CALLBACK_PATH, async (request, reply) => {
    const q = request.query as Record<string, string | undefined>;
    const refuse = (reason: string, text: string) => {
      logger.warn({ reason, ip: request.ip }, 'Feishu login refused at the callback');
      return page(reply, 403, messagePage('Login refused', text, { href: '/login', label: 'Log in again' }));
    };
    if (!q.state || typeof q.state !== 'string') return refuse('missing_state', 'This login has no state: start again from the login page.');
    // Taking the row is what makes a state single use, on every replica.
    const row = await service.db().deleteFrom('sso_login_states').where('state', '=', q.state).returningAll().executeTakeFirst();
    if (!row) return refuse('unknown_state', 'This login link is not valid: it was changed, already used, or never issued here.');
    if (Number(row.expires_at) <= Date.now()) return refuse('expired_state', 'This login took too long and expired.');
    const raw = request.cookies[LOGIN_COOKIE];
    const nonce = raw ? request.unsignCookie(raw) : undefined;
    if (!nonce?.valid || !nonce.value || !sameText(sha256(nonce.value), row.browser)) return refuse('other_browser', 'This login was started in another browser (or its cookie is gone).');
    if (q.error) {
      logger.info({ error: q.error }, 'Feishu login not completed');
      if (q.error === 'access_denied') return page(reply, 403, messagePage('Access denied', 'You declined to let this hub use your Feishu account, so you are not signed in.', { href: `/login?return_to=${encodeURIComponent(row.return_to)}`, label: 'Try again' }));
      return page(reply, 400, messagePage('Login failed', `Feishu answered: ${q.error}.`, { href: '/login', label: 'Log in again' }));
    }
    if (!q.code) return page(reply, 400, messagePage('Login failed', 'Feishu sent no code.', { href: '/login', label: 'Log in again' }));
    let tokens: TokenSet;
    let profile: FeishuProfile;
    try {
      tokens = await service.oauth.exchangeCode({ code: q.code, verifier: row.verifier, redirectUri: row.redirect_uri });
      profile = await service.oauth.userInfo(tokens.accessToken);
    } catch (err) {
      if (!(err instanceof FeishuApiError)) throw err;
      logger.warn({ code: err.code, httpStatus: err.httpStatus, logId: err.logId }, 'Feishu refused the login code');
      return page(reply, 400, messagePage('Login failed', `Feishu refused the login (code ${err.code}): the code may have been used already or expired.`, { href: '/login', label: 'Log in again' }));
    }
    await signIn(request, profile, tokens);
    return reply.header('cache-control', 'no-store').redirect(row.return_to, 302);
  });

  /** In-client (H5) login: the code of tt.requestAccess / tt.requestAuthCode → a session. JSON only. */
  app.post('/auth/h5', async (request, reply) => {
    if (!String(request.headers['content-type'] ?? '').startsWith('application/json')) return reply.status(415).send({ ok: false, error: 'unsupported_media_type', message: 'POST {"code": "…"} as application/json' });
    const from = request.headers.origin;
    if (from && from !== origin(request)) {
      logger.warn({ origin: from }, 'in-client login from another origin refused');
      return reply.status(403).send({ ok: false, error: 'forbidden_origin', message: `requests from ${from} may not sign in here` });
    }
    const code = (request.body as { code?: unknown } | undefined)?.code;
    if (typeof code !== 'string' || !code || code.length > 4096) return reply.status(400).send({ ok: false, error: 'invalid_request', message: 'body must be {"code": "<the code from tt.requestAccess>"}' });
    try {
      const tokens = await service.oauth.exchangeCode({ code });
      const profile = await service.oauth.userInfo(tokens.accessToken);
      const row = await signIn(request, profile, tokens);
      const user = await service.hubUser(row);
      return { ok: true, user: { name: user.name, en_name: user.en_name, open_id: user.open_id, email: user.email, avatar_url: user.avatar_url, system_user: user.system_user, admin: user.admin } };
    } catch (err) {
      if (!(err instanceof FeishuApiError)) throw err;
      logger.warn({ code: err.code, httpStatus: err.httpStatus }, 'Feishu refused an in-client login code');
      return reply.status(401).send({ ok: false, error: 'code_refused', code: err.code, message: 'Feishu refused the code (used already, expired, or for another app)' });
    }
  });

  app.get('/auth/h5.js', async (request, reply) => {
    const user = await service.currentUser(request);
    return reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(h5Snippet({ hub: base(request), appId: deps.appId, sdk: hosts.h5Sdk, signedIn: Boolean(user) }));
  });

  const csrfOk = (request: FastifyRequest): boolean => {
    const expected = request.session.csrf;
    const given = (request.body as { csrf?: unknown } | undefined)?.csrf ?? request.headers['x-csrf-token'];
    if (expected && typeof given === 'string' && sameText(given, expected)) return true;
    // A same-origin fetch or form (browsers send Origin on POST) is fine too.
    return request.headers.origin === origin(request);
  };

  app.post('/logout', async (request, reply) => {
    const json = !String(request.headers.accept ?? '').includes('text/html') && !String(request.headers['content-type'] ?? '').includes('form');
    if (request.session.user_id && !csrfOk(request)) {
      logger.warn({ ip: request.ip, origin: request.headers.origin }, 'logout without a CSRF token refused');
      return json ? reply.status(403).send({ ok: false, error: 'csrf', message: 'log out from the hub page (its form carries a token)' }) : page(reply, 403, messagePage('Not logged out', 'This logout did not come from this hub.', { href: '/logout', label: 'Log out here' }));
    }
    if (request.session.sessionId) await request.session.destroy();
    reply.clearCookie(config.cookie_name, { path: '/' });
    service.forgetRequest(request);
    return json ? { ok: true } : reply.redirect('/login?logged_out=1', 303);
  });

  app.get('/logout', async (request, reply) => {
    const user = await service.currentUser(request);
    return page(reply, 200, logoutPage({ user, csrf: request.session.csrf }));
  });

  if (config.me_page) {
    app.get('/me', { preHandler: service.requireUser() }, async (request, reply) => {
      const user = (await service.currentUser(request))!;
      if (!request.session.csrf) request.session.csrf = randomToken(18);
      const t = await service.tokens.peek(user.id).catch(() => undefined);
      return page(reply, 200, mePage({ user, csrf: request.session.csrf, accessExpiresAt: t?.accessExpiresAt, refreshExpiresAt: t?.refreshExpiresAt }));
    });

    /** A demo H5 page: open it in the Feishu client (the emulator's Workbench) and it signs in by itself. */
    app.get('/me/h5', async (request, reply) => page(reply, 200, h5DemoPage({ user: await service.currentUser(request) })));

    /** Calls authen/v1/user_info with the signed-in person's own token (refreshed as needed). */
    app.get('/me/feishu', { preHandler: service.requireUser() }, async (request, reply) => {
      const user = (await service.currentUser(request))!;
      try {
        const res = await service.asUser(user).sdk((client, opts) => client.authen.v1.userInfo.get({}, opts));
        const t = await service.tokens.peek(user.id);
        return { ok: true, user_info: (res as { data?: unknown }).data, token: { version: t?.version, expires_at: t?.accessExpiresAt } };
      } catch (err) {
        if (err instanceof ReauthRequiredError) return reply.status(401).send({ ok: false, error: 'reauth_required', message: err.message, login_url: service.loginUrl('/me') });
        if (err instanceof FeishuApiError) return reply.status(502).send({ ok: false, error: 'feishu', code: err.code, message: err.msg });
        throw err;
      }
    });
  }

  app.get('/me.json', { preHandler: service.requireUser() }, async (request) => ({ user: await service.currentUser(request) }));
}
