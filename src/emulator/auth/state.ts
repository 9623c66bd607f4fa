import { createHash } from 'node:crypto';
import type { EmulatorContext } from '../context.js';
import { DEFAULT_TENANT_KEY } from '../options.js';
import { refill, type Slice } from '../product.js';
import type { AppRecord } from '../types.js';
import { TokenStore, type TokenRecord } from './tokens.js';

export interface AuthSnapshot {
  apps: AppRecord[];
  app_tickets: [appId: string, ticket: string][];
  tokens: TokenRecord[];
  /** Apps whose scope list was narrowed (the others have every scope). */
  app_scopes?: [appId: string, granted: string[]][];
}

/** A call the gateway refused for a missing scope (what the developer console lists). */
export interface ScopeRefusal {
  time: number;
  app_id: string;
  method: string;
  path: string;
  code: 99991672 | 99991679;
  token_type: 'tenant' | 'user';
  /** The API's scopes, any one of which would have let it through. */
  required: string[];
  log_id: string;
}

const MAX_REFUSALS = 50;

const botOpenId = (appId: string) => `ou_${createHash('sha256').update(`bot:${appId}`).digest('hex').slice(0, 32)}`;

/** The apps (credentials, request URLs, bots), their access tokens and the store apps' app_tickets. */
export class AuthState implements Slice<AuthSnapshot> {
  // Maps are refilled in place, never replaced, so references held elsewhere stay live.
  readonly apps = new Map<string, AppRecord>();
  /** The latest app_ticket of each store app. */
  readonly appTickets = new Map<string, string>();
  readonly tokens = new TokenStore();
  /**
   * Each app's granted scopes (the developer console's permission list). An app absent here has
   * every scope and nothing is checked: the default, so apps that never set a list behave as before.
   */
  readonly grantedScopes = new Map<string, string[]>();
  /** The latest scope refusals, oldest first (not in snapshots, like the call log). */
  readonly refusals: ScopeRefusal[] = [];

  constructor(private readonly ctx: EmulatorContext) {
    this.seedApps();
  }

  get defaultApp(): AppRecord {
    return this.apps.get(this.ctx.options.appId)!;
  }

  /** Apps are configuration: a reset keeps them (and URLs or keys set since) and forgets tokens and tickets. */
  reset(): void {
    this.appTickets.clear();
    this.tokens.clear();
    // Back to every scope, as the directory's contact scopes go back to the whole tenant.
    this.grantedScopes.clear();
    this.refusals.length = 0;
  }

  snapshot(): AuthSnapshot {
    return { apps: [...this.apps.values()], app_tickets: [...this.appTickets], tokens: this.tokens.list(), app_scopes: [...this.grantedScopes] };
  }

  /** The app's granted scopes, or `'all'` (the default: every scope, nothing checked). */
  scopesOf(appId: string): string[] | 'all' {
    return this.grantedScopes.get(appId) ?? 'all';
  }

  noteRefusal(r: ScopeRefusal): void {
    this.refusals.push(r);
    if (this.refusals.length > MAX_REFUSALS) this.refusals.splice(0, this.refusals.length - MAX_REFUSALS);
  }

  restore(json: AuthSnapshot): void {
    refill(this.apps, (json.apps ?? []).map((a) => [a.appId, a]));
    // The emulator always has its own app; a snapshot without it keeps the configured one.
    if (!this.apps.has(this.ctx.options.appId)) this.seedApps();
    refill(this.appTickets, json.app_tickets ?? []);
    this.tokens.load(json.tokens ?? []);
    refill(this.grantedScopes, (json.app_scopes ?? []).map(([id, granted]) => [id, [...granted]] as const));
    this.refusals.length = 0;
  }

  inspect(): Record<string, unknown> {
    return {
      apps: [...this.apps.values()].map((a) => ({
        app_id: a.appId,
        type: a.type,
        bot_name: a.botName,
        bot_open_id: a.botOpenId,
        event_url: a.eventUrl ?? null,
        card_url: a.cardUrl ?? a.eventUrl ?? null,
        encrypted: Boolean(a.encryptKey),
        tenant_keys: a.tenantKeys,
        scopes: this.scopesOf(a.appId),
      })),
    };
  }

  private seedApps(): void {
    const o = this.ctx.options;
    this.apps.set(o.appId, {
      appId: o.appId,
      appSecret: o.appSecret,
      type: 'self_built',
      encryptKey: o.encryptKey || undefined,
      verificationToken: o.verificationToken || undefined,
      eventUrl: o.eventUrl,
      cardUrl: o.cardUrl,
      botName: o.botName,
      botOpenId: botOpenId(o.appId),
      tenantKeys: [DEFAULT_TENANT_KEY],
    });
    for (const extra of o.extraApps ?? []) {
      this.apps.set(extra.appId, {
        appId: extra.appId,
        appSecret: extra.appSecret,
        type: extra.type ?? 'self_built',
        encryptKey: extra.encryptKey,
        verificationToken: extra.verificationToken,
        eventUrl: extra.eventUrl,
        botName: `${extra.appId} bot`,
        botOpenId: botOpenId(extra.appId),
        tenantKeys: extra.tenantKeys ?? [DEFAULT_TENANT_KEY],
      });
    }
  }
}
