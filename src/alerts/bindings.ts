import { randomUUID } from 'node:crypto';
import type { Store } from '../store/index.js';
import type { AlertsConfig } from './config.js';
import type { People } from './people.js';
import type { AlertDb } from './tables.js';
import type { AccountsApi } from '../sso/index.js';

/** The part of the hub's account binding service (hub.accounts, the sso capability) alerts uses, when the hub has it. */
export type AlertAccounts = Pick<AccountsApi, 'bind' | 'systemUserOf'>;

/**
 * Who a Feishu user is in the alerting system: from the alerts config, from the hub's account
 * bindings (hub.accounts: sso.bindings, logins, `feishu-hub accounts bind`), from the directory by
 * email (`by_email`), or bound by themselves with `/bind <id>` (which hub.accounts learns too).
 * Actions of unbound users are held (when binding is required) and applied once they bind.
 */
export class Bindings {
  constructor(
    private readonly store: Store,
    private readonly config: AlertsConfig,
    private readonly people: People,
    private readonly accounts?: AlertAccounts,
  ) {}

  private get db(): AlertDb {
    return this.store.db as unknown as AlertDb;
  }

  get required(): boolean {
    return this.config.bindings.required;
  }

  /** How to bind, for the toast and /bind's answer. */
  get howTo(): string {
    return `send "/bind <your id in the alerting system>" to the bot${this.config.bindings.help_url ? ` (${this.config.bindings.help_url})` : ''}`;
  }

  /** Writes the config's bindings (each start; a person the directory does not know is reported). */
  async seed(): Promise<string[]> {
    const unknown: string[] = [];
    for (const b of this.config.bindings.users) {
      const openId = await this.people.openIdOf(b.feishu);
      if (!openId) {
        unknown.push(b.feishu);
        continue;
      }
      await this.upsert(openId, b.user, 'config');
      await this.accounts?.bind({ feishu: openId, system: b.user, source: 'config' });
    }
    return unknown;
  }

  private async upsert(openId: string, user: string, via: string): Promise<void> {
    await this.db
      .insertInto('alert_bindings')
      .values({ open_id: openId, user, via, created_at: Date.now() })
      .onConflict((oc) => oc.column('open_id').doUpdateSet({ user, via }))
      .execute();
  }

  async userOf(openId: string): Promise<string | undefined> {
    const row = await this.db.selectFrom('alert_bindings').select('user').where('open_id', '=', openId).executeTakeFirst();
    if (row) return row.user;
    const bound = await this.accounts?.systemUserOf(openId, { directory: false });
    if (bound) return bound;
    if (!this.config.bindings.by_email) return undefined;
    const email = await this.people.emailOf(openId);
    if (!email) return undefined;
    await this.upsert(openId, email, 'email');
    return email;
  }

  async bind(openId: string, user: string): Promise<void> {
    await this.upsert(openId, user, 'self');
    await this.accounts?.bind({ feishu: openId, system: user, source: 'self' });
  }

  async list(): Promise<{ openId: string; user: string; via: string }[]> {
    return (await this.db.selectFrom('alert_bindings').selectAll().orderBy('created_at').execute()).map((r) => ({ openId: r.open_id, user: r.user, via: r.via }));
  }

  async hold(openId: string, incidentId: string, action: string, arg?: string): Promise<void> {
    await this.db
      .insertInto('alert_held_actions')
      .values({ id: `${openId}:${incidentId}:${action}`.slice(0, 120) || randomUUID(), open_id: openId, incident_id: incidentId, action, arg: arg ?? null, created_at: Date.now() })
      .onConflict((oc) => oc.column('id').doUpdateSet({ arg: arg ?? null, created_at: Date.now() }))
      .execute();
  }

  /** The user's held actions (oldest first), removed from the table. */
  async takeHeld(openId: string): Promise<{ incidentId: string; action: string; arg?: string }[]> {
    const rows = await this.db.selectFrom('alert_held_actions').selectAll().where('open_id', '=', openId).orderBy('created_at').execute();
    if (rows.length) await this.db.deleteFrom('alert_held_actions').where('id', 'in', rows.map((r) => r.id)).execute();
    return rows.map((r) => ({ incidentId: r.incident_id, action: r.action, arg: r.arg ?? undefined }));
  }
}
