import type Provider from 'oidc-provider';
import { defineCapability } from '../capability/index.js';
import { ConfigError } from '../config/index.js';
import type { Store } from '../store/index.js';
import { registerOidcCommands } from './cli.js';
import { clientSecrets, oidcConfigSchema, type OidcConfig } from './config.js';
import { registerDemoRoutes } from './demo.js';
import type { KeyInfo } from './keys.js';
import { clientMetadata } from './provider.js';
import { registerOidcRoutes } from './routes.js';
import { OidcRuntime } from './runtime.js';
import { oidcSandboxConfig } from './sandbox.js';
import { NO_SECRET } from './secrets.js';
import { oidcMigrations } from './tables.js';

/** `hub.oidc`: the hub's OpenID Provider. */
export interface OidcApi {
  /** `${HUB_PUBLIC_URL}/oidc` (or the hub's own URL when HUB_PUBLIC_URL is unset), once the hub listens. */
  issuer(): string;
  /** The signing keys: the one that signs, those still published, those expired. */
  keys(): Promise<KeyInfo[]>;
  /** A new signing key signs from now on; the previous one stays in the JWKS until its tokens expire. */
  rotate(): Promise<KeyInfo>;
  /** The oidc-provider instance for the current keys (events, advanced use). */
  provider(): Promise<Provider>;
}

declare module '../capability/index.js' {
  interface HubExtensions {
    oidc: OidcApi;
  }
}

// Routes and jobs get the runtime context; they find the capability's runtime by its store.
const runtimes = new WeakMap<Store, OidcRuntime>();

/**
 * The OpenID Provider for internal apps (Grafana, GitLab, Argo CD, anything that speaks OIDC),
 * built on oidc-provider and logging people in with Feishu through the sso capability: discovery
 * at /oidc/.well-known/openid-configuration, authorization code + PKCE, RS256 id_tokens with
 * rotated keys, refresh tokens, userinfo, RP-initiated logout. Clients are declared in
 * feishu-hub.yaml (`oidc.clients`); everything it keeps lives in the hub's database.
 */
export const oidcCapability = defineCapability({
  name: 'oidc',
  scopes: [], // it calls nothing itself: people log in through the sso capability
  after: ['sso'],
  config: { schema: oidcConfigSchema, yamlKey: 'oidc' },
  sandbox: {
    config: oidcSandboxConfig,
    hint: ({ hubUrl }) => [`oidc           ${hubUrl}/oidc/demo   (log in to an internal app via the hub's OIDC; discovery: ${hubUrl}/oidc/.well-known/openid-configuration)`],
  },
  migrations: oidcMigrations,
  setup({ config, decorate, onStart, hubConfig, logger, hub }) {
    if (!config.clients.length) {
      const off = () => Promise.reject(new Error('the OIDC provider is not configured: declare its clients under oidc.clients in feishu-hub.yaml'));
      decorate({ oidc: { issuer: () => { throw new Error('the OIDC provider is not configured (oidc.clients)'); }, keys: off, rotate: off, provider: off } satisfies OidcApi });
      return;
    }
    const { secrets, problems } = clientSecrets(config);
    if (!hubConfig.sessionSecret && !hubConfig.sandbox) problems.push(NO_SECRET);
    // The provider has no login of its own: Feishu login (the sso capability) must be on.
    const sso = (hub as unknown as { sso?: { enabled?: boolean } }).sso;
    if (!sso) problems.push('oidc needs the sso capability (Feishu login) in the hub: register it before oidc');
    else if (sso.enabled === false) problems.push('oidc logs people in with Feishu: turn on Feishu login with an sso section in feishu-hub.yaml (even `sso: {}`)');
    if (problems.length) throw new ConfigError(problems);
    let rt: OidcRuntime | undefined;
    const runtime = () => {
      if (!rt) throw new Error('the oidc capability has not started yet');
      return rt;
    };
    decorate({
      oidc: {
        issuer: () => runtime().issuer(),
        keys: () => runtime().keys.list(),
        rotate: () => runtime().keys.rotate(),
        provider: () => runtime().provider(),
      } satisfies OidcApi,
    });
    onStart(async ({ store }) => {
      const opened = await OidcRuntime.open(store, { config, hubConfig, hub, logger, secrets });
      await opened.checkClients();
      rt = opened;
      runtimes.set(store, rt);
    });
  },
  routes: async (app, ctx) => {
    const rt = runtimes.get(ctx.store);
    if (!rt) return;
    const config = ctx.config as OidcConfig;
    await registerOidcRoutes(app, { provider: (request) => rt.provider(request), sso: () => rt.sso(), accounts: rt.accounts, config, logger: ctx.logger });
    if (config.demo) registerDemoRoutes(app, { issuer: (request) => rt.issuer(request), base: (request) => rt.hubBase(request), logger: ctx.logger });
  },
  jobs: [
    {
      name: 'rotate-keys',
      everyMs: 10 * 60_000,
      runAtStart: true,
      singleton: true,
      enabled: (config) => config.clients.length > 0,
      run: ({ store }) => runtimes.get(store)?.rotationTick(),
    },
    {
      name: 'prune',
      everyMs: 10 * 60_000,
      singleton: true,
      enabled: (config) => config.clients.length > 0,
      run: ({ store }) => runtimes.get(store)?.prune(),
    },
  ],
  cli: ({ program }) => registerOidcCommands(program),
});
