import { randomUUID } from 'node:crypto';
import type { Logger } from '../config/index.js';
import type { TokenCipher } from './crypto.js';
import { isDeadRefresh, type FeishuOAuth, type TokenSet } from './oauth.js';
import type { SsoDb } from './tables.js';

/** The person must log in again: no refresh token, or Feishu refused it for good. */
export class ReauthRequiredError extends Error {
  readonly code = 'SSO_REAUTH_REQUIRED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ReauthRequiredError';
  }
}

export interface UserTokensOptions {
  refreshAheadMs: number;
  /** A refresher holding the lock longer than this is presumed dead (default 30 s). */
  lockMs?: number;
  /** How long a process waits for another's refresh before giving up (default 20 s). */
  waitMs?: number;
  logger?: Logger;
  now?: () => number;
  /** Called once per refresh this process made (metrics, tests). */
  onRefresh?: (userId: string) => void;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * User tokens (`sso_user_tokens`), encrypted at rest, refreshed ahead of expiry with single flight
 * across processes: the refresh token is single-use, so exactly one process may spend it. That one
 * takes a lock row (`UPDATE … WHERE version = seen AND lock free or stale`, the same statement on
 * SQLite and PostgreSQL); the others wait for the version to move and read the new token.
 */
export class UserTokens {
  private readonly inflight = new Map<string, Promise<string>>();
  private readonly owner = `${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly now: () => number;

  constructor(
    private readonly db: () => SsoDb,
    private readonly cipher: TokenCipher,
    private readonly oauth: () => FeishuOAuth,
    private readonly o: UserTokensOptions,
  ) {
    this.now = o.now ?? Date.now;
  }

  async save(userId: string, t: TokenSet): Promise<void> {
    const now = this.now();
    const values = {
      access_token: this.cipher.seal(t.accessToken, userId),
      refresh_token: t.refreshToken ? this.cipher.seal(t.refreshToken, userId) : null,
      access_expires_at: t.accessExpiresAt,
      refresh_expires_at: t.refreshExpiresAt ?? null,
      scope: t.scope ?? null,
      lock_owner: null,
      lock_until: null,
      updated_at: now,
    };
    await this.db()
      .insertInto('sso_user_tokens')
      .values({ user_id: userId, version: 1, ...values })
      .onConflict((oc) => oc.column('user_id').doUpdateSet((eb) => ({ ...values, version: eb('sso_user_tokens.version', '+', 1) })))
      .execute();
  }

  async forget(userId: string): Promise<void> {
    await this.db().deleteFrom('sso_user_tokens').where('user_id', '=', userId).execute();
  }

  private read(userId: string) {
    return this.db().selectFrom('sso_user_tokens').selectAll().where('user_id', '=', userId).executeTakeFirst();
  }

  /** Decrypted tokens and their expiry (the /me page, tests, the CLI). */
  async peek(userId: string): Promise<(TokenSet & { version: number }) | undefined> {
    const row = await this.read(userId);
    if (!row) return undefined;
    return {
      accessToken: this.cipher.open(row.access_token, userId),
      refreshToken: row.refresh_token ? this.cipher.open(row.refresh_token, userId) : undefined,
      accessExpiresAt: Number(row.access_expires_at),
      refreshExpiresAt: row.refresh_expires_at === null ? undefined : Number(row.refresh_expires_at),
      scope: row.scope ?? undefined,
      version: row.version,
    };
  }

  /** A valid access token: the stored one, or a new one when it expires within refresh_ahead_ms. */
  async accessToken(userId: string): Promise<string> {
    return (await this.current(userId)).token;
  }

  /** The access token and the version of its pair (refresh that version when Feishu refuses it). */
  async current(userId: string): Promise<{ token: string; version?: number }> {
    const row = await this.read(userId);
    if (!row) throw new ReauthRequiredError('no Feishu token for this user: they must log in again');
    if (Number(row.access_expires_at) - this.now() > this.o.refreshAheadMs) return { token: this.cipher.open(row.access_token, userId), version: row.version };
    return { token: await this.refresh(userId, row.version) };
  }

  /**
   * Replaces the pair whose version is `seenVersion` (the token Feishu refused, or the one about to
   * expire); answers the access token of the newer pair, whoever made it.
   */
  refresh(userId: string, seenVersion?: number): Promise<string> {
    const running = this.inflight.get(userId);
    if (running) return running;
    const p = this.refreshAcross(userId, seenVersion).finally(() => this.inflight.delete(userId));
    this.inflight.set(userId, p);
    return p;
  }

  /** The version of the stored pair now (to refresh after a refusal). */
  async version(userId: string): Promise<number | undefined> {
    return (await this.db().selectFrom('sso_user_tokens').select('version').where('user_id', '=', userId).executeTakeFirst())?.version;
  }

  private async refreshAcross(userId: string, seenVersion?: number): Promise<string> {
    const lockMs = this.o.lockMs ?? 30_000;
    const deadline = this.now() + (this.o.waitMs ?? 20_000);
    let seen = seenVersion ?? (await this.version(userId));
    if (seen === undefined) throw new ReauthRequiredError('no Feishu token for this user: they must log in again');
    for (let round = 0; ; round++) {
      const now = this.now();
      const taken = await this.db()
        .updateTable('sso_user_tokens')
        .set({ lock_owner: this.owner, lock_until: now + lockMs })
        .where('user_id', '=', userId)
        .where('version', '=', seen)
        .where((eb) => eb.or([eb('lock_until', 'is', null), eb('lock_until', '<', now)]))
        .executeTakeFirst();
      if (Number(taken.numUpdatedRows) === 1) return this.spend(userId, seen);
      // Someone else refreshes (or did): wait for the version to move, then use their token.
      const row = await this.read(userId);
      if (!row) throw new ReauthRequiredError('the user was logged out while their token was being refreshed');
      if (row.version !== seen) {
        if (Number(row.access_expires_at) > this.now()) return this.cipher.open(row.access_token, userId);
        seen = row.version; // theirs is already stale too (a long wait): refresh it
        continue;
      }
      if (this.now() > deadline) throw new Error(`timed out waiting for another process to refresh the Feishu token of ${userId}`);
      await sleep(Math.min(25 * 2 ** Math.min(round, 3), 200));
    }
  }

  /** Holding the lock: spend the refresh token, store the new pair (version + 1), release. */
  private async spend(userId: string, version: number): Promise<string> {
    const row = (await this.read(userId))!;
    const release = () => this.db().updateTable('sso_user_tokens').set({ lock_owner: null, lock_until: null }).where('user_id', '=', userId).where('lock_owner', '=', this.owner).execute();
    if (!row.refresh_token) {
      await release();
      throw new ReauthRequiredError('the Feishu token expired and there is no refresh token (offline_access not granted): log in again');
    }
    let next: TokenSet;
    try {
      next = await this.oauth().refresh(this.cipher.open(row.refresh_token, userId));
    } catch (err) {
      if (isDeadRefresh(err)) {
        this.o.logger?.info({ user: userId, err }, 'Feishu refused the refresh token; the user must log in again');
        await this.forget(userId);
        throw new ReauthRequiredError('Feishu refused the refresh token: log in again', { cause: err });
      }
      await release();
      throw err;
    }
    const now = this.now();
    await this.db()
      .updateTable('sso_user_tokens')
      .set({
        access_token: this.cipher.seal(next.accessToken, userId),
        refresh_token: next.refreshToken ? this.cipher.seal(next.refreshToken, userId) : row.refresh_token,
        access_expires_at: next.accessExpiresAt,
        refresh_expires_at: next.refreshExpiresAt ?? row.refresh_expires_at,
        scope: next.scope ?? row.scope,
        version: version + 1,
        lock_owner: null,
        lock_until: null,
        updated_at: now,
      })
      .where('user_id', '=', userId)
      .where('version', '=', version)
      .execute();
    this.o.onRefresh?.(userId);
    this.o.logger?.debug({ user: userId, version: version + 1 }, 'refreshed a user token');
    return next.accessToken;
  }
}
