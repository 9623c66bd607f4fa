import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type { JWK } from 'jose';
import Provider, { interactionPolicy, type Account, type ClientMetadata, type Configuration, type KoaContextWithOIDC } from 'oidc-provider';
import type { Logger } from '../config/index.js';
import type { Store } from '../store/index.js';
import { KyselyOidcAdapter } from './adapter.js';
import { claimsOf, GONE, type DirectoryLike, type OidcUser } from './claims.js';
import { SCOPE_CLAIMS, SCOPES, type OidcConfig } from './config.js';
import { errorPage, logoutPage, signedOutPage } from './pages.js';

/** Where the Fastify route leaves the hub session's user for the provider's login check, and the request itself. */
export const HUB_SUBJECT = Symbol('feishu-hub oidc subject');
export const HUB_REQUEST = Symbol('feishu-hub oidc request');
export type RequestWithSubject = IncomingMessage & { [HUB_SUBJECT]?: string | null; [HUB_REQUEST]?: FastifyRequest };

export interface ProviderOptions {
  issuer: string;
  /** The hub's base URL: client redirect URIs given as paths (`/oidc/demo/callback`) are resolved against it. */
  hubBase: string;
  config: OidcConfig;
  secrets: Map<string, string>;
  /** Private JWKs, the signer first. */
  jwks: JWK[];
  cookieKeys: string[];
  store: Store;
  accounts: Accounts;
  directory?: () => DirectoryLike | undefined;
  trustProxy: boolean;
  logger: Logger;
  /** Called when a person confirms an RP-initiated logout (the hub's own session ends too), before the answer goes out. */
  onLogout?: (req: IncomingMessage, res: ServerResponse, request: FastifyRequest | undefined) => Promise<void> | void;
}

/** The hub users the provider has seen, by subject (what `findAccount` reads at the token and userinfo endpoints). */
export class Accounts {
  private readonly adapter: KyselyOidcAdapter;

  /** `lookup`: the hub's current record of a user (hub.sso.user), preferred to what was seen at login. */
  constructor(
    store: Store,
    private readonly lookup?: (subject: string) => Promise<OidcUser | undefined>,
  ) {
    this.adapter = new KyselyOidcAdapter(store, 'HubAccount');
  }

  async remember(subject: string, user: OidcUser): Promise<void> {
    await this.adapter.upsert(subject, { user, seenAt: Date.now() } as never, 0);
  }

  async find(subject: string): Promise<OidcUser | undefined> {
    const fresh = await this.lookup?.(subject).catch(() => undefined);
    if (fresh) return fresh;
    const row = (await this.adapter.find(subject)) as { user?: OidcUser } | undefined;
    return row?.user;
  }
}

const resolveUri = (uri: string, base: string) => (uri.startsWith('/') ? new URL(uri, base).href : uri);

/** The configured clients as oidc-provider metadata. */
export function clientMetadata(config: OidcConfig, secrets: Map<string, string>, hubBase: string): ClientMetadata[] {
  return config.clients.map((c) => ({
    client_id: c.client_id,
    ...(c.client_name ? { client_name: c.client_name } : {}),
    ...(c.public ? { token_endpoint_auth_method: 'none' } : { client_secret: secrets.get(c.client_id), token_endpoint_auth_method: c.token_endpoint_auth_method }),
    redirect_uris: c.redirect_uris.map((u) => resolveUri(u, hubBase)),
    post_logout_redirect_uris: c.post_logout_redirect_uris.map((u) => resolveUri(u, hubBase)),
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    scope: (c.scopes ?? SCOPES).join(' '),
  }));
}

/**
 * An oidc-provider instance for the hub: the configured clients (first party: consent is given
 * for them), the hub's users as accounts, storage on the hub's database, its signing keys and
 * cookie keys. The login prompt also fires when the hub's session is gone or is someone else's,
 * so the provider never outlives the hub's login.
 */
export function createProvider(o: ProviderOptions): Provider {
  const { config } = o;
  const policy = interactionPolicy.base();
  policy.get('login')!.checks.add(
    new interactionPolicy.Check('hub_session', 'the hub session ended or belongs to someone else', 'login_required', (ctx) => {
      const subject = (ctx.req as RequestWithSubject)[HUB_SUBJECT];
      if (subject === undefined) return interactionPolicy.Check.NO_NEED_TO_PROMPT; // not a browser step
      return subject === null || subject !== ctx.oidc.session?.accountId ? interactionPolicy.Check.REQUEST_PROMPT : interactionPolicy.Check.NO_NEED_TO_PROMPT;
    }),
  );
  const publicClients = new Set(config.clients.filter((c) => c.public).map((c) => c.client_id));
  const pkceClients = new Set(config.clients.filter((c) => c.public || c.require_pkce).map((c) => c.client_id));
  const configuration: Configuration = {
    adapter: (name: string) => new KyselyOidcAdapter(o.store, name),
    clients: clientMetadata(config, o.secrets, o.hubBase),
    jwks: { keys: o.jwks as never },
    cookies: {
      keys: o.cookieKeys,
      names: { session: 'oidc_session', interaction: 'oidc_interaction', resume: 'oidc_resume' },
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    claims: { acr: null, sid: null, auth_time: null, iss: null, ...Object.fromEntries(Object.entries(SCOPE_CLAIMS).map(([k, v]) => [k, [...v]])) },
    scopes: SCOPES,
    // Profile and email claims go into the id_token too (most internal tools read them there).
    conformIdTokenClaims: false,
    features: {
      devInteractions: { enabled: false },
      userinfo: { enabled: true },
      revocation: { enabled: true },
      introspection: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => {
          ctx.type = 'html';
          ctx.body = logoutPage(form, ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId);
        },
        postLogoutSuccessSource: async (ctx) => {
          ctx.type = 'html';
          ctx.body = signedOutPage(ctx.oidc.client?.clientName ?? ctx.oidc.client?.clientId);
        },
      },
    },
    pkce: { methods: ['S256'], required: (_ctx, client) => pkceClients.has(client.clientId) || publicClients.has(client.clientId) },
    interactions: { policy, url: (_ctx, interaction) => `/oidc/interaction/${interaction.uid}` },
    ttl: {
      AccessToken: config.ttl.access_token,
      AuthorizationCode: config.ttl.authorization_code,
      IdToken: config.ttl.id_token,
      RefreshToken: config.ttl.refresh_token,
      Session: config.ttl.session,
      Grant: Math.max(config.ttl.refresh_token, config.ttl.session),
      Interaction: 3600,
    },
    issueRefreshToken: async (_ctx, client, code) => client.grantTypeAllowed('refresh_token') && code.scopes.has('offline_access'),
    rotateRefreshToken: true,
    // Every client is declared by the hub's operator (first party): consent is given for what it asks, within its scopes.
    loadExistingGrant: async (ctx) => {
      const { client, session } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = ctx.oidc.result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      const grant = (grantId && (await ctx.oidc.provider.Grant.find(grantId))) || new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      if (grant.accountId !== session.accountId) return undefined;
      grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
      await grant.save();
      return grant;
    },
    findAccount: async (_ctx, sub): Promise<Account | undefined> => {
      const user = await o.accounts.find(sub);
      if (!user) return undefined;
      // Someone who left the company gets no more tokens (a refresh fails), when the directory knows it.
      const directory = o.directory?.();
      const row = directory && (await Promise.resolve(directory.user(user.open_id)).catch(() => undefined));
      if (row?.status && GONE.has(row.status)) {
        o.logger.info({ sub, status: row.status }, 'oidc: the directory says this person left; no token');
        return undefined;
      }
      return {
        accountId: sub,
        claims: async (_use, scope) => ({ ...(await claimsOf(user, { subject: config.subject, scope, emailVerified: config.email_verified, directory: o.directory?.() })), sub }),
      };
    },
    clientBasedCORS: (_ctx, origin, client) => client.redirectUris?.some((u) => safeOrigin(u) === origin) ?? false,
    renderError: async (ctx, out) => {
      ctx.type = 'html';
      ctx.body = errorPage(String(out.error), out.error_description ? String(out.error_description) : undefined);
    },
  };
  const provider = new Provider(o.issuer, configuration);
  provider.proxy = o.trustProxy;
  provider.on('server_error', (_ctx, err) => o.logger.error({ err }, 'oidc provider error'));
  // A confirmed "Sign out" (not the provider's own switch of session to another person, which
  // also passes through end_session on its way back to the authorization) ends the hub's session.
  provider.on('end_session.success', (ctx) => {
    const back = (ctx.oidc.session?.state as { postLogoutRedirectUri?: string } | undefined)?.postLogoutRedirectUri;
    const isSwitch = typeof back === 'string' && back.startsWith(`${o.issuer}/auth/`);
    if (ctx.oidc.params?.logout && !isSwitch) ctx.state.endHubSession = true;
  });
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.state.endHubSession) await o.onLogout?.(ctx.req, ctx.res, (ctx.req as RequestWithSubject)[HUB_REQUEST]);
  });
  return provider;
}

function safeOrigin(uri: string): string | undefined {
  try {
    return new URL(uri).origin;
  } catch {
    return undefined;
  }
}
