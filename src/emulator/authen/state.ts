import type { EmulatorContext } from '../context.js';
import { refill, type Slice } from '../product.js';

/** An authorization code (authorize page, QR login, in-client requestAccess): 5 minutes, single use. */
export interface CodeRecord {
  code: string;
  appId: string;
  openId: string;
  /** The redirect_uri the code was issued for (the token request must repeat it); none for JSAPI codes. */
  redirectUri?: string;
  scopes: string[];
  challenge?: string;
  challengeMethod?: 'S256' | 'plain';
  issuedAt: number;
  expiresAt: number;
  /** When it was exchanged (a second exchange is 20065). */
  usedAt?: number;
  /** Where it came from: the authorize page, QR login, or tt.requestAccess / requestAuthCode. */
  via: 'authorize' | 'qr' | 'jsapi';
}

/** A refresh token: single use; v2 tokens exist only when offline_access was granted. */
export interface RefreshRecord {
  token: string;
  appId: string;
  openId: string;
  scopes: string[];
  /** `v2` from authen/v2/oauth/token, `v1` from the authen/v1 endpoints (v2 refuses v1 refresh tokens, 20026). */
  version: 'v1' | 'v2';
  /** The access token issued with it (keeps a 1-minute grace once this is used). */
  accessToken: string;
  issuedAt: number;
  expiresAt: number;
  /** When the user authorised the app (re-authorisation is due 365 days later). */
  authorizedAt: number;
  usedAt?: number;
  revoked?: boolean;
}

/** What a user has granted an app: cumulative, as Feishu documents. */
export interface GrantRecord {
  appId: string;
  openId: string;
  scopes: string[];
  grantedAt: number;
}

/** A QR login in progress: the phone "scanned" as a user; the page trades tmp_code for a code. */
export interface TmpCodeRecord {
  tmpCode: string;
  openId: string;
  expiresAt: number;
  used: boolean;
}

export interface JsapiTicketRecord {
  ticket: string;
  appId: string;
  expiresAt: number;
}

/** Per-app settings of the developer console: redirect allow-list, H5 home page. Kept across resets. */
export interface AppWebSettings {
  appId: string;
  /** Exact-match allow-list; absent = the emulator's default (any http loopback URL). */
  redirectUrls?: string[];
  h5HomeUrl?: string;
  /** The app's display name on the consent page and in the Workbench (default: its bot's name). */
  name?: string;
}

/** What the emulated phone/desktop answers tt.getLocation with. */
export interface DeviceLocation {
  latitude: number;
  longitude: number;
  accuracy: number;
}

/** Feishu's Beijing office, more or less. */
export const DEFAULT_LOCATION: DeviceLocation = { latitude: 40.0017, longitude: 116.4841, accuracy: 30 };

export interface AuthenSnapshot {
  location?: DeviceLocation;
  codes: CodeRecord[];
  refresh_tokens: RefreshRecord[];
  grants: GrantRecord[];
  tmp_codes: TmpCodeRecord[];
  jsapi_tickets: JsapiTicketRecord[];
  apps: AppWebSettings[];
}

/** The authen product's slice: codes, refresh tokens, grants, QR tmp codes, jsapi tickets, app web settings. */
export class AuthenState implements Slice<AuthenSnapshot> {
  readonly codes = new Map<string, CodeRecord>();
  readonly refreshTokens = new Map<string, RefreshRecord>();
  /** Key: `${appId} ${openId}`. */
  readonly grants = new Map<string, GrantRecord>();
  readonly tmpCodes = new Map<string, TmpCodeRecord>();
  readonly jsapiTickets = new Map<string, JsapiTicketRecord>();
  readonly apps = new Map<string, AppWebSettings>();
  location: DeviceLocation = { ...DEFAULT_LOCATION };

  constructor(private readonly ctx: EmulatorContext) {}

  /** Codes, tokens, grants and tickets go; the apps' redirect allow-lists and H5 URLs (configuration) stay. */
  reset(): void {
    this.codes.clear();
    this.refreshTokens.clear();
    this.grants.clear();
    this.tmpCodes.clear();
    this.jsapiTickets.clear();
    this.location = { ...DEFAULT_LOCATION };
  }

  snapshot(): AuthenSnapshot {
    return {
      codes: [...this.codes.values()],
      refresh_tokens: [...this.refreshTokens.values()],
      grants: [...this.grants.values()],
      tmp_codes: [...this.tmpCodes.values()],
      jsapi_tickets: [...this.jsapiTickets.values()],
      apps: [...this.apps.values()],
      location: this.location,
    };
  }

  restore(json: AuthenSnapshot): void {
    refill(this.codes, (json.codes ?? []).map((c) => [c.code, { ...c }]));
    refill(this.refreshTokens, (json.refresh_tokens ?? []).map((r) => [r.token, { ...r }]));
    refill(this.grants, (json.grants ?? []).map((g) => [grantKey(g.appId, g.openId), { ...g }]));
    refill(this.tmpCodes, (json.tmp_codes ?? []).map((t) => [t.tmpCode, { ...t }]));
    refill(this.jsapiTickets, (json.jsapi_tickets ?? []).map((t) => [t.ticket, { ...t }]));
    refill(this.apps, (json.apps ?? []).map((a) => [a.appId, { ...a }]));
    this.location = { ...(json.location ?? DEFAULT_LOCATION) };
  }

  inspect(): Record<string, unknown> {
    const now = this.ctx.clock.now();
    const short = (t: string) => `${t.slice(0, 12)}…`;
    return {
      authen_grants: [...this.grants.values()].map((g) => ({ app_id: g.appId, open_id: g.openId, scopes: g.scopes, granted_at: g.grantedAt })),
      authen_codes: [...this.codes.values()].map((c) => ({
        code: short(c.code),
        app_id: c.appId,
        open_id: c.openId,
        via: c.via,
        pkce: c.challengeMethod ?? null,
        state: c.usedAt !== undefined ? 'used' : c.expiresAt <= now ? 'expired' : 'live',
      })),
      authen_refresh_tokens: [...this.refreshTokens.values()].map((r) => ({
        token: short(r.token),
        app_id: r.appId,
        open_id: r.openId,
        version: r.version,
        state: r.revoked ? 'revoked' : r.usedAt !== undefined ? 'used' : r.expiresAt <= now ? 'expired' : 'live',
      })),
      authen_apps: [...this.apps.values()].map((a) => ({ app_id: a.appId, redirect_urls: a.redirectUrls ?? null, h5_home_url: a.h5HomeUrl ?? null })),
    };
  }

  settings(appId: string): AppWebSettings {
    let s = this.apps.get(appId);
    if (!s) {
      s = { appId };
      this.apps.set(appId, s);
    }
    return s;
  }

  grant(appId: string, openId: string): GrantRecord | undefined {
    return this.grants.get(grantKey(appId, openId));
  }

  /** Adds scopes to what the user granted the app (grants accumulate). */
  addGrant(appId: string, openId: string, scopes: string[], now: number): GrantRecord {
    const key = grantKey(appId, openId);
    const g = this.grants.get(key) ?? { appId, openId, scopes: [], grantedAt: now };
    g.scopes = [...new Set([...g.scopes, ...scopes])];
    this.grants.set(key, g);
    return g;
  }
}

const grantKey = (appId: string, openId: string) => `${appId} ${openId}`;
