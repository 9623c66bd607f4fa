import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import type { Store } from '../store/index.js';
import { seal, unseal } from './secrets.js';
import type { OidcDb, OidcKeysTable } from './tables.js';

export const SIGNING_ALG = 'RS256';

/** A signing key as `feishu-hub oidc keys` shows it. */
export interface KeyInfo {
  kid: string;
  alg: string;
  /** signing: signs new tokens; published: retired, still in the JWKS; expired: gone from the JWKS. */
  state: 'signing' | 'published' | 'expired';
  createdAt: number;
  activatedAt: number;
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

/**
 * The provider's RS256 signing keys, kept in the hub's database (private parts sealed with a key
 * derived from HUB_SESSION_SECRET). Rotation makes a new key the signer at once and keeps the
 * previous ones in the JWKS for `keepMs` (at least the id_token lifetime), so every token they
 * signed still verifies until it expires.
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

  async list(): Promise<KeyInfo[]> {
    const rows = await this.db.selectFrom('oidc_keys').selectAll().orderBy('activated_at', 'desc').orderBy('kid', 'desc').execute();
    const now = this.now();
    const signer = rows.find((r) => r.retired_at === null)?.kid;
    return rows.map((r) => ({
      kid: r.kid,
      alg: r.alg,
      state: r.kid === signer ? 'signing' : r.retired_at === null || (num(r.publish_until) ?? 0) > now ? 'published' : 'expired',
      createdAt: Number(r.created_at),
      activatedAt: Number(r.activated_at),
      retiredAt: num(r.retired_at),
      publishUntil: num(r.publish_until),
    }));
  }

  /** Makes a key when there is none that signs (first start); returns the signer's kid. */
  async ensure(): Promise<string> {
    const active = await this.db.selectFrom('oidc_keys').select('kid').where('retired_at', 'is', null).orderBy('activated_at', 'desc').orderBy('kid', 'desc').executeTakeFirst();
    if (active) return active.kid;
    return (await this.insertNew()).kid;
  }

  /** A new key becomes the signer; the previous signers stay published for `keepMs`. */
  async rotate(): Promise<KeyInfo> {
    const now = this.now();
    const fresh = await this.newKeyRow(now);
    await this.db.transaction().execute(async (trx) => {
      await trx.updateTable('oidc_keys').set({ retired_at: now, publish_until: now + this.options.keepMs }).where('retired_at', 'is', null).execute();
      await trx.insertInto('oidc_keys').values(fresh).execute();
    });
    return (await this.list()).find((k) => k.kid === fresh.kid)!;
  }

  /** Rotates when the signer is older than `everyMs`; returns the new key if it did. */
  async rotateIfDue(everyMs: number): Promise<KeyInfo | undefined> {
    const signer = (await this.list()).find((k) => k.state === 'signing');
    if (signer && this.now() - signer.activatedAt < everyMs) return undefined;
    if (!signer) {
      await this.ensure();
      return (await this.list()).find((k) => k.state === 'signing');
    }
    return this.rotate();
  }

  /** Deletes keys that left the JWKS more than a day ago; returns how many. */
  async prune(): Promise<number> {
    const r = await this.db.deleteFrom('oidc_keys').where('publish_until', 'is not', null).where('publish_until', '<', this.now() - 86_400_000).executeTakeFirst();
    return Number(r.numDeletedRows ?? 0);
  }

  /** The keys the JWKS publishes right now, signer first; a cheap fingerprint tells when they changed. */
  async published(): Promise<PublishedKeys> {
    const now = this.now();
    const rows = await this.db
      .selectFrom('oidc_keys')
      .selectAll()
      .where((eb) => eb.or([eb('retired_at', 'is', null), eb('publish_until', '>', now)]))
      .orderBy('activated_at', 'desc')
      .orderBy('kid', 'desc')
      .execute();
    const active = rows.filter((r) => r.retired_at === null);
    const ordered = [...active.slice(0, 1), ...rows.filter((r) => r !== active[0])];
    if (!active.length) throw new Error('no OIDC signing key: the hub makes one at start (or run `feishu-hub oidc rotate`)');
    // A retired key sealed under an older HUB_SESSION_SECRET is left out; the signer must open.
    const keys = [this.open(ordered[0]), ...ordered.slice(1).flatMap((r) => this.tryOpen(r))];
    return { fingerprint: ordered.map((r) => r.kid).join(','), keys, signer: active[0].kid };
  }

  /** Just the fingerprint (one small query per OIDC request). */
  async fingerprint(): Promise<string> {
    const now = this.now();
    const rows = await this.db
      .selectFrom('oidc_keys')
      .select(['kid', 'retired_at'])
      .where((eb) => eb.or([eb('retired_at', 'is', null), eb('publish_until', '>', now)]))
      .orderBy('activated_at', 'desc')
      .orderBy('kid', 'desc')
      .execute();
    const signer = rows.find((r) => r.retired_at === null);
    return [...(signer ? [signer] : []), ...rows.filter((r) => r !== signer)].map((r) => r.kid).join(',');
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
      throw new Error(`OIDC signing key ${row.kid} cannot be decrypted: HUB_SESSION_SECRET changed since it was made. Run \`feishu-hub oidc rotate\` with the current secret (tokens signed before stay valid only with the old secret)`);
    }
  }

  private async insertNew(): Promise<KeyInfo> {
    const row = await this.newKeyRow(this.now());
    await this.db.insertInto('oidc_keys').values(row).execute();
    return (await this.list()).find((k) => k.kid === row.kid)!;
  }

  private async newKeyRow(now: number): Promise<OidcKeysTable> {
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
      activated_at: now,
      retired_at: null,
      publish_until: null,
    };
  }
}
