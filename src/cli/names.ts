import type { Platform } from '../platform/index.js';

const BATCH = 50; // contact/v3/users/batch takes at most 50 ids

interface UsersBatch {
  data?: { items?: { open_id?: string; name?: string; en_name?: string }[] };
}
interface UserGet {
  data?: { user?: { open_id?: string; name?: string; en_name?: string } };
}

/**
 * Display names for the ids a command prints: people by open_id through the contact API (one batch
 * call per 50 unknown ids, each id looked up once), the app's own bot by `bot/v3/info`. Anything that
 * cannot be resolved (unknown id, no contact permission) keeps its id.
 *
 * @example
 * const names = new Names(platform);
 * await names.load(['ou_1', 'ou_2']);
 * names.user('ou_1') // 'Alice' (or undefined)
 */
export class Names {
  private readonly users = new Map<string, string | null>();
  private botName: Promise<string | undefined> | undefined;

  constructor(private readonly platform: Platform) {}

  /** A name already known (from a message's mentions, say): saves a lookup. */
  remember(openId: string, name: string | undefined): void {
    if (name && !this.users.get(openId)) this.users.set(openId, name);
  }

  /** Looks up the open_ids not known yet. Never throws: what fails stays unresolved. */
  async load(openIds: Iterable<string>): Promise<void> {
    const missing = [...new Set(openIds)].filter((id) => id.startsWith('ou_') && !this.users.has(id));
    for (let i = 0; i < missing.length; i += BATCH) {
      const chunk = missing.slice(i, i + BATCH);
      try {
        const res = await this.platform.request<UsersBatch>({ method: 'GET', url: '/open-apis/contact/v3/users/batch', params: { user_ids: chunk, user_id_type: 'open_id' } });
        for (const u of res.data?.items ?? []) if (u.open_id) this.remember(u.open_id, u.name || u.en_name);
      } catch {
        // One unknown id fails the whole batch: ask one by one (giving up after a few refusals, e.g. no contact scope).
        let refusals = 0;
        for (const id of chunk) {
          if (refusals >= 3) break;
          try {
            const res = await this.platform.request<UserGet>({ method: 'GET', url: `/open-apis/contact/v3/users/${encodeURIComponent(id)}`, params: { user_id_type: 'open_id' } });
            this.remember(id, res.data?.user?.name || res.data?.user?.en_name);
            refusals = 0;
          } catch {
            refusals += 1;
          }
        }
      }
      for (const id of chunk) if (!this.users.has(id)) this.users.set(id, null);
    }
  }

  user(openId: string): string | undefined {
    return this.users.get(openId) ?? undefined;
  }

  /** The name of this app's bot (sender id = our app_id), once per run. */
  async bot(appId: string): Promise<string | undefined> {
    if (appId !== this.platform.appId) return undefined;
    this.botName ??= this.platform
      .request<{ bot?: { app_name?: string } }>({ method: 'GET', url: '/open-apis/bot/v3/info' })
      .then((r) => r.bot?.app_name || undefined)
      .catch(() => undefined);
    return this.botName;
  }
}
