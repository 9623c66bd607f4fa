import * as lark from '@larksuiteoapi/node-sdk';
import { FeishuApiError, type Platform } from '../platform/index.js';
import type { SsoConfig } from './config.js';

/** The v2 OAuth token endpoint (top-level OAuth JSON, PKCE, single-use refresh tokens). */
export const TOKEN_PATH = '/open-apis/authen/v2/oauth/token';

/** Codes meaning "this refresh token will never work again": the person must log in again. */
export const DEAD_REFRESH_CODES: ReadonlySet<number> = new Set([20026, 20037, 20038, 20064, 20073, 20074, 99991669]);
/** A user token the gateway refused as invalid or expired. */
export const USER_TOKEN_EXPIRED_CODES: ReadonlySet<number> = new Set([99991668, 99991677, 20005]);

export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  /** Epoch ms. */
  accessExpiresAt: number;
  refreshExpiresAt?: number;
  scope?: string;
}

export interface FeishuProfile {
  open_id: string;
  union_id?: string;
  user_id?: string;
  tenant_key?: string;
  name?: string;
  en_name?: string;
  email?: string;
  enterprise_email?: string;
  avatar_url?: string;
  avatar_thumb?: string;
  avatar_big?: string;
  employee_no?: string;
}

/** The hosts a browser is sent to: the accounts host for Feishu and Lark, the emulator itself otherwise. */
export function browserHosts(domain: string, config: Pick<SsoConfig, 'authorize_url'>) {
  const official = domain === 'https://open.feishu.cn' ? 'feishu' : domain === 'https://open.larksuite.com' ? 'larksuite' : undefined;
  const accounts = official ? `https://accounts.${official}.${official === 'feishu' ? 'cn' : 'com'}` : domain;
  const passport = official ? `https://passport.${official}.${official === 'feishu' ? 'cn' : 'com'}` : domain;
  return {
    authorize: config.authorize_url ?? `${accounts}/open-apis/authen/v1/authorize`,
    /** The QR SDK's `goto` (the passport authorize page). */
    passport: `${passport}/suite/passport/oauth/authorize`,
    /** Feishu's QR login SDK, or the emulator's stand-in. */
    qrSdk: official ? 'https://lf-package-cn.feishucdn.com/obj/feishu-static/lark/passport/qrcode/LarkSSOSDKWebQRCode-1.0.3.js' : `${domain}/__emulator/qrlogin.js`,
    /** Feishu's H5 JSSDK, or the emulator's stand-in (defines window.h5sdk / tt only inside the client). */
    h5Sdk: official ? 'https://lf1-cdn-tos.bytegoofy.com/goofy/lark/op/h5-js-sdk-1.5.26.js' : `${domain}/__emulator/h5sdk.js`,
  };
}

/** Feishu's side of login, through the platform client (limits, retries, FeishuApiError). */
export class FeishuOAuth {
  constructor(
    private readonly platform: Platform,
    private readonly appSecret: string,
    private readonly now: () => number = Date.now,
  ) {}

  private async token(body: Record<string, unknown>): Promise<TokenSet> {
    const started = this.now();
    const res = await this.platform.request<Record<string, unknown>>({ method: 'POST', url: TOKEN_PATH, data: { client_id: this.platform.appId, client_secret: this.appSecret, ...body } });
    const accessToken = typeof res.access_token === 'string' ? res.access_token : '';
    if (!accessToken) throw new Error('the token endpoint answered without an access_token');
    const expiresIn = Number(res.expires_in ?? 7200);
    const refreshIn = Number(res.refresh_token_expires_in ?? res.refresh_expires_in ?? NaN);
    return {
      accessToken,
      refreshToken: typeof res.refresh_token === 'string' && res.refresh_token ? res.refresh_token : undefined,
      accessExpiresAt: started + expiresIn * 1000,
      refreshExpiresAt: Number.isFinite(refreshIn) ? started + refreshIn * 1000 : undefined,
      scope: typeof res.scope === 'string' ? res.scope : undefined,
    };
  }

  /** authorization_code → tokens (v2; with the PKCE verifier when the login had one). */
  exchangeCode(o: { code: string; verifier?: string | null; redirectUri?: string }): Promise<TokenSet> {
    return this.token({ grant_type: 'authorization_code', code: o.code, ...(o.verifier ? { code_verifier: o.verifier } : {}), ...(o.redirectUri ? { redirect_uri: o.redirectUri } : {}) });
  }

  /** A single-use refresh token → a new pair. */
  refresh(refreshToken: string): Promise<TokenSet> {
    return this.token({ grant_type: 'refresh_token', refresh_token: refreshToken });
  }

  /** authen/v1/user_info with the user's token (the SDK's method, `withUserAccessToken`). */
  async userInfo(accessToken: string): Promise<FeishuProfile> {
    const res = await this.platform.sdk.authen.v1.userInfo.get({}, lark.withUserAccessToken(accessToken));
    const data = (res as { data?: FeishuProfile }).data;
    if (!data?.open_id) throw new Error('user_info answered without an open_id');
    return data;
  }
}

export function isDeadRefresh(err: unknown): boolean {
  return err instanceof FeishuApiError && DEAD_REFRESH_CODES.has(err.code);
}

export function isExpiredUserToken(err: unknown): boolean {
  return err instanceof FeishuApiError && USER_TOKEN_EXPIRED_CODES.has(err.code);
}
