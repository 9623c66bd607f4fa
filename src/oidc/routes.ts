import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { Logger } from '../config/index.js';
import { subjectOf, type OidcUser } from './claims.js';
import type { OidcConfig } from './config.js';
import { errorPage } from './pages.js';
import { HUB_REQUEST, HUB_SUBJECT, type Accounts, type RequestWithSubject } from './provider.js';

/** What the provider needs of the sso capability (hub.sso). */
export interface SsoLike {
  currentUser(request: FastifyRequest): Promise<OidcUser | undefined>;
  loginUrl(returnTo: string): string;
}

export interface OidcRouteDeps {
  provider(request: FastifyRequest): Promise<Provider>;
  sso(): SsoLike;
  accounts: Accounts;
  config: OidcConfig;
  logger: Logger;
}

const AUTHORIZE = /^\/auth(\/[^/?]*)?(\?|$)/;

/**
 * `/oidc/*`: oidc-provider (a Koa app) answers under the hub's Fastify. This scope's content-type
 * parser leaves every body unread, so the provider parses it; the reply is hijacked and the raw
 * request goes to `provider.callback()` with its URL relative to the mount point.
 * `/oidc/interaction/:uid` is the hub's own: no login page here, the hub's Feishu login is it.
 */
export async function registerOidcRoutes(app: FastifyInstance, deps: OidcRouteDeps): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_request, _payload, done) => done(null, undefined));

  app.get<{ Params: { uid: string } }>('/oidc/interaction/:uid', async (request, reply) => {
    const provider = await deps.provider(request);
    let details: Awaited<ReturnType<Provider['interactionDetails']>>;
    try {
      details = await provider.interactionDetails(request.raw, reply.raw);
    } catch (err) {
      deps.logger.debug({ err }, 'oidc interaction not found');
      return sendError(reply, 400, 'interaction_expired', 'This sign-in took too long or was already used. Go back to the app and start again.');
    }
    if (details.uid !== request.params.uid) return sendError(reply, 400, 'interaction_mismatch', 'This sign-in link belongs to another sign-in. Go back to the app and start again.');
    const user = await deps.sso().currentUser(request);
    if (!user) return reply.redirect(deps.sso().loginUrl(`/oidc/interaction/${details.uid}`));
    const subject = subjectOf(user, deps.config.subject);
    if (!subject) return sendError(reply, 403, 'no_subject', `Your Feishu account has no ${deps.config.subject}, which this hub uses to name you to its apps (oidc.subject). Ask whoever runs the hub.`);
    await deps.accounts.remember(subject, user);
    let result: Record<string, unknown>;
    if (details.prompt.name === 'login') {
      result = { login: { accountId: subject } };
    } else {
      // First-party clients: whatever they asked for (within their scopes) is granted.
      const grant = (details.grantId && (await provider.Grant.find(details.grantId))) || new provider.Grant({ accountId: subject, clientId: String(details.params.client_id) });
      const missing = details.prompt.details as { missingOIDCScope?: string[]; missingOIDCClaims?: string[]; missingResourceScopes?: Record<string, string[]> };
      if (missing.missingOIDCScope) grant.addOIDCScope(missing.missingOIDCScope.join(' '));
      if (missing.missingOIDCClaims) grant.addOIDCClaims(missing.missingOIDCClaims);
      for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) grant.addResourceScope(indicator, scopes.join(' '));
      result = { consent: { grantId: await grant.save() } };
    }
    reply.hijack();
    await provider.interactionFinished(request.raw, reply.raw, result, { mergeWithLastSubmission: false });
  });

  app.all('/oidc/*', async (request, reply) => {
    const provider = await deps.provider(request);
    const raw = request.raw as RequestWithSubject & { originalUrl?: string };
    const url = raw.url ?? '/oidc/';
    const path = url.slice('/oidc'.length) || '/';
    // The login check compares the hub's session with the provider's (see createProvider).
    if (AUTHORIZE.test(path)) {
      const user = await deps.sso().currentUser(request);
      raw[HUB_SUBJECT] = (user && subjectOf(user, deps.config.subject)) ?? null;
      if (user && raw[HUB_SUBJECT]) await deps.accounts.remember(raw[HUB_SUBJECT]!, user);
    }
    raw[HUB_REQUEST] = request;
    raw.originalUrl = url;
    raw.url = path;
    reply.hijack();
    await provider.callback()(raw, reply.raw);
  });
}

function sendError(reply: FastifyReply, status: number, error: string, description: string) {
  return reply.code(status).type('text/html; charset=utf-8').send(errorPage(error, description));
}
