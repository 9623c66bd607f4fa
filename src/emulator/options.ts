import type { Product } from './product.js';
import type { RateLimitSettings } from './types.js';

/** Documented development credentials: the defaults when none are given. Never use them for a real app. */
export const DEV_CREDENTIALS = {
  appId: 'cli_a1b2c3d4e5f60789',
  appSecret: 'emulator-dev-app-secret-not-for-production',
  encryptKey: 'emulator-dev-encrypt-key',
  verificationToken: 'emulator-dev-verification-token',
} as const;

/** The emulated tenant's key (the seeded users and chats belong to it). */
export const DEFAULT_TENANT_KEY = '2ed263bf32cf1651';

export interface EmulatorOptions {
  port?: number;
  host?: string;
  appId?: string;
  appSecret?: string;
  /** Set to '' to push plaintext events. */
  encryptKey?: string;
  verificationToken?: string;
  /** Where events are pushed (the app's "request URL"). */
  eventUrl?: string;
  /** Where card callbacks are pushed; defaults to eventUrl. */
  cardUrl?: string;
  botName?: string;
  /** Further apps, e.g. a store app for the app_ticket flow. */
  extraApps?: { appId: string; appSecret: string; type?: 'self_built' | 'store'; encryptKey?: string; verificationToken?: string; eventUrl?: string; tenantKeys?: string[] }[];
  rateLimits?: Partial<RateLimitSettings>;
  /** Answer the url_verification challenge before pushing to a newly configured URL (default true). */
  verifyUrls?: boolean;
  /** The emulated products, in order (default `defaultProducts`); add your own to emulate more. */
  products?: readonly Product[];
}

export type ResolvedOptions = Required<Pick<EmulatorOptions, 'port' | 'host' | 'appId' | 'appSecret' | 'botName' | 'verifyUrls'>> &
  EmulatorOptions & { rateLimits: RateLimitSettings };

export function resolveOptions(o: EmulatorOptions = {}): ResolvedOptions {
  const appId = o.appId ?? DEV_CREDENTIALS.appId;
  if (!/^cli_[0-9a-f]{16}$/.test(appId)) {
    // The official WSClient refuses other shapes, so the emulator does too.
    throw new Error(`appId must be "cli_" followed by 16 lowercase hex characters (got ${JSON.stringify(appId)})`);
  }
  return {
    ...o,
    port: o.port ?? 9000,
    host: o.host ?? '127.0.0.1',
    appId,
    appSecret: o.appSecret ?? DEV_CREDENTIALS.appSecret,
    encryptKey: o.encryptKey ?? DEV_CREDENTIALS.encryptKey,
    verificationToken: o.verificationToken ?? DEV_CREDENTIALS.verificationToken,
    botName: o.botName ?? 'feishu-hub bot',
    verifyUrls: o.verifyUrls ?? true,
    rateLimits: { enabled: o.rateLimits?.enabled ?? true, scale: o.rateLimits?.scale ?? 1 },
  };
}
