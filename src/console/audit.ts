import type { Kysely, Migration } from 'kysely';
import { randomBytes } from 'node:crypto';
import type { ConsoleUser } from '../capability/index.js';
import type { Store } from '../store/index.js';

/** One operation done through the console. Times are epoch ms (bigint: PostgreSQL returns strings). */
export interface ConsoleAuditTable {
  id: string;
  at: number | string;
  /** The user id (sso_users.id, or the demo admin's email in the sandbox). */
  who: string;
  who_name: string;
  panel: string;
  action: string;
  /** The request body, secrets blanked, cut to 1,000 characters. */
  input: string;
  /** The action's answer or error, cut to 1,000 characters. */
  result: string;
  ok: number;
}

export interface ConsoleTables {
  console_audit: ConsoleAuditTable;
}

/** The console capability's migrations (stored as `console/<name>`); append only. */
export const consoleMigrations: Record<string, Migration> = {
  '0001_audit': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('console_audit')
        .addColumn('id', 'varchar(32)', (c) => c.primaryKey())
        .addColumn('at', 'bigint', (c) => c.notNull())
        .addColumn('who', 'varchar(255)', (c) => c.notNull())
        .addColumn('who_name', 'varchar(255)', (c) => c.notNull())
        .addColumn('panel', 'varchar(64)', (c) => c.notNull())
        .addColumn('action', 'varchar(64)', (c) => c.notNull())
        .addColumn('input', 'text', (c) => c.notNull())
        .addColumn('result', 'text', (c) => c.notNull())
        .addColumn('ok', 'integer', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('console_audit_at').on('console_audit').column('at').execute();
    },
  },
};

export interface AuditEntry {
  id: string;
  at: number;
  who: string;
  whoName: string;
  panel: string;
  action: string;
  input: string;
  result: string;
  ok: boolean;
}

const SECRET_KEY = /token|secret|password|ticket|encrypt|signature|cookie|authorization/i;

/** A copy of a JSON value with secret-looking keys and the hub's secret values blanked. */
export function blankSecrets(value: unknown, secrets: readonly string[] = []): unknown {
  const walk = (v: unknown, key?: string): unknown => {
    if (key !== undefined && SECRET_KEY.test(key) && v !== null && v !== undefined && v !== '') return '••••••';
    if (typeof v === 'string') return secrets.reduce((s, secret) => (secret && s.includes(secret) ? s.split(secret).join('••••••') : s), v);
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(value);
}

const cut = (s: string, n = 1000) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);

/** The console's audit log: who did what, when, on which panel, with what input and outcome. */
export class AuditLog {
  constructor(
    private readonly store: Store,
    private readonly secrets: readonly string[] = [],
  ) {}

  private get db(): Kysely<ConsoleTables> {
    return this.store.db as unknown as Kysely<ConsoleTables>;
  }

  async record(e: { who: ConsoleUser; panel: string; action: string; input: unknown; result: unknown; ok: boolean }): Promise<AuditEntry> {
    const row: ConsoleAuditTable = {
      id: `aud_${randomBytes(10).toString('hex')}`,
      at: Date.now(),
      who: e.who.id,
      who_name: e.who.name + (e.who.sandbox ? ' (sandbox)' : ''),
      panel: e.panel,
      action: e.action,
      input: cut(JSON.stringify(blankSecrets(e.input ?? null, this.secrets)) ?? 'null'),
      result: cut(typeof e.result === 'string' ? e.result : (JSON.stringify(blankSecrets(e.result ?? null, this.secrets)) ?? 'null')),
      ok: e.ok ? 1 : 0,
    };
    await this.db.insertInto('console_audit').values(row).execute();
    return toEntry(row);
  }

  async recent(limit = 200): Promise<AuditEntry[]> {
    const rows = await this.db.selectFrom('console_audit').selectAll().orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(toEntry);
  }
}

function toEntry(r: ConsoleAuditTable): AuditEntry {
  return { id: r.id, at: Number(r.at), who: r.who, whoName: r.who_name, panel: r.panel, action: r.action, input: r.input, result: r.result, ok: Number(r.ok) === 1 };
}
