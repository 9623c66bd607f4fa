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
}

const botOpenId = (appId: string) => `ou_${createHash('sha256').update(`bot:${appId}`).digest('hex').slice(0, 32)}`;

/** The apps (credentials, request URLs, bots), their access tokens and the store apps' app_tickets. */
export class AuthState implements Slice<AuthSnapshot> {
  // Maps are refilled in place, never replaced, so references held elsewhere stay live.
  readonly apps = new Map<string, AppRecord>();
  /** The latest app_ticket of each store app. */
  readonly appTickets = new Map<string, string>();
  readonly tokens = new TokenStore();

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
  }

  snapshot(): AuthSnapshot {
    return { apps: [...this.apps.values()], app_tickets: [...this.appTickets], tokens: this.tokens.list() };
  }

  restore(json: AuthSnapshot): void {
    refill(this.apps, (json.apps ?? []).map((a) => [a.appId, a]));
    // The emulator always has its own app; a snapshot without it keeps the configured one.
    if (!this.apps.has(this.ctx.options.appId)) this.seedApps();
    refill(this.appTickets, json.app_tickets ?? []);
    this.tokens.load(json.tokens ?? []);
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
