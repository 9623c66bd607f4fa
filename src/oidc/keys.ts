import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Store } from '../store/index.js';
import { seal, unseal } from './secrets.js';
import type { OidcDb, OidcKeysTable } from './tables.js';

export const SIGNING_ALG = 'RS256';

/** A signing key as `feishu-hub oidc keys` shows it. */
export interface KeyInfo {
  kid: string;
  alg: string;
  /**
   * signing: signs new tokens; next: published ahead (relying parties cache the JWKS), signs at the
   * next rotation; published: retired, still in the JWKS for the tokens it signed; expired: gone.
   */
  state: 'signing' | 'next' | 'published' | 'expired';
  createdAt: number;
  activatedAt?: number;
  retiredAt?: number;
  publishUntil?: number;
}

export interface PublishedKeys {
  /** Changes whenever the set of keys (or the signer) does. */
  fingerprint: string;
  /** Private JWKs for oidc-provider, the signer first (it signs with the first RS256 key). */
  keys: JWK[];
  signer: string;
}

const num = (v: number | string | null | undefined) => (v === null || v === undefined ? undefined : Number(v));

/** Newest signer first, then the next key, then retired ones by age. */
function ordered<R extends Pick<OidcKeysTable, 'kid' | 'activated_at' | 'retired_at' | 'created_at'>>(rows: R[]): R[] {
  const rank = (r: R) => (r.retired_at === null ? (r.activated_at === null ? 1 : 0) : 2);
  return [...rows].sort((a, b) => rank(a) - rank(b) || Number(b.activated_at ?? b.created_at) - Number(a.activated_at ?? a.created_at) || (a.kid < b.kid ? 1 : -1));
}

/**
 * The provider's RS256 signing keys, kept in the hub's database (private parts sealed with a key
 * derived from HUB_SESSION_SECRET). A rotation makes the next key the signer (a new one if none was
 * published ahead) and keeps the previous ones in the JWKS for `keepMs` (at least the id_token
 * lifetime), so every token they signed still verifies until it expires.
 */
export class SigningKeys {
  private readonly db: OidcDb;

  constructor(
    store: Store,
    private readonly secret: string,
    private readonly options: { keepMs: number; now?: () => number },
  ) {
    this.db = store.db as unknown as OidcDb;
  }

  private now(): number {
    return (this.options.now ?? Date.now)();
  }

  private rows() {
    return this.db.selectFrom('oidc_keys').selectAll().execute();
  }

  async list(): Promise<KeyInfo[]> {
    const now = this.now();
    return ordered(await this.rows()).map((r, i) => ({
      kid: r.kid,
      alg: r.alg,
      state: r.retired_at === null ? (r.activated_at === null ? 'next' : i === 0 ? 'signing' : 'published') : (num(r.publish_until) ?? 0) > now ? 'published' : 'expired',
      createdAt: Number(r.created_at),
      activatedAt: num(r.activated_at),
      retiredAt: num(r.retired_at),
      publishUntil: num(r.publish_until),
    }));
  }

  /** Makes sure a key signs (first start: a new one, or the next one if published); returns its kid. */
  async ensure(): Promise<string> {
    const signer = (await this.list()).find((k) => k.state === 'signing');
    return signer ? signer.kid : (await this.rotate()).kid;
  }

  /**
   * Rotates now: the next key (published ahead) or else a new one becomes the signer; the previous
   * signers stay published for `keepMs`.
   */
  async rotate(): Promise<KeyInfo> {
    const now = this.now();
    const next = (await this.list()).find((k) => k.state === 'next');
    const fresh = next ? undefined : await this.newKeyRow(now, now);
    const kid = next?.kid ?? fresh!.kid;
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('oidc_keys').set({ retired_at: now, publish_until: now + this.options.keepMs }).where('retired_at', 'is', null).where('activated_at', 'is not', null).execute();
      if (fresh) await trx.insertInto('oidc_keys').values(fresh).execute();
      else await trx.updateTable('oidc_keys').set({ activated_at: now }).where('kid', '=', kid).execute();
    });
    return (await this.list()).find((k) => k.kid === kid)!;
  }

  /** Publishes a next key ahead of its rotation (relying parties see it in the JWKS before it signs). */
  async prepareNext(): Promise<KeyInfo> {
    const next = (await this.list()).find((k) => k.state === 'next');
    if (next) return next;
    const row = await this.newKeyRow(this.now(), null);
    await this.db.insertInto('oidc_keys').values(row).execute();
    return (await this.list()).find((k) => k.kid === row.kid)!;
  }

  /**
   * The rotation job: `aheadMs` before the signer is `everyMs` old a next key is published; once it
   * has been published `aheadMs` and the signer is due, it signs. Returns what it did.
   */
  async tick(everyMs: number, aheadMs: number): Promise<{ prepared?: KeyInfo; rotated?: KeyInfo }> {
    const keys = await this.list();
    const signer = keys.find((k) => k.state === 'signing');
    if (!signer) return { rotated: await this.rotate() };
    const age = this.now() - (signer.activatedAt ?? signer.createdAt);
    const next = keys.find((k) => k.state === 'next');
    if (!next) return age >= everyMs - aheadMs ? { prepared: await this.prepareNext() } : {};
    if (age >= everyMs && this.now() - next.createdAt >= aheadMs) return { rotated: await this.rotate() };
    return {};
  }

  /** Deletes keys that left the JWKS more than a day ago; returns how many. */
  async prune(): Promise<number> {
    const r = await this.db.deleteFrom('oidc_keys').where('publish_until', 'is not', null).where('publish_until', '<', this.now() - 86_400_000).executeTakeFirst();
    return Number(r.numDeletedRows ?? 0);
  }

  private async publishedRows() {
    const now = this.now();
    const rows = await this.db
      .selectFrom('oidc_keys')
      .selectAll()
      .where((eb) => eb.or([eb('retired_at', 'is', null), eb('publish_until', '>', now)]))
      .execute();
    const sorted = ordered(rows);
    if (!sorted.length || sorted[0].retired_at !== null || sorted[0].activated_at === null) throw new Error('no OIDC signing key: the hub makes one at start (or run `feishu-hub oidc rotate`)');
    return sorted;
  }

  /** The keys the JWKS publishes right now, signer first; a cheap fingerprint tells when they changed. */
  async published(): Promise<PublishedKeys> {
    const rows = await this.publishedRows();
    // A retired key sealed under an older HUB_SESSION_SECRET is left out; the signer must open.
    const keys = [this.open(rows[0]), ...rows.slice(1).flatMap((r) => this.tryOpen(r))];
    return { fingerprint: rows.map((r) => r.kid).join(','), keys, signer: rows[0].kid };
  }

  /** Just the fingerprint (one small query per OIDC request). */
  async fingerprint(): Promise<string> {
    const now = this.now();
    const rows = await this.db
      .selectFrom('oidc_keys')
      .select(['kid', 'activated_at', 'retired_at', 'created_at'])
      .where((eb) => eb.or([eb('retired_at', 'is', null), eb('publish_until', '>', now)]))
      .execute();
    return ordered(rows).map((r) => r.kid).join(',');
  }

  private tryOpen(row: OidcKeysTable): JWK[] {
    try {
      return [this.open(row)];
    } catch {
      return [];
    }
  }

  private open(row: OidcKeysTable): JWK {
    try {
      return JSON.parse(unseal(this.secret, row.private_jwk)) as JWK;
    } catch {
      throw new Error(`OIDC signing key ${row.kid} cannot be decrypted: HUB_SESSION_SECRET changed since it was made; run \`feishu-hub oidc rotate\` with the current secret (apps will need their users to log in again)`);
    }
  }

  private async newKeyRow(now: number, activatedAt: number | null): Promise<OidcKeysTable> {
    const { privateKey, publicKey } = await generateKeyPair(SIGNING_ALG, { modulusLength: 2048, extractable: true });
    const pub = await exportJWK(publicKey);
    const kid = await calculateJwkThumbprint(pub);
    const meta = { kid, alg: SIGNING_ALG, use: 'sig' };
    return {
      kid,
      alg: SIGNING_ALG,
      public_jwk: JSON.stringify({ ...pub, ...meta }),
      private_jwk: seal(this.secret, JSON.stringify({ ...(await exportJWK(privateKey)), ...meta })),
      created_at: now,
      activated_at: activatedAt,
      retired_at: null,
      publish_until: null,
    };
  }
}
