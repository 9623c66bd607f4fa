import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter } from 'prom-client';
import { defineCapability } from '../capability/index.js';
import { ConfigError } from '../config/index.js';
import { KvStore, type Store } from '../store/index.js';
import { registerSsoCommands } from './cli.js';
import { ssoConfigSchema, type SsoConfig } from './config.js';
import { randomToken } from './crypto.js';
import { registerSsoRoutes } from './routes.js';
import { ssoSandboxConfig } from './sandbox.js';
import { SsoService } from './service.js';
import { ssoMigrations } from './tables.js';
import type { AccountsApi, HubUser, SsoApi, UserClient } from './types.js';
import { ssoScopes } from './scopes.js';
import { ssoConsole } from './console-panel.js';

declare module '../capability/index.js' {
  interface EventContext {
    /** Calls Feishu as a person who logged in to the hub (their open_id, or a HubUser): `ctx.asUser(ctx.event.operator.open_id)`. */
    asUser(user: HubUser | string): UserClient;
  }
  interface HubExtensions {
    sso: SsoApi & {
      /** Ends the hub session of a raw request (the OIDC provider's RP-initiated logout). */
      endSession(req: IncomingMessage, res: ServerResponse): Promise<void>;
    };
    accounts: AccountsApi;
  }
}

const services = new WeakMap<Store, SsoService>();

/** The running service of a started hub's store (tests, the bench). */
export function ssoServiceOf(store: Store): SsoService | undefined {
  return services.get(store);
}

/**
 * HUB_SESSION_SECRET, or in the sandbox one generated once and kept in the hub database (never
 * logged), so sessions survive a restart of `npm start`.
 */
async function sessionSecret(o: { given?: string; sandbox: boolean; enabled: boolean; store: Store }): Promise<string> {
  if (o.given) return o.given;
  if (!o.enabled) return `unused:${randomToken(32)}`; // no login, so nothing is signed or sealed with it
  if (!o.sandbox) throw new ConfigError(['HUB_SESSION_SECRET is required for Feishu login (the sso section): set it to 32 or more random characters, e.g. `openssl rand -hex 32`']);
  const kv = new KvStore(o.store);
  const kept = await kv.get('sso', 'sandbox_session_secret');
  if (kept) return kept;
  const made = randomToken(32);
  await kv.set('sso', 'sandbox_session_secret', made);
  return made;
}

/**
 * Feishu login for the hub's pages and other capabilities' routes (OAuth 2 + PKCE, QR, in-client
 * H5), sessions on the hub database, users' Feishu tokens encrypted and refreshed across replicas,
 * and `hub.accounts`, the one binding of Feishu people to system users.
 */
export const ssoCapability = defineCapability({
  name: 'sso',
  scopes: ssoScopes,
  after: ['platform'],
  config: { schema: ssoConfigSchema, yamlKey: 'sso', env: { SSO_ADMINS: 'admins', SSO_RETURN_TO_HOSTS: 'return_to_hosts' } },
  sandbox: {
    config: ssoSandboxConfig,
    hint: ({ hubUrl }) => [`login          ${hubUrl}/me   (Feishu login on the local Feishu: pick a person; ${hubUrl}/login has the QR login)`],
  },
  migrations: ssoMigrations,
  console: ssoConsole,
  setup({ config, hubConfig, decorate, extendContext, onStart, platform, logger, metrics }) {
    const cfg = config as SsoConfig;
    if (cfg.enabled && !hubConfig.sandbox && !hubConfig.sessionSecret) {
      throw new ConfigError(['HUB_SESSION_SECRET is required for Feishu login (the sso section): set it to 32 or more random characters, e.g. `openssl rand -hex 32`']);
    }
    if (cfg.enabled && !hubConfig.sandbox && !hubConfig.http.publicUrl) {
      logger.warn('HUB_PUBLIC_URL is not set: the login redirect_uri is built from each request\'s Host header; set HUB_PUBLIC_URL to the URL registered as the app\'s redirect URL');
    }
    const refreshes = new Counter({ name: 'feishu_hub_sso_token_refreshes_total', help: 'User token refreshes this process made', registers: [metrics] });
    let service: SsoService | undefined;
    const rt = () => {
      if (!service) throw new Error('the sso capability has not started yet (hub.start())');
      return service;
    };
    const off = (what: string) => new Error(`Feishu login is not configured (${what}): add an sso section to feishu-hub.yaml`);

    const sso: SsoApi & { endSession(req: IncomingMessage, res: ServerResponse): Promise<void> } = {
      get enabled() {
        return cfg.enabled;
      },
      currentUser: async (request) => (cfg.enabled && service ? service.currentUser(request) : undefined),
      requireUser: (opts) => {
        let guard: ReturnType<SsoService['requireUser']> | undefined;
        return async (request, reply) => {
          if (!cfg.enabled) return void (await reply.status(503).send({ error: 'sso_off', message: off('requireUser').message }));
          guard ??= rt().requireUser(opts);
          return guard(request, reply);
        };
      },
      loginUrl: (returnTo) => `/login/feishu?return_to=${encodeURIComponent(returnTo)}`,
      asUser: (user) => {
        const client = () => rt().asUser(user);
        return { token: () => client().token(), request: (req) => client().request(req), sdk: (call) => client().sdk(call) };
      },
      user: async (id) => {
        const row = await rt().users.find(id);
        return row ? rt().hubUser(row) : undefined;
      },
      logoutEverywhere: (user) => rt().logoutEverywhere(user),
      endSession: async (req, res) => {
        if (!service) return;
        const sid = service.sessionIdOf({ headers: req.headers } as never);
        if (sid) await service.sessions.remove(sid);
        const cleared = `${cfg.cookie_name}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT; HttpOnly; SameSite=Lax`;
        const prev = res.getHeader('set-cookie');
        if (!res.headersSent) res.setHeader('set-cookie', [...(Array.isArray(prev) ? prev : prev ? [String(prev)] : []), cleared]);
      },
    };
    const accounts: AccountsApi = {
      bind: (b) => rt().accounts.bind(b),
      unbind: (f) => rt().accounts.unbind(f),
      systemUserOf: (f, o) => rt().accounts.systemUserOf(f, o),
      feishuUserOf: (s) => rt().accounts.feishuUserOf(s),
      list: () => rt().accounts.list(),
    };
    decorate({ sso, accounts });
    extendContext((ctx) => Object.assign(ctx, { asUser: (user: HubUser | string) => sso.asUser(user) }));

    onStart(async ({ store }) => {
      const secret = await sessionSecret({ given: hubConfig.sessionSecret, sandbox: hubConfig.sandbox, enabled: cfg.enabled, store });
      service = new SsoService({ store, config: cfg, hubConfig, platform, logger, secret, onRefresh: () => refreshes.inc() });
      services.set(store, service);
      const pending = await service.accounts.seed(cfg.bindings);
      if (pending.length) logger.info({ people: pending }, 'sso.bindings: people not found in the directory yet; bound when they log in');
    });
  },
  async routes(app, ctx) {
    const cfg = ctx.config as SsoConfig;
    const service = services.get(ctx.store);
    if (!cfg.enabled || !service) return;
    await registerSsoRoutes(app, {
      service,
      secret: (service.deps.secret),
      domain: ctx.platform.domain,
      appId: ctx.platform.appId,
      publicUrl: ctx.hubConfig.http.publicUrl,
      logger: ctx.logger,
    });
    // Sandbox: the demo H5 page is the app's home page in the local Feishu's Workbench, as a
    // developer would set it on the app's settings page.
    if (ctx.hubConfig.sandbox && cfg.me_page) {
      app.server.once('listening', () => {
        const address = app.server.address();
        if (!address || typeof address === 'string') return;
        const host = ctx.hubConfig.http.host.includes(':') ? `[${ctx.hubConfig.http.host}]` : ctx.hubConfig.http.host;
        const home = `${ctx.hubConfig.http.publicUrl?.replace(/\/+$/, '') ?? `http://${host}:${address.port}`}/me/h5`;
        fetch(`${ctx.platform.domain}/__emulator/apps/${ctx.platform.appId}/h5`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ home_url: home, name: 'feishu-hub' }) })
          .then((res) => (res.ok ? undefined : ctx.logger.debug({ status: res.status }, 'the local Feishu did not take the H5 home page')))
          .catch((err: unknown) => ctx.logger.debug({ err }, 'could not set the H5 home page on the local Feishu'));
      });
    }
  },
  jobs: [
    {
      name: 'prune-sessions',
      everyMs: 15 * 60_000,
      enabled: (config) => (config as SsoConfig).enabled,
      async run({ store, logger }) {
        const n = await services.get(store)?.prune();
        if (n && (n.sessions || n.logins)) logger.debug(n, 'pruned expired sessions and logins');
      },
    },
  ],
  cli: ({ program }) => registerSsoCommands(program),
});
