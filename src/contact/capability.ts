import { sql } from 'kysely';
import { defineCapability, type EventContext } from '../capability/index.js';
import type { Logger } from '../config/index.js';
import type { Platform } from '../platform/index.js';
import type { Store } from '../store/index.js';
import { registerDirectoryCommands } from './cli.js';
import { directoryConfigSchema, type DirectoryConfig } from './config.js';
import { Mirror, idsOf } from './mirror.js';
import { departmentFromObject, eventTimeMs, keepMissing, userFromObject, type DirectoryDepartment, type DirectoryUser } from './model.js';
import { DirectoryStore, type ChangeOf, type ChangeSource, type DirectoryChange, type DirectoryEventName } from './store.js';
import { fullSync, syncState, type SyncProgress, type SyncResult } from './sync.js';
import { directoryMigrations } from './tables.js';
import { directoryScopes } from './scopes.js';
import { directoryConsole } from './console-panel.js';

export type DirectoryHook<E extends DirectoryEventName = DirectoryEventName> = (change: ChangeOf<E>) => unknown | Promise<unknown>;

export interface DirectoryStatus {
  enabled: boolean;
  users: number;
  departments: number;
  deletedUsers: number;
  deletedDepartments: number;
  lastFullSyncAt?: number;
  lastDurationMs?: number;
  /** A run under way or cut off (it resumes). */
  running?: { runId: string; phase: string; startedAt: number };
  lastError?: string;
  lastResult?: Omit<SyncResult, 'sample'>;
}

/** `hub.directory`: the synced org chart, its changes, and a full sync on demand. */
export interface DirectoryApi {
  readonly enabled: boolean;
  /**
   * Calls `fn` once per change, whatever told the hub (an event, a sync, the reconcile job).
   *
   * @example
   * hub.directory.on('user.created', ({ user }) => hr.add(user.email));
   */
  on<E extends DirectoryEventName>(event: E, fn: DirectoryHook<E>): DirectoryApi;
  /** A person by open_id (also union_id or user_id); undefined when unknown or deleted. */
  user(id: string): Promise<DirectoryUser | undefined>;
  /** People by email (exact) or name / English name (contains), case-insensitive. */
  find(emailOrName: string): Promise<DirectoryUser[]>;
  /** A department by open_department_id or custom department_id. */
  department(id: string): Promise<DirectoryDepartment | undefined>;
  users(): Promise<DirectoryUser[]>;
  departments(): Promise<DirectoryDepartment[]>;
  /** A full sync now (a run already under way is joined, not doubled). */
  sync(o?: { onProgress?: (p: SyncProgress) => void }): Promise<SyncResult>;
  /** What the reconcile job runs: a full sync diff whose changes are logged as repairs (hooks fire with source `reconcile`). */
  reconcile(): Promise<SyncResult>;
  status(): Promise<DirectoryStatus>;
}

declare module '../capability/index.js' {
  interface HubExtensions {
    directory: DirectoryApi;
  }
}

export const DIRECTORY_EVENTS: DirectoryEventName[] = ['user.created', 'user.updated', 'user.deleted', 'department.created', 'department.updated', 'department.deleted'];

interface Runtime {
  dir: DirectoryStore;
  /** Undefined when `ifFree` and another replica is syncing. */
  sync(source: ChangeSource, onProgress?: (p: SyncProgress) => void, o?: { ifFree?: boolean }): Promise<SyncResult | undefined>;
}

/**
 * Org-chart sync: a full sync of the app's contact scope into the store (departments and people,
 * paginated, paced to the contact tier), kept current by the contact events, with a reconcile job
 * (a full sync diff) that repairs what missed events left behind; hooks fire once per change; an
 * optional mirror table in the hub's database stays equal to it.
 */
export const directoryCapability = defineCapability({
  name: 'directory',
  scopes: directoryScopes,
  config: { schema: directoryConfigSchema, yamlKey: 'directory' },
  sandbox: {
    // The emulator's seeded directory is small: synced at start, reconciled every 10 minutes.
    config: { enabled: true, reconcile_every_ms: 600_000 },
    hint: () => ['directory      npx feishu-hub directory find alice   (the org chart synced from the local Feishu; also directory sync, directory status)'],
  },
  migrations: directoryMigrations,
  console: directoryConsole,
  setup({ config, decorate, on, onStart, platform, logger }) {
    const hooks = new Map<DirectoryEventName, ((c: DirectoryChange) => unknown)[]>();
    const api = {} as DirectoryApi;
    Object.assign(api, {
      enabled: config.enabled,
      on(event: DirectoryEventName, fn: DirectoryHook) {
        if (!DIRECTORY_EVENTS.includes(event)) throw new Error(`hub.directory.on: unknown event "${event}" (one of ${DIRECTORY_EVENTS.join(', ')})`);
        hooks.set(event, [...(hooks.get(event) ?? []), fn as (c: DirectoryChange) => unknown]);
        return api;
      },
    });
    if (!config.enabled) {
      const off = () => Promise.reject(new Error('the directory is not enabled: add `directory: { enabled: true }` to feishu-hub.yaml'));
      Object.assign(api, {
        user: async () => undefined,
        find: async () => [],
        department: async () => undefined,
        users: async () => [],
        departments: async () => [],
        sync: off,
        reconcile: off,
        status: async () => ({ enabled: false, users: 0, departments: 0, deletedUsers: 0, deletedDepartments: 0 }),
      });
      decorate({ directory: api });
      return;
    }

    const emit = async (changes: DirectoryChange[]) => {
      for (const c of changes) {
        for (const fn of hooks.get(c.type) ?? []) {
          try {
            await fn(c);
          } catch (err) {
            logger.error({ err, change: c.type, id: 'user' in c ? c.user.open_id : c.department.open_department_id }, 'a directory hook failed (the change is in the store; the hook is not called again)');
          }
        }
      }
    };
    let rt: Runtime | undefined;
    const runtime = () => {
      if (!rt) throw new Error('the directory capability has not started yet');
      return rt;
    };

    const timeOf = (ctx: EventContext) => eventTimeMs((ctx.envelope.header as { create_time?: unknown } | undefined)?.create_time) ?? Date.now();
    const objectOf = (ctx: EventContext) => ((ctx.event as { object?: Record<string, unknown> }).object ?? {}) as Record<string, unknown>;
    const onUser = async (ctx: EventContext) => {
      const { dir } = runtime();
      const obj = objectOf(ctx);
      const sourceTime = timeOf(ctx);
      let changes: DirectoryChange[];
      if (ctx.type === 'contact.user.deleted_v3') {
        const openId = String(obj.open_id ?? '');
        if (!openId) return void ctx.logger.warn('contact.user.deleted_v3 without object.open_id; ignored');
        changes = await dir.deleteUser(openId, { source: 'event', sourceTime }, obj);
      } else {
        const u = userFromObject(obj);
        if (!u) return void ctx.logger.warn({ type: ctx.type }, 'contact user event without object.open_id; ignored');
        changes = await dir.applyUsers([keepMissing(u, await dir.userRecord(u.open_id), 'user')], { source: 'event', sourceTime });
      }
      await emit(changes);
    };
    const onDepartment = async (ctx: EventContext) => {
      const { dir } = runtime();
      const obj = objectOf(ctx);
      const sourceTime = timeOf(ctx);
      const id = String(obj.open_department_id ?? obj.department_id ?? '');
      if (!id) return void ctx.logger.warn({ type: ctx.type }, 'contact department event without a department id; ignored');
      let changes: DirectoryChange[];
      const d = departmentFromObject(obj);
      if (ctx.type === 'contact.department.deleted_v3' || d?.status === 'deleted') {
        changes = await dir.deleteDepartment(id, { source: 'event', sourceTime }, obj);
      } else {
        if (!d) return void ctx.logger.warn({ type: ctx.type }, 'contact department event without open_department_id; ignored');
        // The event's department object has no i18n_name (nor member details): the department is read whole.
        const full = 'i18n_name' in obj ? undefined : await fetchDepartment(platform, d.open_department_id, ctx.logger);
        if (full) changes = await dir.applyDepartments([full.department], { source: 'event', sourceTime: Math.max(sourceTime, full.at) });
        else changes = await dir.applyDepartments([keepMissing(d, await dir.department(d.open_department_id), 'department')], { source: 'event', sourceTime });
      }
      await emit(changes);
    };
    for (const t of ['created_v3', 'updated_v3', 'deleted_v3']) {
      on(`contact.user.${t}`, onUser, 'directory');
      on(`contact.department.${t}`, onDepartment, 'directory');
    }

    Object.assign(api, {
      user: (id: string) => runtime().dir.user(id),
      find: (q: string) => runtime().dir.find(q),
      department: (id: string) => runtime().dir.department(id),
      users: () => runtime().dir.users(),
      departments: () => runtime().dir.departments(),
      sync: async (o: { onProgress?: (p: SyncProgress) => void } = {}) => (await runtime().sync('sync', o.onProgress))!,
      reconcile: async () => (await runtime().sync('reconcile'))!,
      status: async () => statusOf(runtime().dir, true),
    });
    decorate({ directory: api });

    onStart(async ({ store }) => {
      const mirror = config.mirror ? new Mirror({ ...config.mirror, userIdType: config.user_id_type }) : undefined;
      const dir = new DirectoryStore(store, mirror);
      if (mirror) {
        await mirror.ensure(store.db);
        const users = await dir.users({ includeDeleted: false });
        const departments = await dir.departments();
        const leaders = [...new Set([...users, ...departments].map((x) => x.leader).filter((l): l is string => !!l))];
        await mirror.rebuild(dir.db, users, departments, await idsOf(dir.db, leaders, config.user_id_type));
      }
      let running: Promise<SyncResult> | undefined;
      rt = {
        dir,
        async sync(source, onProgress, o = {}) {
          if (running) return running;
          // The reconcile job holds the replicas' lock already; other syncs take it (PostgreSQL).
          const run = () => runSync(platform, dir, config, source, emit, logger, onProgress);
          const p = (source === 'reconcile' ? run() : underSyncLock(store, !o.ifFree, run)).finally(() => (running = undefined));
          running = p.then((r) => r ?? Promise.reject(new Error('another replica is syncing the directory')));
          running.catch(() => undefined);
          return p;
        },
      };
      runtimes.set(store, rt);
      if (config.sync_at_start) {
        const state = await syncState(dir);
        if (!state?.last_full_sync_at || state.phase !== 'idle') {
          const first = rt.sync('sync', undefined, { ifFree: true }).catch((err: unknown) => void logger.error({ err }, 'directory: the first full sync failed; the reconcile job tries again'));
          // A small directory is in the store before the hub answers; a large one keeps syncing in the background.
          await Promise.race([first, new Promise((r) => setTimeout(r, 2000).unref())]);
        }
      }
    });
  },
  jobs: [
    {
      name: 'reconcile',
      enabled: (config: DirectoryConfig) => config.enabled,
      everyMs: (config: DirectoryConfig) => config.reconcile_every_ms,
      singleton: true,
      async run({ store }) {
        const rt = runtimes.get(store);
        if (rt) await rt.sync('reconcile');
      },
    },
  ],
  cli: ({ program }) => registerDirectoryCommands(program),
});

const runtimes = new WeakMap<Store, Runtime>();

/**
 * On PostgreSQL a full sync holds the advisory lock the reconcile job takes (startJobs' singleton
 * key), so replicas never sync at once: `wait` waits for it, otherwise a busy lock skips the run.
 */
async function underSyncLock<T>(store: Store, wait: boolean, fn: () => Promise<T>): Promise<T | undefined> {
  if (store.dialect !== 'postgres') return fn();
  const key = 'feishu-hub:job:directory/reconcile';
  return store.db.transaction().execute(async (trx) => {
    if (wait) await sql`select pg_advisory_xact_lock(hashtext(${key}))`.execute(trx);
    else {
      const { rows } = await sql<{ got: boolean }>`select pg_try_advisory_xact_lock(hashtext(${key})) as got`.execute(trx);
      if (!rows[0]?.got) return undefined;
    }
    return fn();
  });
}

/** One department as the API has it now (undefined when it cannot be read: the event's object is used then). */
async function fetchDepartment(platform: Platform, id: string, logger: Logger): Promise<{ department: DirectoryDepartment; at: number } | undefined> {
  const at = Date.now();
  try {
    const res = await platform.sdk.contact.v3.department.get({ path: { department_id: id }, params: { department_id_type: 'open_department_id', user_id_type: 'open_id' } });
    const department = departmentFromObject((res?.data?.department ?? {}) as Record<string, unknown>);
    return department && department.status !== 'deleted' ? { department, at } : undefined;
  } catch (err) {
    logger.debug({ err, department: id }, 'directory: could not read the department of an event; using the event\'s object');
    return undefined;
  }
}

async function runSync(platform: Platform, dir: DirectoryStore, config: DirectoryConfig, source: ChangeSource, emit: (c: DirectoryChange[]) => Promise<void>, logger: Logger, onProgress?: (p: SyncProgress) => void): Promise<SyncResult> {
  const result = await fullSync(platform, dir, { source, concurrency: config.concurrency, pageSize: config.page_size, onChanges: emit, onProgress, logger });
  const repaired = result.created.users + result.updated.users + result.deleted.users + result.created.departments + result.updated.departments + result.deleted.departments;
  const summary = { users: result.users, departments: result.departments, calls: result.calls, duration_ms: result.durationMs, created: result.created, updated: result.updated, deleted: result.deleted, resumed: result.resumed };
  if (source === 'reconcile' && repaired > 0) logger.warn({ ...summary, repaired: result.sample }, `directory reconcile repaired ${repaired} change(s) the events had not brought`);
  else logger.info(summary, source === 'reconcile' ? 'directory reconcile: the store matched Feishu' : 'directory full sync done');
  return result;
}

/** The status of the synced directory (also what `feishu-hub directory status` prints). */
export async function statusOf(dir: DirectoryStore, enabled: boolean): Promise<DirectoryStatus> {
  const counts = await dir.counts();
  const s = await syncState(dir);
  return {
    enabled,
    users: counts.users,
    departments: counts.departments,
    deletedUsers: counts.deleted_users,
    deletedDepartments: counts.deleted_departments,
    ...(s?.last_full_sync_at ? { lastFullSyncAt: Number(s.last_full_sync_at) } : {}),
    ...(s?.last_duration_ms ? { lastDurationMs: Number(s.last_duration_ms) } : {}),
    ...(s && s.phase !== 'idle' && s.run_id ? { running: { runId: s.run_id, phase: s.phase, startedAt: Number(s.run_started_at) } } : {}),
    ...(s?.last_error ? { lastError: s.last_error } : {}),
    ...(s?.last_result ? { lastResult: JSON.parse(s.last_result) as Omit<SyncResult, 'sample'> } : {}),
  };
}
