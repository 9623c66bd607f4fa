import type { FastifyInstance, FastifyReply } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { AuthState } from '../auth/index.js';
import { avatarUrl } from '../directory/index.js';
import type { AppRecord, UserRecord } from '../types.js';
import { DirectoryState } from '../directory/index.js';
import { card, errorPage, esc, page } from './html.js';
import { AuthenState } from './state.js';
import { BASE_SCOPE, findUser, issueCode, parseScopes, redirectAllowed, redirectWith, validScope } from './tokens.js';

/** The authorize endpoints: the current one, the v1 pre-auth page, and the passport one the QR SDK's `goto` uses. */
export const AUTHORIZE_PATHS = ['/open-apis/authen/v1/authorize', '/open-apis/authen/v1/index', '/suite/passport/oauth/authorize'] as const;

/** What people read on the consent page for the scopes they are asked for (unknown ones show as they are). */
const SCOPE_TEXT: Record<string, string> = {
  'auth:user.id:read': 'Read your user ID',
  offline_access: 'Keep access when you are not using the app (refresh tokens)',
  openid: 'Know who you are (OpenID)',
  'contact:user.base:readonly': 'Read your basic profile (name, avatar)',
  'contact:user.email:readonly': 'Read your email address',
  'contact:user.phone:readonly': 'Read your phone number',
  'contact:user.employee_id:readonly': 'Read your employee ID',
  'contact:contact.base:readonly': 'Read basic directory information',
  'contact:contact:readonly_as_user': 'Read the directory as you',
  'contact:department.base:readonly': 'Read department information',
  'im:message': 'Send and read messages as you',
  'im:chat:readonly': 'Read your group chats',
  'calendar:calendar': 'Manage your calendars',
  'approval:approval': 'Read and act on your approvals',
};

export interface AuthorizeRequest {
  app: AppRecord;
  appName: string;
  redirectUri: string;
  state?: string;
  scopes: string[];
  challenge?: string;
  challengeMethod?: 'S256' | 'plain';
  /** The query to repeat on the next step (account choice, decision). */
  query: Record<string, string>;
}

class PageError extends Error {
  constructor(
    readonly code: number,
    msg: string,
    readonly detail?: string,
  ) {
    super(msg);
  }
}

const str = (v: unknown) => (typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? (v[0] as string) : undefined);

/** Checks an authorize request as Feishu does before showing anything. Errors are pages, never redirects. */
export function readAuthorizeRequest(ctx: EmulatorContext, q: Record<string, unknown>): AuthorizeRequest {
  const appId = str(q.client_id) || str(q.app_id);
  if (!appId) throw new PageError(20001, 'The request is missing client_id (or app_id).');
  const app = ctx.slice(AuthState).apps.get(appId);
  if (!app) throw new PageError(20028, `The app ${appId} does not exist.`, 'Check client_id: it is the App ID of the app (cli_…).');
  const redirectUri = str(q.redirect_uri);
  if (!redirectUri) throw new PageError(20001, 'The request is missing redirect_uri.');
  if (!redirectAllowed(ctx, app.appId, redirectUri)) {
    throw new PageError(20029, 'redirect_uri is not valid: it is not in the app\u2019s redirect URL allow-list.', `redirect_uri: ${redirectUri}`);
  }
  const responseType = str(q.response_type);
  if (responseType !== undefined && responseType !== 'code') throw new PageError(20001, `response_type must be "code" (got "${responseType}").`);
  const scopes = parseScopes(str(q.scope));
  if (scopes.length > 50) throw new PageError(20027, 'The app asked for more than 50 scopes.');
  const unknown = scopes.filter((s) => !validScope(s));
  if (unknown.length) throw new PageError(20027, 'The app asked for a scope that does not exist.', `Unknown scope: ${unknown.join(', ')}`);
  // Once the app's scopes are narrowed (developer console), asking a person for one the app lacks is 20027 too.
  const granted = ctx.slice(AuthState).scopesOf(app.appId);
  const notEnabled = granted === 'all' ? [] : scopes.filter((s) => s !== BASE_SCOPE && s !== 'offline_access' && s !== 'openid' && !granted.includes(s));
  if (notEnabled.length) throw new PageError(20027, 'The app asked for a scope it has not been granted in the developer console.', `Not granted to the app: ${notEnabled.join(', ')}`);
  const challenge = str(q.code_challenge);
  let challengeMethod: 'S256' | 'plain' | undefined;
  if (challenge !== undefined) {
    const m = str(q.code_challenge_method) ?? 'plain';
    if (m !== 'S256' && m !== 'plain') throw new PageError(20001, `code_challenge_method must be S256 or plain (got "${m}").`);
    if (!/^[A-Za-z0-9\-._~]{43,128}$/.test(challenge)) throw new PageError(20001, 'code_challenge must be 43–128 characters of [A-Za-z0-9-._~].');
    challengeMethod = m;
  }
  const query: Record<string, string> = {};
  for (const k of ['client_id', 'app_id', 'response_type', 'redirect_uri', 'scope', 'state', 'code_challenge', 'code_challenge_method', 'prompt']) {
    const v = str(q[k]);
    if (v !== undefined) query[k] = v;
  }
  const appName = ctx.slice(AuthenState).apps.get(app.appId)?.name ?? app.botName;
  return { app, appName, redirectUri, state: str(q.state), scopes, challenge, challengeMethod, query };
}

/** The user a login is for, or the page saying why not. */
function signInUser(ctx: EmulatorContext, id: string): UserRecord {
  const user = findUser(ctx, id);
  if (!user) throw new PageError(20008, 'The user does not exist.', `No user ${id} in the directory.`);
  if (user.resigned) throw new PageError(20021, 'This user has resigned and can no longer sign in.');
  return user;
}

/** The user consented (or a grant covers the scopes): a code, and back to the app. */
export function approve(ctx: EmulatorContext, req: AuthorizeRequest, user: UserRecord, via: 'authorize' | 'qr' = 'authorize'): string {
  const scopes = [...new Set([BASE_SCOPE, ...req.scopes])];
  ctx.slice(AuthenState).addGrant(req.app.appId, user.open_id, scopes, ctx.clock.now());
  const code = issueCode(ctx, {
    appId: req.app.appId,
    openId: user.open_id,
    redirectUri: req.redirectUri,
    scopes,
    challenge: req.challenge,
    challengeMethod: req.challengeMethod,
    via,
  });
  return redirectWith(req.redirectUri, { code: code.code, state: req.state });
}

const hidden = (fields: Record<string, string>) =>
  Object.entries(fields)
    .map(([k, v]) => `<input type="hidden" name="${esc(k)}" value="${esc(v)}">`)
    .join('');

function accountPicker(ctx: EmulatorContext, req: AuthorizeRequest, action: string): string {
  const users = ctx.slice(DirectoryState).users.filter((u) => !u.resigned);
  const rows = users
    .map(
      (u) => `<li class="au-account">
    <button type="submit" name="account" value="${esc(u.open_id)}" data-open-id="${esc(u.open_id)}" data-user-id="${esc(u.user_id)}" class="au-account-btn"><img class="avatar avatar-36" src="${esc(avatarUrl(ctx, u.open_id, 72))}" alt=""><span class="au-account-name">${esc(u.en_name || u.name)}</span></button>
    <span class="au-account-mail" aria-hidden="true">${esc(u.email)}</span>
  </li>`,
    )
    .join('\n');
  return page(
    `Sign in to ${req.appName}`,
    card(
      `<h1 class="au-title">Choose an account</h1>
  <p class="au-text">to continue to <strong data-testid="authen-app-name">${esc(req.appName)}</strong></p>
  <form method="get" action="${esc(action)}" class="au-accounts-form">
    ${hidden(req.query)}
    <ul class="au-accounts" data-testid="authen-accounts">${rows || '<li class="au-empty">The directory has no active users.</li>'}</ul>
  </form>
  <p class="au-foot">Emulated sign-in: no password. Automation can add <code>login_as=&lt;open_id|user_id&gt;</code> to skip this page.</p>`,
      'authen-account-picker',
    ),
  );
}

function consentPage(ctx: EmulatorContext, req: AuthorizeRequest, user: UserRecord, action: string): string {
  const scopes = [...new Set([BASE_SCOPE, ...req.scopes])];
  const items = scopes
    .map((s) => `<li class="au-scope" data-scope="${esc(s)}"><span class="au-scope-text">${esc(SCOPE_TEXT[s] ?? s)}</span><code class="au-scope-key">${esc(s)}</code></li>`)
    .join('');
  const switchHref = `${action}?${new URLSearchParams(req.query).toString()}`;
  return page(
    `Authorize ${req.appName}`,
    card(
      `<div class="au-app">
    <div class="au-app-icon" aria-hidden="true">${esc([...req.appName][0]?.toUpperCase() ?? 'A')}</div>
    <div><h1 class="au-title" data-testid="authen-app-name">${esc(req.appName)}</h1><div class="au-text-2">wants to access your Feishu account</div></div>
  </div>
  <div class="au-who" data-testid="authen-consent-user" data-open-id="${esc(user.open_id)}">
    <img class="avatar avatar-32" src="${esc(avatarUrl(ctx, user.open_id, 64))}" alt="">
    <div class="au-who-text"><div class="au-who-name">${esc(user.en_name || user.name)}</div><div class="au-text-2">${esc(user.email)}</div></div>
    <a class="au-switch" href="${esc(switchHref)}">Switch account</a>
  </div>
  <div class="au-scopes-title">This app will be able to:</div>
  <ul class="au-scopes" data-testid="authen-scopes">${items}</ul>
  <form method="post" action="${esc(action)}" class="au-actions">
    ${hidden({ ...req.query, account: user.open_id })}
    <button type="submit" name="decision" value="deny" class="btn btn-large au-deny" data-action="deny">Deny</button>
    <button type="submit" name="decision" value="authorize" class="btn btn-large btn-primary-filled au-allow" data-action="authorize">Authorize</button>
  </form>`,
      'authen-consent',
    ),
  );
}

function sendPage(reply: FastifyReply, status: number, html: string) {
  return reply.status(status).type('text/html; charset=utf-8').header('cache-control', 'no-store').send(html);
}

function sendError(reply: FastifyReply, e: unknown) {
  if (e instanceof PageError) return sendPage(reply, 400, errorPage(e.code, e.message, e.detail));
  throw e;
}

/**
 * GET: the account picker, then (with `account=`) the consent page; `login_as=` or a grant that
 * already covers the scopes skips to the redirect. `tmp_code=` (QR login) trades a scan for a code.
 * POST: the consent decision.
 */
export function registerAuthorizeRoutes(app: FastifyInstance, ctx: EmulatorContext, tmpCodeUser: (tmp: string) => UserRecord | string): void {
  for (const path of AUTHORIZE_PATHS) {
    app.get(path, async (request, reply) => {
      const q = request.query as Record<string, unknown>;
      try {
        const req = readAuthorizeRequest(ctx, q);
        const tmp = str(q.tmp_code);
        if (tmp) {
          const who = tmpCodeUser(tmp);
          if (typeof who === 'string') throw new PageError(20003, who);
          return reply.redirect(approve(ctx, req, who, 'qr'), 302);
        }
        const loginAs = str(q.login_as);
        if (loginAs) return reply.redirect(approve(ctx, req, signInUser(ctx, loginAs)), 302);
        const account = str(q.account);
        if (!account) return sendPage(reply, 200, accountPicker(ctx, req, path));
        const user = signInUser(ctx, account);
        const granted = ctx.slice(AuthenState).grant(req.app.appId, user.open_id)?.scopes ?? [];
        // Feishu skips the consent for scopes the user already granted this app (unless prompt=consent).
        const ask = str(q.prompt) === 'consent';
        if (!ask && [BASE_SCOPE, ...req.scopes].every((s) => granted.includes(s))) return reply.redirect(approve(ctx, req, user), 302);
        return sendPage(reply, 200, consentPage(ctx, req, user, path));
      } catch (e) {
        return sendError(reply, e);
      }
    });

    app.post(path, async (request, reply) => {
      const b = (request.body && typeof request.body === 'object' ? request.body : {}) as Record<string, unknown>;
      try {
        const req = readAuthorizeRequest(ctx, b);
        const user = signInUser(ctx, str(b.account) ?? '');
        if (str(b.decision) !== 'authorize') return reply.redirect(redirectWith(req.redirectUri, { error: 'access_denied', state: req.state }), 302);
        return reply.redirect(approve(ctx, req, user), 302);
      } catch (e) {
        return sendError(reply, e);
      }
    });
  }
}
