import { sql, type Kysely, type Transaction } from 'kysely';
import type { UserIdType } from './config.js';
import type { DirectoryDepartment, DirectoryUser } from './model.js';
import type { ChangeSink, DirectoryChange } from './store.js';
import type { DirectoryTables } from './tables.js';

/** The mirror table's columns (documented in docs/directory.md). */
export const MIRROR_USER_COLUMNS = ['id', 'open_id', 'union_id', 'user_id', 'name', 'en_name', 'email', 'mobile', 'department_ids', 'primary_department_id', 'leader', 'employee_no', 'job_title', 'status', 'updated_at'] as const;
export const MIRROR_DEPARTMENT_COLUMNS = ['open_department_id', 'department_id', 'name', 'en_name', 'parent_id', 'leader', 'updated_at'] as const;

export interface MirrorOptions {
  table: string;
  departments_table?: string;
  userIdType: UserIdType;
}

/**
 * A copy of the people (and optionally the departments) in tables the user names, kept equal to
 * the store in the same transaction as every change: active people only (a deleted person's row
 * is removed), ids of the configured type in `id` and `leader`.
 */
export class Mirror implements ChangeSink {
  constructor(private readonly o: MirrorOptions) {}

  /** Creates the tables if absent. */
  async ensure(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable(this.o.table)
      .ifNotExists()
      .addColumn('id', 'varchar(128)', (c) => c.primaryKey())
      .addColumn('open_id', 'varchar(64)', (c) => c.notNull())
      .addColumn('union_id', 'varchar(64)')
      .addColumn('user_id', 'varchar(128)')
      .addColumn('name', 'varchar(255)', (c) => c.notNull())
      .addColumn('en_name', 'varchar(255)')
      .addColumn('email', 'varchar(255)')
      .addColumn('mobile', 'varchar(64)')
      .addColumn('department_ids', 'text', (c) => c.notNull())
      .addColumn('primary_department_id', 'varchar(64)')
      .addColumn('leader', 'varchar(128)')
      .addColumn('employee_no', 'varchar(128)')
      .addColumn('job_title', 'varchar(255)')
      .addColumn('status', 'varchar(16)', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .execute();
    if (this.o.departments_table) {
      await db.schema
        .createTable(this.o.departments_table)
        .ifNotExists()
        .addColumn('open_department_id', 'varchar(64)', (c) => c.primaryKey())
        .addColumn('department_id', 'varchar(128)')
        .addColumn('name', 'varchar(255)', (c) => c.notNull())
        .addColumn('en_name', 'varchar(255)')
        .addColumn('parent_id', 'varchar(64)', (c) => c.notNull())
        .addColumn('leader', 'varchar(128)')
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
    }
  }

  /** Replaces the mirror's content with the store's (at start: a mirror added later, or edited by hand). */
  async rebuild(db: Kysely<DirectoryTables>, users: DirectoryUser[], departments: DirectoryDepartment[], leaderIds: Map<string, string>): Promise<void> {
    await db.transaction().execute(async (trx) => {
      const t = trx as unknown as Kysely<any>;
      await t.deleteFrom(this.o.table).execute();
      const rows = users.filter((u) => u.status !== 'deleted').map((u) => this.userRow(u, leaderIds));
      for (let i = 0; i < rows.length; i += 200) await t.insertInto(this.o.table).values(rows.slice(i, i + 200)).execute();
      if (this.o.departments_table) {
        await t.deleteFrom(this.o.departments_table).execute();
        const drows = departments.filter((d) => d.status !== 'deleted').map((d) => this.departmentRow(d, leaderIds));
        for (let i = 0; i < drows.length; i += 200) await t.insertInto(this.o.departments_table).values(drows.slice(i, i + 200)).execute();
      }
    });
  }

  async apply(trx: Transaction<DirectoryTables>, changes: DirectoryChange[]): Promise<void> {
    if (!changes.length) return;
    const t = trx as unknown as Kysely<any>;
    const leaders = new Set<string>();
    for (const c of changes) {
      const l = 'user' in c ? c.user.leader : c.department.leader;
      if (l) leaders.add(l);
    }
    const leaderIds = this.o.userIdType === 'open_id' ? new Map<string, string>() : await idsOf(trx, [...leaders], this.o.userIdType);
    for (const c of changes) {
      if ('user' in c) {
        const prevId = c.previous ? this.idOf(c.previous) : undefined;
        if (prevId) await t.deleteFrom(this.o.table).where('id', '=', prevId).execute();
        await t.deleteFrom(this.o.table).where('open_id', '=', c.user.open_id).execute();
        if (c.type !== 'user.deleted') await t.insertInto(this.o.table).values(this.userRow(c.user, leaderIds)).execute();
        // Rows written before this person was known name them by open_id: now by the configured id.
        const id = this.idOf(c.user);
        if (id !== c.user.open_id && c.type !== 'user.deleted') {
          const stale = [...new Set([c.user.open_id, prevId].filter((x): x is string => !!x && x !== id))];
          await t.updateTable(this.o.table).set({ leader: id }).where('leader', 'in', stale).execute();
          if (this.o.departments_table) await t.updateTable(this.o.departments_table).set({ leader: id }).where('leader', 'in', stale).execute();
        }
      } else if (this.o.departments_table) {
        await t.deleteFrom(this.o.departments_table).where('open_department_id', '=', c.department.open_department_id).execute();
        if (c.type !== 'department.deleted') await t.insertInto(this.o.departments_table).values(this.departmentRow(c.department, leaderIds)).execute();
      }
    }
  }

  private idOf(u: DirectoryUser): string {
    return (this.o.userIdType === 'union_id' ? u.union_id : this.o.userIdType === 'user_id' ? u.user_id : u.open_id) ?? u.open_id;
  }

  private userRow(u: DirectoryUser, leaderIds: Map<string, string>) {
    return {
      id: this.idOf(u),
      open_id: u.open_id,
      union_id: u.union_id ?? null,
      user_id: u.user_id ?? null,
      name: u.name,
      en_name: u.en_name ?? null,
      email: u.email ?? null,
      mobile: u.mobile ?? null,
      department_ids: JSON.stringify(u.department_ids),
      primary_department_id: u.department_ids[0] ?? null,
      leader: u.leader ? (leaderIds.get(u.leader) ?? u.leader) : null,
      employee_no: u.employee_no ?? null,
      job_title: u.job_title ?? null,
      status: u.status,
      updated_at: u.updated_at ?? Date.now(),
    };
  }

  private departmentRow(d: DirectoryDepartment, leaderIds: Map<string, string>) {
    return {
      open_department_id: d.open_department_id,
      department_id: d.department_id ?? null,
      name: d.name,
      en_name: d.en_name ?? null,
      parent_id: d.parent_id,
      leader: d.leader ? (leaderIds.get(d.leader) ?? d.leader) : null,
      updated_at: d.updated_at ?? Date.now(),
    };
  }
}

/** open_id → the id of the configured type, from the store. */
export async function idsOf(db: Kysely<DirectoryTables> | Transaction<DirectoryTables>, openIds: string[], type: UserIdType): Promise<Map<string, string>> {
  const map = new Map<string, string>();
  if (type === 'open_id' || !openIds.length) return map;
  for (let i = 0; i < openIds.length; i += 400) {
    const rows = await db.selectFrom('directory_users').select(['open_id', 'union_id', 'user_id']).where('open_id', 'in', openIds.slice(i, i + 400)).execute();
    for (const r of rows) {
      const v = type === 'union_id' ? r.union_id : r.user_id;
      if (v) map.set(r.open_id, v);
    }
  }
  return map;
}

/** Rows of the mirror table (tests, the status command). */
export async function mirrorCount(db: Kysely<any>, table: string): Promise<number> {
  const { rows } = await sql<{ n: number | string }>`select count(*) as n from ${sql.table(table)}`.execute(db);
  return Number(rows[0]?.n ?? 0);
}
