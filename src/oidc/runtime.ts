import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyRequest } from 'fastify';
import type Provider from 'oidc-provider';
import type { JWK } from 'jose';
import { ConfigError, type HubConfig, type Logger } from '../config/index.js';
import type { HubCore } from '../capability/index.js';
import type { Store } from '../store/index.js';
import { pruneExpiredModels } from './adapter.js';
import { subjectOf, type DirectoryLike, type OidcUser } from './claims.js';
import { keepRetiredMs, type OidcConfig } from './config.js';
import { SigningKeys } from './keys.js';
import { Accounts, createProvider } from './provider.js';
import type { SsoLike } from './routes.js';
import { cookieKeys, oidcSecret } from './secrets.js';

/**
 * The running provider of one hub: its keys, its accounts, and the oidc-provider instance, made
 * on the first request (the issuer needs the hub's URL) and made again when the signing keys
 * change (a rotation here, by the job, by `feishu-hub oidc rotate` or on another replica: every
 * OIDC request compares the published keys' fingerprint, one small query).
 */
export class OidcRuntime {
  readonly keys: SigningKeys;
  readonly accounts: Accounts;
  private current?: { fingerprint: string; provider: Provider };
  private building?: Promise<Provider>;
  private base?: string;

  private constructor(
    readonly store: Store,
    private readonly secret: string,
    private readonly o: { config: OidcConfig; hubConfig: HubConfig; hub: HubCore; logger: Logger; secrets: Map<string, string> },
  ) {
    this.keys = new SigningKeys(store, secret, { keepMs: keepRetiredMs(o.config) });
    this.accounts = new Accounts(store, async (subject) => {
      const sso = (o.hub as unknown as { sso?: { user?: (id: string) => Promise<OidcUser | undefined> } }).sso;
      const user = await sso?.user?.(subject);
      return user && subjectOf(user, o.config.subject) === subject ? user : undefined;
    });
  }

  static async open(store: Store, o: { config: OidcConfig; hubConfig: HubConfig; hub: HubCore; logger: Logger; secrets: Map<string, string> }): Promise<OidcRuntime> {
    const runtime = new OidcRuntime(store, await oidcSecret(o.hubConfig, store), o);
    const kid = await runtime.keys.ensure();
    o.logger.debug({ kid }, 'oidc signing key ready');
    return runtime;
  }

  /** The hub's base URL: HUB_PUBLIC_URL, else the address it listens on. */
  hubBase(request?: FastifyRequest): string {
    if (this.base) return this.base;
    const configured = this.o.hubConfig.http.publicUrl?.replace(/\/+$/, '');
    const listening = this.o.hub.url ?? (request ? `http://${this.o.hubConfig.http.host}:${request.raw.socket.localPort}` : undefined);
    const base = configured ?? listening;
    if (!base) throw new Error('the OIDC issuer is not known before the hub listens (set HUB_PUBLIC_URL)');
    this.base = base;
    return base;
  }

  issuer(request?: FastifyRequest): string {
    return `${this.hubBase(request)}/oidc`;
  }

  sso(): SsoLike {
    const sso = (this.o.hub as unknown as { sso?: SsoLike }).sso;
    if (!sso || typeof sso.currentUser !== 'function') throw new Error('the oidc capability needs hub.sso (the sso capability) to log people in');
    return sso;
  }

  directory(): DirectoryLike | undefined {
    const d = (this.o.hub as unknown as { directory?: DirectoryLike }).directory;
    return d && typeof d.user === 'function' && d.enabled !== false ? d : undefined;
  }

  /** The provider for the current signing keys. */
  async provider(request?: FastifyRequest): Promise<Provider> {
    const fingerprint = await this.keys.fingerprint();
    if (this.current?.fingerprint === fingerprint) return this.current.provider;
    this.building ??= this.build(request).finally(() => (this.building = undefined));
    return this.building;
  }

  /** oidc-provider's own validation of every client's metadata, at start, named as in feishu-hub.yaml. */
  async checkClients(): Promise<void> {
    const base = this.o.hubConfig.http.publicUrl?.replace(/\/+$/, '') ?? 'http://127.0.0.1';
    const probe = this.make(`${base}/oidc`, base, (await this.keys.published()).keys);
    const problems: string[] = [];
    for (const [i, c] of this.o.config.clients.entries()) {
      try {
        await probe.Client.find(c.client_id);
      } catch (err) {
        const e = err as { error_description?: string; message: string };
        problems.push(`oidc.clients.${i} (${c.client_id}): ${e.error_description ?? e.message}`);
      }
    }
    if (problems.length) throw new ConfigError(problems);
  }

  private async build(request?: FastifyRequest): Promise<Provider> {
    const published = await this.keys.published();
    const provider = this.make(this.issuer(request), this.hubBase(request), published.keys);
    const callback = provider.callback();
    (provider as unknown as { callback: () => typeof callback }).callback = () => callback;
    this.current = { fingerprint: published.fingerprint, provider };
    this.o.logger.info({ issuer: provider.issuer, signer: published.signer, published: published.keys.length }, 'oidc provider ready');
    return provider;
  }

  private make(issuer: string, hubBase: string, jwks: JWK[]): Provider {
    return createProvider({
      issuer,
      hubBase,
      config: this.o.config,
      secrets: this.o.secrets,
      jwks,
      cookieKeys: cookieKeys(this.secret),
      store: this.store,
      accounts: this.accounts,
      directory: () => this.directory(),
      trustProxy: this.o.hubConfig.http.trustProxy !== false,
      logger: this.o.logger,
      onLogout: (req, res, request) => this.endHubSession(req, res, request),
    });
  }

  /**
   * RP-initiated logout ends the hub's session too: this browser's (hub.sso.endSession) when the
   * sso capability offers it, else every session of that person (hub.sso.logoutEverywhere).
   */
  private async endHubSession(req: IncomingMessage, res: ServerResponse, request: FastifyRequest | undefined): Promise<void> {
    const sso = (this.o.hub as unknown as { sso?: SsoLike & { endSession?: (req: IncomingMessage, res: ServerResponse) => Promise<unknown>; logoutEverywhere?: (u: OidcUser) => Promise<unknown> } }).sso;
    try {
      if (sso?.endSession) return void (await sso.endSession(req, res));
      const user = request && (await sso?.currentUser(request));
      if (user && sso?.logoutEverywhere) await sso.logoutEverywhere(user);
    } catch (err) {
      this.o.logger.warn({ err }, 'could not end the hub session at OIDC logout');
    }
  }

  /**
   * The rotation job: the next key is published `publish_ahead_seconds` before the signer is due,
   * then signs; retired keys leave the database a day after they left the JWKS.
   */
  async rotationTick(): Promise<void> {
    const { keys } = this.o.config;
    const { prepared, rotated } = await this.keys.tick(keys.rotate_every_days * 86_400_000, keys.publish_ahead_seconds * 1000);
    if (prepared) this.o.logger.info({ kid: prepared.kid }, 'oidc: next signing key published ahead of its rotation');
    if (rotated) this.o.logger.info({ kid: rotated.kid }, 'oidc signing key rotated (the previous one stays in the JWKS until its tokens expire)');
    await this.keys.prune();
  }

  prune(): Promise<number> {
    return pruneExpiredModels(this.store);
  }
}
