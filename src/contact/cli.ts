import type { Command } from 'commander';
import type { Migration } from 'kysely';
import { printError, printTable, platformFor, UsageError, type ClientFlags } from '../cli/commands/_client.js';
import { parseCapabilityConfig, type Capability } from '../capability/index.js';
import { loadConfig } from '../config/index.js';
import type { Platform } from '../platform/index.js';
import { openDatabase, type Store } from '../store/index.js';
import { directoryConfigSchema, type DirectoryConfig } from './config.js';
import { Mirror } from './mirror.js';
import type { DirectoryUser } from './model.js';
import { DirectoryStore } from './store.js';
import { fullSync, type SyncProgress, type SyncResult } from './sync.js';

const json = (v: unknown) => console.log(JSON.stringify(v, null, 2));
const iso = (ms?: number) => (ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '');

function directoryConfig(): DirectoryConfig {
  const hubConfig = loadConfig();
  const { value, problems } = parseCapabilityConfig({ name: 'directory', config: { schema: directoryConfigSchema, yamlKey: 'directory' }, sandbox: { config: { enabled: true } } }, hubConfig);
  if (problems.length) throw new UsageError(problems.join('\n'));
  return (value ?? directoryConfigSchema.parse({})) as DirectoryConfig;
}

/** The hub's database with every built-in capability's migrations (the CLI may be the first to open it). */
async function openStore(): Promise<Store> {
  const hubConfig = loadConfig();
  const { builtinCapabilities } = (await import('../server/capabilities.js')) as { builtinCapabilities: Capability<any>[] };
  const migrations: Record<string, Migration> = {};
  for (const c of builtinCapabilities) for (const [name, m] of Object.entries(c.migrations ?? {})) migrations[`${c.name}/${name}`] = m;
  return openDatabase(hubConfig.databaseUrl, { migrations });
}

/** The platform client: --emulator, the configured app, or (no app configured) the sandbox's local Feishu. */
function platformOf(flags: ClientFlags): Platform {
  const config = loadConfig();
  if (!flags.emulator && config.sandbox) return platformFor({ emulator: `http://127.0.0.1:${config.emulatorPort}` });
  return platformFor(flags);
}

async function withStore<T>(fn: (dir: DirectoryStore, store: Store) => Promise<T>, sink?: Mirror): Promise<T> {
  const store = await openStore();
  try {
    return await fn(new DirectoryStore(store, sink), store);
  } finally {
    await store.close();
  }
}

const fail = (json?: boolean) => (err: unknown) => {
  printError(err, json);
  process.exitCode = 1;
};

function userRow(u: DirectoryUser, deptName: (id: string) => string): string[] {
  return [u.name, u.en_name ?? '', u.email ?? '', u.department_ids.map(deptName).join(', '), u.job_title ?? '', u.employee_no ?? '', u.open_id];
}

export function registerDirectoryCommands(program: Command): void {
  const directory = program.command('directory').description('The synced org chart: full sync, find people, sync status (reads DATABASE_URL)');

  directory
    .command('sync')
    .description('run a full sync of the app\'s contact scope into the hub\'s database now (a progress bar, then what changed)')
    .option('--emulator <url>', 'sync from a local emulator (default with no FEISHU_APP_ID: the sandbox\'s, on FEISHU_EMULATOR_PORT)')
    .option('--json', 'print the result as JSON (no progress bar)')
    .action(async (o: ClientFlags) => {
      let platform: Platform | undefined;
      try {
        const config = directoryConfig();
        platform = platformOf(o);
        const mirror = config.mirror ? new Mirror({ ...config.mirror, userIdType: config.user_id_type }) : undefined;
        const p = platform;
        const result = await withStore(async (dir, store) => {
          if (mirror) await mirror.ensure(store.db);
          const bar = o.json ? undefined : await progressBar();
          try {
            return await fullSync(p, dir, { source: 'sync', concurrency: config.concurrency, pageSize: config.page_size, onProgress: bar?.update });
          } finally {
            bar?.stop();
          }
        }, mirror);
        if (o.json) return json(result);
        printSummary(result);
      } catch (err) {
        fail(o.json)(err);
      } finally {
        await platform?.close();
      }
    });

  directory
    .command('find <emailOrName>')
    .description('people by email (exact) or name / English name (contains), from the synced directory')
    .option('--json', 'print JSON')
    .action(async (q: string, o: { json?: boolean }) => {
      await withStore(async (dir) => {
        const users = await dir.find(q);
        if (o.json) return json(users);
        if (!users.length) {
          console.log(`nobody matches "${q}" in the synced directory (feishu-hub directory status shows when it last synced)`);
          process.exitCode = 1;
          return;
        }
        const depts = new Map((await dir.departments()).map((d) => [d.open_department_id, d.name]));
        printTable(['NAME', 'EN NAME', 'EMAIL', 'DEPARTMENTS', 'TITLE', 'EMPLOYEE NO', 'OPEN ID'], users.map((u) => userRow(u, (id) => (id === '0' ? '(root)' : depts.get(id) ?? id))));
      }).catch(fail(o.json));
    });

  directory
    .command('status')
    .description('how many people and departments are synced, and when the last full sync ran')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      await withStore(async (dir) => {
        const { statusOf } = await import('./capability.js');
        const s = await statusOf(dir, directoryConfig().enabled);
        if (o.json) return json(s);
        const rows: string[][] = [
          ['enabled', String(s.enabled)],
          ['people', String(s.users)],
          ['departments', String(s.departments)],
          ['deleted (kept as records)', `${s.deletedUsers} people, ${s.deletedDepartments} departments`],
          ['last full sync', s.lastFullSyncAt ? `${iso(s.lastFullSyncAt)} UTC (${((s.lastDurationMs ?? 0) / 1000).toFixed(1)} s, ${s.lastResult?.calls ?? '?'} calls)` : 'never'],
        ];
        if (s.running) rows.push(['run under way / cut off', `${s.running.runId} (${s.running.phase}, started ${iso(s.running.startedAt)} UTC; the next sync resumes it)`]);
        if (s.lastError) rows.push(['last error', s.lastError]);
        printTable(['', ''], rows, 100);
      }).catch(fail(o.json));
    });
}

async function progressBar(): Promise<{ update: (p: SyncProgress) => void; stop: () => void }> {
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    { format: ' {phase} |{bar}| {value}/{total} departments | {users} people | {rate} rows/s | {calls} calls', hideCursor: true, clearOnComplete: false, noTTYOutput: !process.stderr.isTTY, notTTYSchedule: 2000 },
    cliProgress.Presets.shades_classic,
  );
  let startedBar = false;
  return {
    update(p) {
      const payload = { phase: p.phase.padEnd(11), users: p.users, calls: p.calls, rate: Math.round(((p.users + p.departments) * 1000) / Math.max(1, p.elapsedMs)) };
      if (!startedBar) {
        bar.start(Math.max(1, p.departments), p.departmentsDone, payload);
        startedBar = true;
      }
      bar.setTotal(Math.max(1, p.departments));
      bar.update(p.departmentsDone, payload);
    },
    stop: () => startedBar && bar.stop(),
  };
}

function printSummary(r: SyncResult): void {
  console.log(`\nfull sync ${r.runId}${r.resumed ? ' (resumed a run that was cut off)' : ''}: ${r.users} people in ${r.departments} departments, ${r.calls} API calls, ${(r.durationMs / 1000).toFixed(1)} s`);
  printTable(
    ['', 'CREATED', 'UPDATED', 'DELETED'],
    [
      ['people', String(r.created.users), String(r.updated.users), String(r.deleted.users)],
      ['departments', String(r.created.departments), String(r.updated.departments), String(r.deleted.departments)],
    ],
  );
}
