import { randomBytes } from 'node:crypto';
import type { Logger } from '../config/index.js';
import { paginate, type Platform } from '../platform/index.js';
import { departmentFromObject, userFromObject, type DirectoryDepartment, type DirectoryUser } from './model.js';
import type { ChangeSource, DirectoryChange, DirectoryStore } from './store.js';
import type { DirectorySyncStateTable } from './tables.js';

export interface SyncProgress {
  phase: 'scope' | 'departments' | 'users' | 'deletes' | 'done';
  departments: number;
  /** Departments whose members were fetched, of `departments` known so far. */
  departmentsDone: number;
  users: number;
  calls: number;
  elapsedMs: number;
}

export interface SyncResult {
  runId: string;
  source: ChangeSource;
  resumed: boolean;
  departments: number;
  users: number;
  calls: number;
  durationMs: number;
  created: { users: number; departments: number };
  updated: { users: number; departments: number };
  deleted: { users: number; departments: number };
  /** Up to 50 of the changes, for the log. */
  sample: { type: string; id: string; name: string; changes: string[] }[];
  /** The scope the run started from (department ids; "0" is the whole tenant). */
  scope: string[];
}

export interface SyncOptions {
  source: ChangeSource;
  concurrency: number;
  pageSize: number;
  onProgress?: (p: SyncProgress) => void;
  /** Called with each batch of changes as soon as it is in the store (the hooks). */
  onChanges?: (changes: DirectoryChange[]) => Promise<void> | void;
  logger?: Logger;
  /** A run cut off less than this long ago is resumed (default 24 h). */
  resumeWithinMs?: number;
}

const KEY = 'full';
const PARAMS = { department_id_type: 'open_department_id', user_id_type: 'open_id' } as const;

/**
 * A full sync: the app's contact scope, every department under it (one recursive `children`
 * listing per scope root), the members of each (`find_by_department`, pages of 50, several
 * departments at once: the platform client's limiter paces them to the contact tier), applied to
 * the store page by page. At the end, people and departments the run did not see (and nothing newer
 * touched) are marked deleted. Its cursor (the departments still to fetch) is in the store, so a run
 * cut off by a crash resumes where it stopped.
 */
export async function fullSync(platform: Platform, dir: DirectoryStore, o: SyncOptions): Promise<SyncResult> {
  const db = dir.db;
  const started = Date.now();
  const prior = await db.selectFrom('directory_sync_state').selectAll().where('key', '=', KEY).executeTakeFirst();
  const resumable = prior && prior.phase !== 'idle' && prior.run_id && prior.run_started_at && started - Number(prior.run_started_at) < (o.resumeWithinMs ?? 24 * 3600_000);
  const runId = resumable ? prior.run_id! : `${started.toString(36)}-${randomBytes(4).toString('hex')}`;
  const runStartedAt = resumable ? Number(prior.run_started_at) : started;
  await saveState(dir, { run_id: runId, phase: resumable ? prior.phase : 'departments', run_started_at: runStartedAt, last_error: null });
  if (!resumable) await db.deleteFrom('directory_sync_pending').execute();

  const result: SyncResult = {
    runId,
    source: o.source,
    resumed: Boolean(resumable),
    departments: 0,
    users: 0,
    calls: 0,
    durationMs: 0,
    created: { users: 0, departments: 0 },
    updated: { users: 0, departments: 0 },
    deleted: { users: 0, departments: 0 },
    sample: [],
    scope: [],
  };
  const seenUsers = new Set<string>();
  const seenDepts = new Set<string>();
  let doneDepts = 0;
  let phase: SyncProgress['phase'] = 'scope';
  const progress = () => o.onProgress?.({ phase, departments: seenDepts.size, departmentsDone: doneDepts, users: seenUsers.size, calls: result.calls, elapsedMs: Date.now() - started });
  const record = async (changes: DirectoryChange[]) => {
    for (const c of changes) {
      const [what, verb] = c.type.split('.') as ['user' | 'department', 'created' | 'updated' | 'deleted'];
      result[verb][what === 'user' ? 'users' : 'departments']++;
      if (result.sample.length < 50) {
        const id = 'user' in c ? c.user.open_id : c.department.open_department_id;
        result.sample.push({ type: c.type, id, name: 'user' in c ? c.user.name : c.department.name, changes: c.changes });
      }
    }
    if (changes.length) await o.onChanges?.(changes);
  };
  const call = async <T>(fn: () => Promise<T>): Promise<T> => {
    result.calls++;
    return fn();
  };

  try {
    // 1. The scope.
    const scope = await contactScope(platform, call, o.logger);
    result.scope = scope.departments;
    progress();

    // 2. Departments, streamed: each page's departments are stored and their members queued at once.
    const queue = new WorkQueue<string>();
    const pendingRows = async (ids: string[]) => {
      if (!ids.length) return;
      for (let i = 0; i < ids.length; i += 200) {
        await db.insertInto('directory_sync_pending').values(ids.slice(i, i + 200).map((department_id) => ({ run_id: runId, department_id, done: 0 }))).onConflict((oc) => oc.doNothing()).execute();
      }
    };
    const leftOver = resumable ? await db.selectFrom('directory_sync_pending').selectAll().where('run_id', '=', runId).execute() : [];
    for (const r of leftOver) {
      if (r.department_id !== '0') seenDepts.add(r.department_id);
      if (r.done && r.department_id !== '0') doneDepts++;
      else queue.push(r.department_id);
    }
    const skipDepartments = resumable && prior.phase === 'users';
    phase = skipDepartments ? 'users' : 'departments';

    const departmentsDone = (async () => {
      if (skipDepartments) return;
      const found = async (depts: DirectoryDepartment[], sourceTime: number) => {
        const fresh = depts.filter((d) => !seenDepts.has(d.open_department_id));
        for (const d of depts) seenDepts.add(d.open_department_id);
        await record(await dir.applyDepartments(depts, { source: o.source, sourceTime, runId }));
        await pendingRows(fresh.map((d) => d.open_department_id));
        for (const d of fresh) if (!leftOver.some((r) => r.department_id === d.open_department_id)) queue.push(d.open_department_id);
        progress();
      };
      for (const root of scope.departments) {
        if (root === '0') {
          if (!leftOver.some((r) => r.department_id === '0')) {
            await pendingRows(['0']);
            queue.push('0');
          }
        } else {
          const t = Date.now();
          const res = await call(() => platform.sdk.contact.v3.department.get({ path: { department_id: root }, params: PARAMS }));
          const d = departmentFromObject((res?.data?.department ?? {}) as Record<string, unknown>);
          if (d) await found([d], t);
        }
        let pageStart = Date.now();
        const pages = paginate<Record<string, unknown>>((page_token) => {
          pageStart = Date.now();
          return call(() => platform.sdk.contact.v3.department.children({ path: { department_id: root }, params: { ...PARAMS, fetch_child: true, page_size: o.pageSize, page_token } }));
        });
        let batch: DirectoryDepartment[] = [];
        let batchTime = pageStart;
        for await (const item of pages) {
          if (batch.length === 0) batchTime = pageStart;
          const d = departmentFromObject(item);
          if (d) batch.push(d);
          if (batch.length >= o.pageSize) {
            await found(batch, batchTime);
            batch = [];
          }
        }
        if (batch.length) await found(batch, batchTime);
      }
      await saveState(dir, { phase: 'users' });
    })().finally(() => queue.close());

    // 3. Members of each department, `concurrency` departments at a time.
    const worker = async () => {
      for (;;) {
        const dept = await queue.next();
        if (dept === undefined) return;
        let pageStart = Date.now();
        let batch: DirectoryUser[] = [];
        let batchTime = pageStart;
        const flush = async () => {
          if (!batch.length) return;
          for (const u of batch) seenUsers.add(u.open_id);
          await record(await dir.applyUsers(batch, { source: o.source, sourceTime: batchTime, runId }));
          batch = [];
          progress();
        };
        for await (const item of paginate<Record<string, unknown>>((page_token) => {
          pageStart = Date.now();
          return call(() => platform.sdk.contact.v3.user.findByDepartment({ params: { ...PARAMS, department_id: dept, page_size: o.pageSize, page_token } }));
        })) {
          if (batch.length === 0) batchTime = pageStart;
          const u = userFromObject(item);
          if (u) batch.push(u);
          if (batch.length >= o.pageSize) await flush();
        }
        await flush();
        await db.updateTable('directory_sync_pending').set({ done: 1 }).where('run_id', '=', runId).where('department_id', '=', dept).execute();
        if (dept !== '0') doneDepts++; // the root's own members are not a department
        progress();
      }
    };
    const guarded = () => worker().catch((err: unknown) => {
      queue.close(); // the other workers stop after their current department
      throw err;
    });
    const workers = Array.from({ length: o.concurrency }, guarded);
    await Promise.all([departmentsDone, ...workers]);

    // People in the scope one by one (not through a department).
    for (let i = 0; i < scope.users.length; i += 50) {
      const ids = scope.users.slice(i, i + 50);
      const t = Date.now();
      const res = await call(() => platform.sdk.contact.v3.user.batch({ params: { ...PARAMS, user_ids: ids } }));
      const users = ((res?.data?.items ?? []) as Record<string, unknown>[]).map(userFromObject).filter((u): u is DirectoryUser => !!u);
      for (const u of users) seenUsers.add(u.open_id);
      await record(await dir.applyUsers(users, { source: o.source, sourceTime: t, runId }));
    }

    // 4. What the run did not see is gone from Feishu.
    phase = 'deletes';
    progress();
    await record(await dir.deleteUnseen(runId, runStartedAt, o.source));

    const counts = await dir.counts();
    result.users = counts.users;
    result.departments = counts.departments;
    result.durationMs = Date.now() - started;
    phase = 'done';
    progress();
    const { sample: _s, ...summary } = result;
    await saveState(dir, { phase: 'idle', run_id: null, run_started_at: null, last_full_sync_at: Date.now(), last_duration_ms: result.durationMs, users: counts.users, departments: counts.departments, last_result: JSON.stringify(summary), last_error: null });
    await db.deleteFrom('directory_sync_pending').where('run_id', '=', runId).execute();
    return result;
  } catch (err) {
    await saveState(dir, { last_error: (err as Error).message ?? String(err) }).catch(() => undefined);
    throw err;
  }
}

/** The app's contact scope: departments (open ids; "0" = the whole tenant) and single people. */
async function contactScope(platform: Platform, call: <T>(fn: () => Promise<T>) => Promise<T>, logger?: Logger): Promise<{ departments: string[]; users: string[] }> {
  const departments: string[] = [];
  const users: string[] = [];
  let token: string | undefined;
  for (let n = 0; n < 1000; n++) {
    const res = (await call(() => platform.sdk.contact.v3.scope.list({ params: { ...PARAMS, page_size: 50, page_token: token } }))) as { data?: { department_ids?: string[]; user_ids?: string[]; has_more?: boolean; page_token?: string } };
    departments.push(...(res?.data?.department_ids ?? []));
    users.push(...(res?.data?.user_ids ?? []));
    if (!res?.data?.has_more || !res.data.page_token) break;
    token = res.data.page_token;
  }
  if (departments.includes('0')) return { departments: ['0'], users: [] };
  if (!departments.length && !users.length) logger?.warn('the app\'s contact scope is empty: nothing to sync (set the app\'s contact range in the developer console)');
  return { departments: [...new Set(departments)], users: [...new Set(users)] };
}

async function saveState(dir: DirectoryStore, set: Partial<Omit<DirectorySyncStateTable, 'key'>>): Promise<void> {
  const now = Date.now();
  await dir.db
    .insertInto('directory_sync_state')
    .values({ key: KEY, phase: 'idle', users: 0, departments: 0, run_id: null, run_started_at: null, last_full_sync_at: null, last_duration_ms: null, last_result: null, last_error: null, ...set, updated_at: now })
    .onConflict((oc) => oc.column('key').doUpdateSet({ ...set, updated_at: now }))
    .execute();
}

/** The sync state, for `status` and `hub.directory.status()`. */
export async function syncState(dir: DirectoryStore): Promise<DirectorySyncStateTable | undefined> {
  return dir.db.selectFrom('directory_sync_state').selectAll().where('key', '=', KEY).executeTakeFirst();
}

/** A queue that workers wait on until it is closed and empty. */
class WorkQueue<T> {
  private items: T[] = [];
  private waiters: ((v: T | undefined) => void)[] = [];
  private closed = false;
  push(item: T) {
    const w = this.waiters.shift();
    if (w) w(item);
    else this.items.push(item);
  }
  close() {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w(undefined);
  }
  next(): Promise<T | undefined> {
    if (this.items.length) return Promise.resolve(this.items.shift());
    if (this.closed) return Promise.resolve(undefined);
    return new Promise((r) => this.waiters.push(r));
  }
}
