import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { AuthState } from '../auth/index.js';
import { avatarUrl } from '../directory/index.js';
import { JSON_TYPE } from '../http.js';
import { rateLimited } from '../platform-http.js';
import { tiers } from '../ratelimit.js';
import type { AppRecord, UserRecord } from '../types.js';
import { AuthenState, type CodeRecord, type RefreshRecord } from './state.js';
import { findUser, graceAccessToken, issueUserTokens, parseScopes, pkceMatches, VERIFIER_RE, type IssuedTokens } from './tokens.js';

/** A refused token request: the v2 code, the OAuth `error`, a description, the HTTP status. */
export class OAuthFailure extends Error {
  constructor(
    readonly code: number,
    readonly error: string,
    description: string,
    readonly status = 400,
  ) {
    super(description);
  }
}

const fail = (code: number, error: string, description: string, status = 400) => new OAuthFailure(code, error, description, status);
const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);

export function bodyOf(req: FastifyRequest): Record<string, unknown> {
  return req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
}

/** Token endpoints are tier 4 (1000/min & 50/s) per app, like the reference's table. */
function hitTier(ctx: EmulatorContext, appId: string, route: string): void {
  const verdict = ctx.limiter.hit(`api:${appId}:POST ${route}`, tiers[4], ctx.clock.now());
  if (!verdict.ok) throw rateLimited(verdict.limit, verdict.resetSec);
}

/** client_id + client_secret from the body or HTTP Basic (not both: 20070). */
function clientOf(ctx: EmulatorContext, req: FastifyRequest, b: Record<string, unknown>): AppRecord {
  let id = str(b.client_id);
  let secret = str(b.client_secret);
  const auth = req.headers.authorization;
  if (auth && /^Basic\s+/i.test(auth)) {
    if (secret) throw fail(20070, 'invalid_request', 'client credentials were given both in the Authorization header and as client_secret');
    const [bid, bsecret] = Buffer.from(auth.replace(/^Basic\s+/i, ''), 'base64').toString().split(':');
    id = id ?? decodeURIComponent(bid ?? '');
    secret = decodeURIComponent(bsecret ?? '');
  }
  if (!id) throw fail(20001, 'invalid_request', 'client_id is required');
  if (!secret) throw fail(20001, 'invalid_request', 'client_secret is required');
  const app = ctx.slice(AuthState).apps.get(id);
  if (!app) throw fail(20048, 'invalid_client', `the app ${id} does not exist`);
  if (app.appSecret !== secret) throw fail(20002, 'invalid_client', 'client_secret is invalid');
  return app;
}

function liveUser(ctx: EmulatorContext, openId: string): UserRecord {
  const user = findUser(ctx, openId);
  if (!user) throw fail(20008, 'invalid_grant', 'the user does not exist');
  if (user.resigned) throw fail(20066, 'invalid_grant', 'the user status is invalid (resigned)');
  return user;
}

/** `scope` of a token request narrows what was granted: no duplicates (20067), nothing beyond the grant (20068). */
function narrow(raw: unknown, granted: string[]): string[] {
  const asked = parseScopes(raw);
  if (!asked.length) return granted;
  if (new Set(asked).size !== asked.length) throw fail(20067, 'invalid_scope', 'scope has duplicate entries');
  const extra = asked.filter((s) => !granted.includes(s));
  if (extra.length) throw fail(20068, 'invalid_scope', `scope was not granted by the user: ${extra.join(' ')}`);
  return asked;
}

/** Checks and consumes a code; `redirectUri`/`verifier` as sent by the client. */
export function redeemCode(
  ctx: EmulatorContext,
  app: AppRecord,
  o: { code: unknown; redirectUri?: unknown; verifier?: unknown; scope?: unknown },
): { rec: CodeRecord; user: UserRecord; scopes: string[] } {
  const code = str(o.code);
  if (!code) throw fail(20001, 'invalid_request', 'code is required');
  const state = ctx.slice(AuthenState);
  const rec = state.codes.get(code);
  if (!rec) throw fail(20003, 'invalid_grant', 'the code was not found (codes are single use)');
  if (rec.appId !== app.appId) throw fail(20024, 'invalid_grant', 'the code was issued to another app (client_id mismatch)');
  if (rec.usedAt !== undefined) throw fail(20065, 'invalid_grant', 'the code has already been used');
  if (rec.expiresAt <= ctx.clock.now()) throw fail(20004, 'invalid_grant', 'the code has expired (codes live 5 minutes)');
  const redirectUri = str(o.redirectUri);
  if (redirectUri !== undefined && rec.redirectUri !== undefined && redirectUri !== rec.redirectUri) {
    throw fail(20071, 'invalid_grant', 'redirect_uri does not match the one of the authorization request');
  }
  const verifier = str(o.verifier);
  if (verifier !== undefined && !VERIFIER_RE.test(verifier)) {
    throw fail(20063, 'invalid_request', 'code_verifier must be 43–128 characters of [A-Za-z0-9-._~]');
  }
  if (rec.challenge) {
    if (verifier === undefined) throw fail(20049, 'invalid_grant', 'code_verifier is required: the authorization request used PKCE');
    if (!pkceMatches(rec, verifier)) throw fail(20049, 'invalid_grant', 'PKCE verification failed: code_verifier does not match code_challenge');
  }
  const user = liveUser(ctx, rec.openId);
  // What the user granted this app accumulates; the newest token carries all of it.
  const granted = [...new Set([...rec.scopes, ...(state.grant(app.appId, user.open_id)?.scopes ?? [])])];
  const scopes = narrow(o.scope, granted);
  rec.usedAt = ctx.clock.now();
  return { rec, user, scopes };
}

/** Checks and consumes a refresh token (single use: its access token keeps a 1-minute grace). */
export function redeemRefresh(
  ctx: EmulatorContext,
  app: AppRecord,
  o: { token: unknown; scope?: unknown; version: 'v1' | 'v2' },
): { rec: RefreshRecord; user: UserRecord; scopes: string[] } {
  const token = str(o.token);
  if (!token) throw fail(20001, 'invalid_request', 'refresh_token is required');
  const rec = ctx.slice(AuthenState).refreshTokens.get(token);
  if (!rec) throw fail(o.version === 'v1' && token.startsWith('ur-') ? 20038 : 20026, 'invalid_grant', 'the refresh token is invalid');
  if (o.version === 'v2' && rec.version === 'v1') throw fail(20026, 'invalid_grant', 'the refresh token is invalid: v1 refresh tokens are not accepted by the v2 endpoint');
  if (rec.appId !== app.appId) throw fail(20024, 'invalid_grant', 'the refresh token was issued to another app (client_id mismatch)');
  if (rec.revoked) throw fail(20064, 'invalid_grant', 'the refresh token has been revoked');
  if (rec.usedAt !== undefined) throw fail(20073, 'invalid_grant', 'the refresh token has already been used (refresh tokens are single use)');
  if (rec.expiresAt <= ctx.clock.now()) throw fail(20037, 'invalid_grant', 'the refresh token has expired');
  const user = liveUser(ctx, rec.openId);
  const scopes = narrow(o.scope, rec.scopes);
  rec.usedAt = ctx.clock.now();
  graceAccessToken(ctx, rec.accessToken);
  return { rec, user, scopes };
}

function v2Answer(t: IssuedTokens) {
  return {
    code: 0,
    access_token: t.accessToken,
    expires_in: t.expiresIn,
    ...(t.refresh
      ? { refresh_token: t.refresh.token, refresh_token_expires_in: Math.floor((t.refresh.expiresAt - t.refresh.issuedAt) / 1000) }
      : {}),
    scope: t.scopes.join(' '),
    token_type: 'Bearer',
  };
}

/** The user's profile as authen/v1/user_info (and the older v1 token answers) give it. */
export function profileOf(ctx: EmulatorContext, u: UserRecord) {
  const extra = u as UserRecord & { employee_no?: string; enterprise_email?: string };
  return {
    name: u.name,
    en_name: u.en_name,
    avatar_url: avatarUrl(ctx, u.open_id, 240),
    avatar_thumb: avatarUrl(ctx, u.open_id, 72),
    avatar_middle: avatarUrl(ctx, u.open_id, 240),
    avatar_big: avatarUrl(ctx, u.open_id, 640),
    open_id: u.open_id,
    union_id: u.union_id,
    email: u.email,
    enterprise_email: extra.enterprise_email ?? u.email,
    user_id: u.user_id,
    mobile: u.mobile,
    tenant_key: u.tenant_key,
    employee_no: extra.employee_no ?? u.user_id,
  };
}

/** v1 answers: HTTP 200 with `{code, msg, data}`. */
function v1Reply(reply: FastifyReply, code: number, msg: string, data?: unknown) {
  reply.type(JSON_TYPE);
  return data === undefined ? { code, msg } : { code, msg, data };
}

/** v2 codes that v1 reports differently (v1 has no "used" codes: a used code is not found). */
const V1_CODE: Record<number, number> = { 20065: 20003, 20073: 20026, 20048: 20028, 20066: 20021, 20063: 20001, 20067: 20001, 20068: 20001 };

/** `Authorization: Bearer <app_access_token>` of the v1 endpoints (a self-built app's is its t- token). */
function appFromAppToken(ctx: EmulatorContext, req: FastifyRequest): AppRecord | undefined {
  const token = req.headers.authorization?.replace(/^Bearer\s+/i, '').trim();
  if (!token) return undefined;
  const rec = ctx.slice(AuthState).tokens.resolve(token, ctx.clock.now());
  if (typeof rec === 'string' || (rec.kind !== 'app' && rec.kind !== 'tenant')) return undefined;
  return ctx.slice(AuthState).apps.get(rec.appId);
}

/** The user behind `Authorization: Bearer u-…`, or why not. */
export function userFromBearer(ctx: EmulatorContext, req: FastifyRequest): UserRecord | { code: number; msg: string } {
  const header = req.headers.authorization;
  if (!header || !/^Bearer\s+\S/i.test(header)) return { code: 20001, msg: 'invalid request: missing Authorization: Bearer <user_access_token>' };
  const token = header.replace(/^Bearer\s+/i, '').trim();
  const rec = ctx.slice(AuthState).tokens.resolve(token, ctx.clock.now());
  if (typeof rec === 'string' || rec.kind !== 'user' || !rec.openId) return { code: 20005, msg: 'invalid access_token' };
  const user = findUser(ctx, rec.openId);
  if (!user) return { code: 20008, msg: 'user not exist' };
  if (user.resigned) return { code: 20021, msg: 'user resigned' };
  return user;
}

export function registerTokenRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const sendFailure = (reply: FastifyReply, e: unknown) => {
    if (!(e instanceof OAuthFailure)) throw e;
    return reply.status(e.status).type(JSON_TYPE).send({ code: e.code, error: e.error, error_description: e.message });
  };

  app.post('/open-apis/authen/v2/oauth/token', async (req, reply) => {
    const b = bodyOf(req);
    try {
      const grant = str(b.grant_type);
      if (!grant) throw fail(20001, 'invalid_request', 'grant_type is required');
      const client = clientOf(ctx, req, b);
      hitTier(ctx, client.appId, '/open-apis/authen/v2/oauth/token');
      if (grant === 'authorization_code') {
        const { rec, user, scopes } = redeemCode(ctx, client, { code: b.code, redirectUri: b.redirect_uri, verifier: b.code_verifier, scope: b.scope });
        const granted = ctx.slice(AuthenState).grant(client.appId, user.open_id);
        const t = issueUserTokens(ctx, { appId: client.appId, user, scopes, withRefresh: scopes.includes('offline_access'), version: 'v2', authorizedAt: granted?.grantedAt ?? rec.issuedAt });
        reply.type(JSON_TYPE);
        return v2Answer(t);
      }
      if (grant === 'refresh_token') {
        const { rec, user, scopes } = redeemRefresh(ctx, client, { token: b.refresh_token, scope: b.scope, version: 'v2' });
        const t = issueUserTokens(ctx, { appId: client.appId, user, scopes, withRefresh: scopes.includes('offline_access'), version: 'v2', authorizedAt: rec.authorizedAt });
        reply.type(JSON_TYPE);
        return v2Answer(t);
      }
      throw fail(20036, 'unsupported_grant_type', `grant_type ${grant} is not supported`);
    } catch (e) {
      return sendFailure(reply, e);
    }
  });

  // v1 (historic, still what the Node SDK's userAccessToken helper calls): app_access_token, `data` envelope, HTTP 200 errors.
  const v1 = (path: string, grant: 'authorization_code' | 'refresh_token', withProfile: boolean) =>
    app.post(path, async (req, reply) => {
      const b = bodyOf(req);
      const client = appFromAppToken(ctx, req);
      if (!client) return v1Reply(reply, 20014, 'app access token invalid');
      hitTier(ctx, client.appId, path);
      if (str(b.grant_type) !== grant) return v1Reply(reply, str(b.grant_type) ? 20036 : 20001, str(b.grant_type) ? 'grant_type not supported' : 'invalid request: grant_type is required');
      try {
        const redeemed =
          grant === 'authorization_code'
            ? (() => {
                const r = redeemCode(ctx, client, { code: b.code, verifier: b.code_verifier });
                const granted = ctx.slice(AuthenState).grant(client.appId, r.user.open_id);
                return { user: r.user, scopes: r.scopes, authorizedAt: granted?.grantedAt ?? r.rec.issuedAt };
              })()
            : (() => {
                const r = redeemRefresh(ctx, client, { token: b.refresh_token, version: 'v1' });
                return { user: r.user, scopes: r.scopes, authorizedAt: r.rec.authorizedAt };
              })();
        const t = issueUserTokens(ctx, { appId: client.appId, user: redeemed.user, scopes: redeemed.scopes, withRefresh: true, version: 'v1', authorizedAt: redeemed.authorizedAt });
        const tokens = {
          access_token: t.accessToken,
          refresh_token: t.refresh!.token,
          token_type: 'Bearer',
          expires_in: t.expiresIn - 1,
          refresh_expires_in: Math.floor((t.refresh!.expiresAt - t.refresh!.issuedAt) / 1000) - 1,
          scope: t.scopes.join(' '),
        };
        const data = withProfile
          ? (() => {
              const { employee_no: _e, ...p } = profileOf(ctx, redeemed.user);
              return { ...p, ...tokens, sid: '' };
            })()
          : tokens;
        return v1Reply(reply, 0, 'success', data);
      } catch (e) {
        if (!(e instanceof OAuthFailure)) throw e;
        return v1Reply(reply, V1_CODE[e.code] ?? e.code, e.message);
      }
    });
  v1('/open-apis/authen/v1/oidc/access_token', 'authorization_code', false);
  v1('/open-apis/authen/v1/oidc/refresh_access_token', 'refresh_token', false);
  v1('/open-apis/authen/v1/access_token', 'authorization_code', true);
  v1('/open-apis/authen/v1/refresh_access_token', 'refresh_token', true);

  app.get('/open-apis/authen/v1/user_info', async (req, reply) => {
    const who = userFromBearer(ctx, req);
    if ('code' in who) return v1Reply(reply, who.code, who.msg);
    return v1Reply(reply, 0, 'success', profileOf(ctx, who));
  });

  // The passport flow the QR SDK's `goto` belongs to: form-encoded token request, top-level answers.
  app.post('/suite/passport/oauth/token', async (req, reply) => {
    const b = bodyOf(req);
    try {
      const grant = str(b.grant_type);
      if (!grant) throw fail(20001, 'invalid_request', 'grant_type is required');
      const client = clientOf(ctx, req, b);
      hitTier(ctx, client.appId, '/suite/passport/oauth/token');
      let user: UserRecord;
      let scopes: string[];
      let authorizedAt: number;
      if (grant === 'authorization_code') {
        const r = redeemCode(ctx, client, { code: b.code, redirectUri: b.redirect_uri, verifier: b.code_verifier });
        ({ user, scopes } = r);
        authorizedAt = ctx.slice(AuthenState).grant(client.appId, user.open_id)?.grantedAt ?? r.rec.issuedAt;
      } else if (grant === 'refresh_token') {
        const r = redeemRefresh(ctx, client, { token: b.refresh_token, version: 'v1' });
        ({ user, scopes } = r);
        authorizedAt = r.rec.authorizedAt;
      } else throw fail(20036, 'unsupported_grant_type', `grant_type ${grant} is not supported`);
      const t = issueUserTokens(ctx, { appId: client.appId, user, scopes, withRefresh: true, version: 'v1', authorizedAt });
      reply.type(JSON_TYPE);
      return {
        access_token: t.accessToken,
        token_type: 'Bearer',
        expires_in: t.expiresIn,
        refresh_token: t.refresh!.token,
        refresh_expires_in: Math.floor((t.refresh!.expiresAt - t.refresh!.issuedAt) / 1000),
      };
    } catch (e) {
      return sendFailure(reply, e);
    }
  });

  app.get('/suite/passport/oauth/userinfo', async (req, reply) => {
    const who = userFromBearer(ctx, req);
    if ('code' in who) return reply.status(401).type(JSON_TYPE).send({ code: who.code, error: 'invalid_token', error_description: who.msg });
    const p = profileOf(ctx, who);
    reply.type(JSON_TYPE);
    return {
      sub: who.open_id,
      name: p.name,
      picture: p.avatar_url,
      open_id: p.open_id,
      union_id: p.union_id,
      en_name: p.en_name,
      tenant_key: p.tenant_key,
      avatar_url: p.avatar_url,
      avatar_thumb: p.avatar_thumb,
      avatar_middle: p.avatar_middle,
      avatar_big: p.avatar_big,
      email: p.email,
      user_id: p.user_id,
      employee_no: p.employee_no,
      mobile: p.mobile,
    };
  });
}
