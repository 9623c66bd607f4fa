import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { EmulatorContext } from '../context.js';
import { AuthState } from '../auth/index.js';
import { DirectoryState } from '../directory/index.js';
import type { UserRecord } from '../types.js';
import { AuthenState, type CodeRecord, type RefreshRecord } from './state.js';

export const CODE_TTL_MS = 5 * 60 * 1000;
export const ACCESS_TTL_MS = 2 * 60 * 60 * 1000;
/** v2 refresh tokens (the documented example: 604800 s). */
export const REFRESH_V2_TTL_MS = 7 * 24 * 60 * 60 * 1000;
/** v1 OIDC refresh tokens (about 30 days: `refresh_expires_in` 2591999). */
export const REFRESH_V1_TTL_MS = 30 * 24 * 60 * 60 * 1000;
/** After a year from the user's authorisation, re-authorisation is mandatory. */
export const REAUTH_AFTER_MS = 365 * 24 * 60 * 60 * 1000;
/** The old access token keeps working this long after its refresh token was used. */
export const REFRESH_GRACE_MS = 60 * 1000;

/** Always part of a grant: the user's identity (what `user_info` needs). */
export const BASE_SCOPE = 'auth:user.id:read';

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');
const signingKey = randomBytes(32);

/**
 * A JWT-like token of 1–2 KB (Feishu's are, and integrators size columns for them): a header,
 * claims padded with an opaque `ext`, an HMAC. Nothing outside the emulator verifies it; the
 * store is what makes it valid.
 */
function jwtLike(prefix: string, claims: Record<string, unknown>): string {
  const ext = randomBytes(500 + Math.floor(Math.random() * 100)).toString('base64url');
  const head = b64({ alg: 'ES256', kid: 'emulator', typ: 'JWT' });
  const body = b64({ ...claims, jti: randomBytes(16).toString('hex'), ext });
  const sig = createHmac('sha256', signingKey).update(`${head}.${body}`).digest('base64url');
  return `${prefix}${head}.${body}.${sig}`;
}

/** A code of the documented charset `[A-Za-z0-9-_]`, 64 characters or more. */
export const newCode = () => randomBytes(48).toString('base64url');
export const newTmpCode = () => randomBytes(24).toString('base64url');

export const validScope = (s: string) => s === 'offline_access' || s === 'openid' || /^[a-z][a-z0-9_]*(:[A-Za-z0-9_.-]+){1,3}$/.test(s);

/** `scope` as Feishu reads it: space separated (a `+`-joined or comma list is tolerated). */
export function parseScopes(raw: unknown): string[] {
  if (typeof raw !== 'string') return [];
  return raw.split(/[\s,]+/).filter(Boolean);
}

export const VERIFIER_RE = /^[A-Za-z0-9\-._~]{43,128}$/;

export function pkceMatches(code: CodeRecord, verifier: string): boolean {
  if (!code.challenge) return true;
  const derived = code.challengeMethod === 'S256' ? createHash('sha256').update(verifier).digest('base64url') : verifier;
  return derived === code.challenge;
}

/** The user by open_id, user_id, union_id or email. */
export function findUser(ctx: EmulatorContext, id: string): UserRecord | undefined {
  const dir = ctx.slice(DirectoryState);
  return dir.findUser(id, 'open_id') ?? dir.findUser(id, 'user_id') ?? dir.findUser(id, 'union_id') ?? (id.includes('@') ? dir.findUser(id, 'email') : undefined);
}

/** Issues an authorization code for the user (the redirect, QR login or a JSAPI call). */
export function issueCode(
  ctx: EmulatorContext,
  c: Omit<CodeRecord, 'code' | 'issuedAt' | 'expiresAt'>,
): CodeRecord {
  const now = ctx.clock.now();
  const rec: CodeRecord = { ...c, code: newCode(), issuedAt: now, expiresAt: now + CODE_TTL_MS };
  ctx.slice(AuthenState).codes.set(rec.code, rec);
  return rec;
}

export interface IssuedTokens {
  accessToken: string;
  expiresIn: number;
  refresh?: RefreshRecord;
  scopes: string[];
}

/**
 * Mints a user access token (registered in the auth product's token store, so `Bearer u-…` works on
 * every API that takes user tokens) and, when asked, a single-use refresh token.
 */
export function issueUserTokens(
  ctx: EmulatorContext,
  o: { appId: string; user: UserRecord; scopes: string[]; withRefresh: boolean; version: 'v1' | 'v2'; authorizedAt: number },
): IssuedTokens {
  const now = ctx.clock.now();
  const iat = Math.floor(now / 1000);
  const claims = { iss: 'https://open.feishu.cn', aud: o.appId, sub: o.user.open_id, union_id: o.user.union_id, tenant_key: o.user.tenant_key, scope: o.scopes.join(' '), iat };
  const accessToken = jwtLike('u-', { ...claims, typ: 'access', exp: iat + ACCESS_TTL_MS / 1000 });
  ctx.slice(AuthState).tokens.add({
    token: accessToken,
    kind: 'user',
    appId: o.appId,
    tenantKey: o.user.tenant_key,
    openId: o.user.open_id,
    scopes: [...o.scopes],
    issuedAt: now,
    expiresAt: now + ACCESS_TTL_MS,
  });
  let refresh: RefreshRecord | undefined;
  if (o.withRefresh) {
    const ttl = o.version === 'v2' ? REFRESH_V2_TTL_MS : REFRESH_V1_TTL_MS;
    const expiresAt = Math.min(now + ttl, o.authorizedAt + REAUTH_AFTER_MS);
    refresh = {
      token: jwtLike('ur-', { ...claims, typ: 'refresh', exp: Math.floor(expiresAt / 1000) }),
      appId: o.appId,
      openId: o.user.open_id,
      scopes: o.scopes,
      version: o.version,
      accessToken,
      issuedAt: now,
      expiresAt,
      authorizedAt: o.authorizedAt,
    };
    ctx.slice(AuthenState).refreshTokens.set(refresh.token, refresh);
  }
  return { accessToken, expiresIn: ACCESS_TTL_MS / 1000, refresh, scopes: o.scopes };
}

/** Ends user access tokens now (all of a user's, or one). Returns how many. */
export function expireUserTokens(ctx: EmulatorContext, filter: { accessToken?: string; openId?: string }): number {
  const now = ctx.clock.now();
  let n = 0;
  for (const r of ctx.slice(AuthState).tokens.list()) {
    if (r.kind !== 'user' || r.revoked || r.expiresAt <= now) continue;
    if (filter.accessToken && r.token !== filter.accessToken) continue;
    if (filter.openId && r.openId !== filter.openId) continue;
    r.expiresAt = now;
    n++;
  }
  return n;
}

/** Shortens an access token's life to the refresh grace (the old token after a refresh). */
export function graceAccessToken(ctx: EmulatorContext, token: string): void {
  const rec = ctx.slice(AuthState).tokens.resolve(token, ctx.clock.now());
  if (typeof rec === 'string') return;
  rec.expiresAt = Math.min(rec.expiresAt, ctx.clock.now() + REFRESH_GRACE_MS);
}

/** The emulator's apps accept any http loopback redirect unless an allow-list was set. */
export function redirectAllowed(ctx: EmulatorContext, appId: string, uri: string): boolean {
  const list = ctx.slice(AuthenState).apps.get(appId)?.redirectUrls;
  if (list) return list.includes(uri);
  try {
    const u = new URL(uri);
    return u.protocol === 'http:' && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
  } catch {
    return false;
  }
}

/** `redirect_uri?<params>`, keeping its own query and re-appending a `#fragment` after the new query. */
export function redirectWith(uri: string, params: Record<string, string | undefined>): string {
  const hashAt = uri.indexOf('#');
  const base = hashAt >= 0 ? uri.slice(0, hashAt) : uri;
  const fragment = hashAt >= 0 ? uri.slice(hashAt) : '';
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, v);
  const qs = q.toString();
  return `${base}${qs ? (base.includes('?') ? '&' : '?') + qs : ''}${fragment}`;
}
