import type { Logger } from '../config/index.js';
import type { Platform } from '../platform/index.js';
import type { AlertsConfig } from './config.js';
import type { Labels } from './matchers.js';

interface UserData {
  open_id?: string;
  user_id?: string;
  name?: string;
  en_name?: string;
  email?: string;
}

const TTL_MS = 10 * 60_000;

/**
 * People, through the directory: open_ids of the emails and user_ids written in the config,
 * names for the card, emails for bindings, and who is on call. Cached for 10 minutes (no
 * polling: a lookup happens when a card or a click needs it).
 */
export class People {
  private readonly cache = new Map<string, { at: number; value: Promise<UserData | undefined> }>();

  constructor(
    private readonly platform: Platform,
    private readonly config: AlertsConfig,
    private readonly logger: Logger,
  ) {}

  private user(key: string, load: () => Promise<UserData | undefined>): Promise<UserData | undefined> {
    const hit = this.cache.get(key);
    if (hit && Date.now() - hit.at < TTL_MS) return hit.value;
    const value = load().catch((err: unknown) => {
      this.logger.warn({ err, person: key }, 'could not look up a person in the directory');
      this.cache.delete(key);
      return undefined;
    });
    this.cache.set(key, { at: Date.now(), value });
    return value;
  }

  private byOpenId(openId: string) {
    return this.user(openId, async () => (await this.platform.request<{ data?: { user?: UserData } }>({ method: 'GET', url: `/open-apis/contact/v3/users/${encodeURIComponent(openId)}`, params: { user_id_type: 'open_id' } })).data?.user);
  }

  /** ou_… stays; an email or user_id is looked up. */
  async openIdOf(person: string): Promise<string | undefined> {
    if (person.startsWith('ou_')) return person;
    if (person.includes('@')) {
      const u = await this.user(`email:${person}`, async () => {
        const res = await this.platform.request<{ data?: { user_list?: { user_id?: string; email?: string }[] } }>({ method: 'POST', url: '/open-apis/contact/v3/users/batch_get_id', params: { user_id_type: 'open_id' }, data: { emails: [person] } });
        const id = res.data?.user_list?.find((x) => x.email === person)?.user_id;
        return id ? { open_id: id } : undefined;
      });
      return u?.open_id;
    }
    const u = await this.user(`user_id:${person}`, async () => (await this.platform.request<{ data?: { user?: UserData } }>({ method: 'GET', url: `/open-apis/contact/v3/users/${encodeURIComponent(person)}`, params: { user_id_type: 'user_id' } })).data?.user);
    return u?.open_id;
  }

  async nameOf(openId: string): Promise<string | undefined> {
    const u = await this.byOpenId(openId);
    return u?.name || u?.en_name || undefined;
  }

  async emailOf(openId: string): Promise<string | undefined> {
    return (await this.byOpenId(openId))?.email || undefined;
  }

  /** The person on call in a schedule at `at` (rotation by shift length from `starts_at`). */
  onCall(schedule: string, at = Date.now()): string | undefined {
    const s = this.config.schedules[schedule];
    if (!s) return undefined;
    const shifts = Math.floor((at - Date.parse(s.starts_at)) / s.shift_ms);
    const i = ((shifts % s.users.length) + s.users.length) % s.users.length;
    return s.users[i];
  }

  /** open_ids for mention entries: people, `schedule:<name>`, `label:<name>` (the person a label names). */
  async resolveAll(entries: string[], labels: Labels): Promise<string[]> {
    const people = entries.map((e) => (e.startsWith('schedule:') ? this.onCall(e.slice(9)) : e.startsWith('label:') ? labels[e.slice(6)] : e)).filter((p): p is string => Boolean(p));
    const ids = await Promise.all(people.map((p) => this.openIdOf(p)));
    return [...new Set(ids.filter((x): x is string => Boolean(x)))];
  }
}
