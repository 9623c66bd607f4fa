import { sql, type Transaction } from 'kysely';
import type { Store } from '../store/index.js';
import { changedFields, DEPARTMENT_FIELDS, USER_FIELDS, type DirectoryDepartment, type DirectoryUser } from './model.js';
import type { DirectoryDb, DirectoryDepartmentsTable, DirectoryTables, DirectoryUsersTable } from './tables.js';

export type ChangeSource = 'event' | 'sync' | 'reconcile';
export type DirectoryEventName = 'user.created' | 'user.updated' | 'user.deleted' | 'department.created' | 'department.updated' | 'department.deleted';

/** A change to a person: what `user.*` hooks get. `changes`: the fields that differ (updates). */
export interface UserChange {
  type: 'user.created' | 'user.updated' | 'user.deleted';
  source: ChangeSource;
  user: DirectoryUser;
  previous?: DirectoryUser;
  changes: string[];
}
/** A change to a department: what `department.*` hooks get. */
export interface DepartmentChange {
  type: 'department.created' | 'department.updated' | 'department.deleted';
  source: ChangeSource;
  department: DirectoryDepartment;
  previous?: DirectoryDepartment;
  changes: string[];
}
/** One change the store applied. */
export type DirectoryChange = UserChange | DepartmentChange;
/** The change type a hook of that event gets. */
export type ChangeOf<E extends DirectoryEventName> = E extends `user.${string}` ? UserChange : DepartmentChange;

/** Writes inside the same transaction as the store's (the mirror table). */
export interface ChangeSink {
  apply(trx: Transaction<DirectoryTables>, changes: DirectoryChange[]): Promise<void>;
}

const CHUNK = 400;
const chunks = <T>(a: T[], n = CHUNK) => Array.from({ length: Math.ceil(a.length / n) }, (_, i) => a.slice(i * n, i * n + n));
const opt = (v: string | null | undefined) => (v === null || v === undefined || v === '' ? undefined : v);

export function userFromRow(r: DirectoryUsersTable): DirectoryUser {
  const u: DirectoryUser = {
    open_id: r.open_id,
    union_id: opt(r.union_id),
    user_id: opt(r.user_id),
    name: r.name,
    en_name: opt(r.en_name),
    email: opt(r.email),
    mobile: opt(r.mobile),
    department_ids: JSON.parse(r.department_ids) as string[],
    leader: opt(r.leader),
    employee_no: opt(r.employee_no),
    job_title: opt(r.job_title),
    status: r.status,
    raw: JSON.parse(r.raw) as Record<string, unknown>,
    updated_at: Number(r.updated_at),
  };
  for (const k of Object.keys(u) as (keyof DirectoryUser)[]) if (u[k] === undefined) delete u[k];
  return u;
}

export function departmentFromRow(r: DirectoryDepartmentsTable): DirectoryDepartment {
  const d: DirectoryDepartment = {
    open_department_id: r.open_department_id,
    department_id: opt(r.department_id),
    name: r.name,
    en_name: opt(r.en_name),
    parent_id: r.parent_id,
    leader: opt(r.leader),
    status: r.status,
    raw: JSON.parse(r.raw) as Record<string, unknown>,
    updated_at: Number(r.updated_at),
  };
  for (const k of Object.keys(d) as (keyof DirectoryDepartment)[]) if (d[k] === undefined) delete d[k];
  return d;
}

function userRow(u: DirectoryUser, sourceTime: number, seenRun: string | null, now: number): DirectoryUsersTable {
  return {
    open_id: u.open_id,
    union_id: u.union_id ?? null,
    user_id: u.user_id ?? null,
    name: u.name,
    en_name: u.en_name ?? null,
    email: u.email ?? null,
    mobile: u.mobile ?? null,
    department_ids: JSON.stringify(u.department_ids),
    leader: u.leader ?? null,
    employee_no: u.employee_no ?? null,
    job_title: u.job_title ?? null,
    status: u.status,
    raw: JSON.stringify(u.raw),
    source_time: sourceTime,
    seen_run: seenRun,
    updated_at: now,
  };
}

function departmentRow(d: DirectoryDepartment, sourceTime: number, seenRun: string | null, now: number): DirectoryDepartmentsTable {
  return {
    open_department_id: d.open_department_id,
    department_id: d.department_id ?? null,
    name: d.name,
    en_name: d.en_name ?? null,
    parent_id: d.parent_id,
    leader: d.leader ?? null,
    status: d.status,
    raw: JSON.stringify(d.raw),
    source_time: sourceTime,
    seen_run: seenRun,
    updated_at: now,
  };
}

export interface ApplyOptions {
  source: ChangeSource;
  /** When the data was true at Feishu (epoch ms): a row holding newer data is left alone. */
  sourceTime: number;
  /** The full-sync run that saw these rows. */
  runId?: string;
}

/**
 * The synced directory: order-safe upserts and deletes (a row remembers when its data was true
 * at Feishu — the event's create_time or the time its page was requested — and older news never
 * overwrites it; deletes leave a tombstone so a late `created` cannot bring someone back).
 * Every write returns the changes it made, exactly once per change; the sink (the mirror)
 * writes in the same transaction.
 */
export class DirectoryStore {
  readonly db: DirectoryDb;
  constructor(readonly store: Store, private readonly sink?: ChangeSink) {
    this.db = store.db as unknown as DirectoryDb;
  }

  // ---- reads ----

  async user(id: string): Promise<DirectoryUser | undefined> {
    const col = id.startsWith('ou_') ? 'open_id' : id.startsWith('on_') ? 'union_id' : 'user_id';
    let row = await this.db.selectFrom('directory_users').selectAll().where(col, '=', id).where('status', '!=', 'deleted').executeTakeFirst();
    if (!row && col !== 'user_id') row = await this.db.selectFrom('directory_users').selectAll().where('user_id', '=', id).where('status', '!=', 'deleted').executeTakeFirst();
    return row && userFromRow(row);
  }

  /** Any row, deleted ones too. */
  async userRecord(openId: string): Promise<DirectoryUser | undefined> {
    const row = await this.db.selectFrom('directory_users').selectAll().where('open_id', '=', openId).executeTakeFirst();
    return row && userFromRow(row);
  }

  /** People by email (exact, case-insensitive) or by name / English name (contains, case-insensitive). */
  async find(q: string, limit = 50): Promise<DirectoryUser[]> {
    const needle = q.trim().toLowerCase();
    if (!needle) return [];
    const like = `%${needle.replace(/[%_\\]/g, (c) => `\\${c}`)}%`;
    const rows = await this.db
      .selectFrom('directory_users')
      .selectAll()
      .where('status', '!=', 'deleted')
      .where((eb) =>
        eb.or([
          eb(eb.fn('lower', ['email']), '=', needle),
          sql<boolean>`lower(name) like ${like} escape '\\'`,
          sql<boolean>`lower(en_name) like ${like} escape '\\'`,
          eb('user_id', '=', q.trim()),
          eb('open_id', '=', q.trim()),
          eb('employee_no', '=', q.trim()),
        ]),
      )
      .orderBy('name')
      .limit(limit)
      .execute();
    // Exact email matches first.
    return rows.map(userFromRow).sort((a, b) => Number(b.email?.toLowerCase() === needle) - Number(a.email?.toLowerCase() === needle));
  }

  async department(id: string): Promise<DirectoryDepartment | undefined> {
    const row = await this.db
      .selectFrom('directory_departments')
      .selectAll()
      .where((eb) => eb.or([eb('open_department_id', '=', id), eb('department_id', '=', id)]))
      .where('status', '!=', 'deleted')
      .executeTakeFirst();
    return row && departmentFromRow(row);
  }

  async users(o: { includeDeleted?: boolean } = {}): Promise<DirectoryUser[]> {
    let q = this.db.selectFrom('directory_users').selectAll();
    if (!o.includeDeleted) q = q.where('status', '!=', 'deleted');
    return (await q.orderBy('open_id').execute()).map(userFromRow);
  }

  async departments(o: { includeDeleted?: boolean } = {}): Promise<DirectoryDepartment[]> {
    let q = this.db.selectFrom('directory_departments').selectAll();
    if (!o.includeDeleted) q = q.where('status', '!=', 'deleted');
    return (await q.orderBy('open_department_id').execute()).map(departmentFromRow);
  }

  /** The people directly in a department. */
  async members(departmentOpenId: string): Promise<DirectoryUser[]> {
    return (await this.users()).filter((u) => u.department_ids.includes(departmentOpenId));
  }

  async counts(): Promise<{ users: number; departments: number; deleted_users: number; deleted_departments: number }> {
    const u = await this.db.selectFrom('directory_users').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
    const d = await this.db.selectFrom('directory_departments').select(['status', (eb) => eb.fn.countAll<number>().as('n')]).groupBy('status').execute();
    const sum = (rows: { status: string; n: number | string | bigint }[], deleted: boolean) => rows.filter((r) => (r.status === 'deleted') === deleted).reduce((s, r) => s + Number(r.n), 0);
    return { users: sum(u, false), departments: sum(d, false), deleted_users: sum(u, true), deleted_departments: sum(d, true) };
  }

  // ---- writes ----

  /** Upserts users; answers the changes made (none for data already there or older than the row's). */
  async applyUsers(users: DirectoryUser[], o: ApplyOptions): Promise<DirectoryChange[]> {
    if (!users.length) return [];
    return this.write(async (trx) => {
      await this.resolveIds(trx, users);
      const existing = new Map<string, DirectoryUsersTable>();
      for (const part of chunks(users.map((u) => u.open_id))) {
        for (const r of await trx.selectFrom('directory_users').selectAll().where('open_id', 'in', part).execute()) existing.set(r.open_id, r);
      }
      const now = Date.now();
      const changes: DirectoryChange[] = [];
      const touch: string[] = [];
      for (const u of users) {
        const row = existing.get(u.open_id);
        if (row && Number(row.source_time) > o.sourceTime) {
          touch.push(u.open_id); // newer data is there; still seen by this run
          continue;
        }
        const previous = row && userFromRow(row);
        const diff = changedFields(previous, u, USER_FIELDS);
        if (row && diff.length === 0) {
          touch.push(u.open_id);
          continue;
        }
        const values = userRow(u, o.sourceTime, o.runId ?? row?.seen_run ?? null, now);
        const { open_id: _k, ...set } = values;
        // Conditional, so a newer write by another replica in between is never overwritten.
        const wrote = await trx
          .insertInto('directory_users')
          .values(values)
          .onConflict((oc) => oc.column('open_id').doUpdateSet(set).where('directory_users.source_time', '<=', o.sourceTime))
          .returning('open_id')
          .executeTakeFirst();
        if (!wrote) continue;
        const revived = !previous || previous.status === 'deleted';
        const type = u.status === 'deleted' ? 'user.deleted' : revived ? 'user.created' : 'user.updated';
        if (u.status === 'deleted' && (!previous || previous.status === 'deleted')) continue;
        changes.push({ type, source: o.source, user: { ...u, updated_at: now }, previous: revived ? undefined : previous, changes: revived ? [] : diff });
      }
      await this.touchUsers(trx, touch, o);
      await this.sink?.apply(trx, changes);
      return changes;
    });
  }

  /** Marks a user deleted (a tombstone when unknown, so a late `created` stays out). */
  async deleteUser(openId: string, o: ApplyOptions, raw?: Record<string, unknown>): Promise<DirectoryChange[]> {
    return this.write(async (trx) => {
      const row = await trx.selectFrom('directory_users').selectAll().where('open_id', '=', openId).executeTakeFirst();
      if (row && Number(row.source_time) > o.sourceTime) return [];
      const now = Date.now();
      if (!row) {
        const tomb: DirectoryUser = { open_id: openId, name: String(raw?.name ?? ''), department_ids: [], status: 'deleted', raw: raw ?? {} };
        await trx.insertInto('directory_users').values(userRow(tomb, o.sourceTime, null, now)).execute();
        return [];
      }
      if (row.status === 'deleted') {
        await trx.updateTable('directory_users').set({ source_time: o.sourceTime }).where('open_id', '=', openId).execute();
        return [];
      }
      const previous = userFromRow(row);
      await trx.updateTable('directory_users').set({ status: 'deleted', source_time: o.sourceTime, updated_at: now }).where('open_id', '=', openId).execute();
      const changes: DirectoryChange[] = [{ type: 'user.deleted', source: o.source, user: { ...previous, status: 'deleted', updated_at: now }, previous, changes: ['status'] }];
      await this.sink?.apply(trx, changes);
      return changes;
    });
  }

  async applyDepartments(departments: DirectoryDepartment[], o: ApplyOptions): Promise<DirectoryChange[]> {
    if (!departments.length) return [];
    return this.write(async (trx) => {
      await this.resolveDepartmentIds(trx, departments);
      const existing = new Map<string, DirectoryDepartmentsTable>();
      for (const part of chunks(departments.map((d) => d.open_department_id))) {
        for (const r of await trx.selectFrom('directory_departments').selectAll().where('open_department_id', 'in', part).execute()) existing.set(r.open_department_id, r);
      }
      const now = Date.now();
      const changes: DirectoryChange[] = [];
      const touch: string[] = [];
      for (const d of departments) {
        const row = existing.get(d.open_department_id);
        if (row && Number(row.source_time) > o.sourceTime) {
          touch.push(d.open_department_id);
          continue;
        }
        const previous = row && departmentFromRow(row);
        const diff = changedFields(previous, d, DEPARTMENT_FIELDS);
        if (row && diff.length === 0) {
          touch.push(d.open_department_id);
          continue;
        }
        const values = departmentRow(d, o.sourceTime, o.runId ?? row?.seen_run ?? null, now);
        const { open_department_id: _k, ...set } = values;
        const wrote = await trx
          .insertInto('directory_departments')
          .values(values)
          .onConflict((oc) => oc.column('open_department_id').doUpdateSet(set).where('directory_departments.source_time', '<=', o.sourceTime))
          .returning('open_department_id')
          .executeTakeFirst();
        if (!wrote) continue;
        const revived = !previous || previous.status === 'deleted';
        if (d.status === 'deleted' && revived) continue;
        const type = d.status === 'deleted' ? 'department.deleted' : revived ? 'department.created' : 'department.updated';
        changes.push({ type, source: o.source, department: { ...d, updated_at: now }, previous: revived ? undefined : previous, changes: revived ? [] : diff });
      }
      if (touch.length) {
        for (const part of chunks(touch)) {
          let q = trx.updateTable('directory_departments').where('open_department_id', 'in', part);
          if (o.runId) await q.set({ seen_run: o.runId }).execute();
          q = trx.updateTable('directory_departments').where('open_department_id', 'in', part).where('source_time', '<', o.sourceTime);
          await q.set({ source_time: o.sourceTime }).execute();
        }
      }
      await this.sink?.apply(trx, changes);
      return changes;
    });
  }

  async deleteDepartment(id: string, o: ApplyOptions, raw?: Record<string, unknown>): Promise<DirectoryChange[]> {
    return this.write(async (trx) => {
      const row = await trx.selectFrom('directory_departments').selectAll().where((eb) => eb.or([eb('open_department_id', '=', id), eb('department_id', '=', id)])).executeTakeFirst();
      if (row && Number(row.source_time) > o.sourceTime) return [];
      const now = Date.now();
      if (!row) {
        if (!id.startsWith('od-')) return [];
        const tomb: DirectoryDepartment = { open_department_id: id, name: String(raw?.name ?? ''), parent_id: '0', status: 'deleted', raw: raw ?? {} };
        await trx.insertInto('directory_departments').values(departmentRow(tomb, o.sourceTime, null, now)).execute();
        return [];
      }
      if (row.status === 'deleted') return [];
      const previous = departmentFromRow(row);
      await trx.updateTable('directory_departments').set({ status: 'deleted', source_time: o.sourceTime, updated_at: now }).where('open_department_id', '=', row.open_department_id).execute();
      const changes: DirectoryChange[] = [{ type: 'department.deleted', source: o.source, department: { ...previous, status: 'deleted', updated_at: now }, previous, changes: ['status'] }];
      await this.sink?.apply(trx, changes);
      return changes;
    });
  }

  /** Marks deleted what a finished full run did not see and nothing newer touched: gone from Feishu. */
  async deleteUnseen(runId: string, runStartedAt: number, source: ChangeSource): Promise<DirectoryChange[]> {
    const gone = await this.db
      .selectFrom('directory_users')
      .select('open_id')
      .where('status', '!=', 'deleted')
      .where((eb) => eb.or([eb('seen_run', 'is', null), eb('seen_run', '!=', runId)]))
      .where('source_time', '<', runStartedAt)
      .execute();
    const goneDepts = await this.db
      .selectFrom('directory_departments')
      .select('open_department_id')
      .where('status', '!=', 'deleted')
      .where((eb) => eb.or([eb('seen_run', 'is', null), eb('seen_run', '!=', runId)]))
      .where('source_time', '<', runStartedAt)
      .execute();
    const changes: DirectoryChange[] = [];
    for (const { open_id } of gone) changes.push(...(await this.deleteUser(open_id, { source, sourceTime: runStartedAt })));
    for (const { open_department_id } of goneDepts) changes.push(...(await this.deleteDepartment(open_department_id, { source, sourceTime: runStartedAt })));
    return changes;
  }

  private async touchUsers(trx: Transaction<DirectoryTables>, ids: string[], o: ApplyOptions): Promise<void> {
    for (const part of chunks(ids)) {
      if (o.runId) await trx.updateTable('directory_users').set({ seen_run: o.runId }).where('open_id', 'in', part).execute();
      await trx.updateTable('directory_users').set({ source_time: o.sourceTime }).where('open_id', 'in', part).where('source_time', '<', o.sourceTime).execute();
    }
  }

  /** Custom department ids and user_ids (an event may carry them) become open ids. */
  private async resolveIds(trx: Transaction<DirectoryTables>, users: DirectoryUser[]): Promise<void> {
    const deptKeys = [...new Set(users.flatMap((u) => u.department_ids).filter((d) => d !== '0' && !d.startsWith('od-')))];
    const deptMap = new Map<string, string>();
    for (const part of chunks(deptKeys)) {
      for (const r of await trx.selectFrom('directory_departments').select(['open_department_id', 'department_id']).where('department_id', 'in', part).execute()) deptMap.set(r.department_id!, r.open_department_id);
    }
    const leaders = [...new Set(users.map((u) => u.leader).filter((l): l is string => !!l && !l.startsWith('ou_')))];
    const leaderMap = await this.openIdsOf(trx, leaders);
    for (const u of users) {
      if (deptMap.size) u.department_ids = u.department_ids.map((d) => deptMap.get(d) ?? d);
      if (u.leader && leaderMap.has(u.leader)) u.leader = leaderMap.get(u.leader);
    }
  }

  private async resolveDepartmentIds(trx: Transaction<DirectoryTables>, depts: DirectoryDepartment[]): Promise<void> {
    const parents = [...new Set(depts.map((d) => d.parent_id).filter((p) => p !== '0' && !p.startsWith('od-')))];
    const map = new Map<string, string>();
    for (const d of depts) if (d.department_id) map.set(d.department_id, d.open_department_id);
    for (const part of chunks(parents.filter((p) => !map.has(p)))) {
      for (const r of await trx.selectFrom('directory_departments').select(['open_department_id', 'department_id']).where('department_id', 'in', part).execute()) map.set(r.department_id!, r.open_department_id);
    }
    const leaderMap = await this.openIdsOf(trx, [...new Set(depts.map((d) => d.leader).filter((l): l is string => !!l && !l.startsWith('ou_')))]);
    for (const d of depts) {
      if (map.has(d.parent_id)) d.parent_id = map.get(d.parent_id)!;
      if (d.leader && leaderMap.has(d.leader)) d.leader = leaderMap.get(d.leader);
    }
  }

  private async openIdsOf(trx: Transaction<DirectoryTables>, userIds: string[]): Promise<Map<string, string>> {
    const map = new Map<string, string>();
    for (const part of chunks(userIds)) {
      for (const r of await trx.selectFrom('directory_users').select(['open_id', 'user_id', 'union_id']).where((eb) => eb.or([eb('user_id', 'in', part), eb('union_id', 'in', part)])).execute()) {
        if (r.user_id) map.set(r.user_id, r.open_id);
        if (r.union_id) map.set(r.union_id, r.open_id);
      }
    }
    return map;
  }

  private write<T>(fn: (trx: Transaction<DirectoryTables>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }
}
