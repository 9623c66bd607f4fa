import { newId } from '../ids.js';

export interface TokenRecord {
  token: string;
  kind: 'tenant' | 'app' | 'user';
  appId: string;
  tenantKey?: string;
  /** user tokens: whose token it is. */
  openId?: string;
  /** user tokens: the scopes the person granted (checked once the app's scope list is set; absent = not checked). */
  scopes?: string[];
  issuedAt: number;
  expiresAt: number;
  revoked: boolean;
}

/** Feishu's documented lifetime and the threshold under which a fresh token is issued. */
export const TOKEN_TTL_MS = 2 * 60 * 60 * 1000;
export const REISSUE_BELOW_MS = 30 * 60 * 1000;

/**
 * Access tokens with the platform's reuse rule: asking again while ≥ 30 min remain
 * returns the same token with a smaller `expire`; under 30 min a new token is issued
 * and the old one stays valid until its own expiry.
 */
export class TokenStore {
  private byToken = new Map<string, TokenRecord>();

  issue(kind: 'tenant' | 'app', appId: string, tenantKey: string | undefined, now: number): { token: string; expire: number } {
    let current: TokenRecord | undefined;
    for (const r of this.byToken.values()) {
      if (r.kind === kind && r.appId === appId && r.tenantKey === tenantKey && !r.revoked && r.expiresAt > now) {
        if (!current || r.issuedAt > current.issuedAt) current = r;
      }
    }
    if (current && current.expiresAt - now >= REISSUE_BELOW_MS) {
      return { token: current.token, expire: Math.floor((current.expiresAt - now) / 1000) };
    }
    const token = kind === 'tenant' ? newId.tenantToken() : newId.appToken();
    this.byToken.set(token, { token, kind, appId, tenantKey, issuedAt: now, expiresAt: now + TOKEN_TTL_MS, revoked: false });
    return { token, expire: TOKEN_TTL_MS / 1000 };
  }

  /** Registers a token minted elsewhere (user tokens from the OAuth flow). */
  add(record: Omit<TokenRecord, 'revoked'>): void {
    this.byToken.set(record.token, { ...record, revoked: false });
  }

  /** The live record for a token, or why it is not usable. */
  resolve(token: string, now: number): TokenRecord | 'unknown' | 'expired' | 'revoked' {
    const r = this.byToken.get(token);
    if (!r) return 'unknown';
    if (r.revoked) return 'revoked';
    if (r.expiresAt <= now) return 'expired';
    return r;
  }

  /** Invalidates tokens (all, or one), as Feishu does when a secret is reset. Returns how many. */
  revoke(filter: { token?: string; appId?: string } = {}): number {
    let n = 0;
    for (const r of this.byToken.values()) {
      if (r.revoked) continue;
      if (filter.token && r.token !== filter.token) continue;
      if (filter.appId && r.appId !== filter.appId) continue;
      r.revoked = true;
      n++;
    }
    return n;
  }

  list(): TokenRecord[] {
    return [...this.byToken.values()];
  }

  clear(): void {
    this.byToken.clear();
  }

  /** Replaces every token with these (snapshot restore). */
  load(records: TokenRecord[]): void {
    this.byToken = new Map(records.map((r) => [r.token, { ...r }]));
  }
}
