/**
 * Bitable ↔ SQL sync: `node bin/run-ts.js bench/sync.bench.ts [--quick]` (or `npm run bench -- sync`;
 * `--quick` → 2,000 rows and 50 edits each way; default 20,000 rows and 200 edits).
 *
 * The emulator runs in a child process of its own (bench/sync-emulator.ts, 127.0.0.1, rate limits
 * and write serialisation on, as by default): on a 2-core VM an in-process emulator would share
 * one event loop with the hub and charge its JSON work to the hub's figures. The hub (startHub, the
 * sandbox wiring with real HTTP, webhook events, its own SQLite store) runs in this process with
 * two sync jobs over SQLite files (capture: triggers):
 *   (a) to Bitable:  N rows in a SQLite table, an empty Bitable table
 *   (b) to database: N records in Bitable (seeded with batch_create before the hub starts, not
 *       timed), an empty SQLite table
 * Each initial load is one `hub.sync.run(job)`, timed end to end, against the minimum the
 * emulator's enforced limits allow for the calls the load cannot do without, each API paced at its
 * rate (n calls at r/s take n / r s; reads and writes are in sequence: the plan needs the scan):
 *   (a) ⌈N / batch_create size⌉ writes at the write tier + 1 search page (the empty table) at the read tier
 *   (b) ⌈N / search page⌉ search pages at the read tier + the write-backs the engine must make
 *       (none here: every record carries its key; the ones it did make are counted from the call log)
 * Ratio = measured ÷ minimum; floor ≤ 1.3× (the issue's goal is 1.1×). Beside it, informational, the
 * strict bound of "at most r calls in any second" (the k-th call of an API may start ⌊k / r⌋ s after
 * the first): lower than the paced figure, since a client may burst r calls at once — (b)'s 40 pages
 * fit in just over 1 s, so a (b) ratio under 1 against the paced figure is possible and means that
 * figure is not a lower bound there; with --quick's few calls neither bound says much.
 * Printed with each load:
 * its phases (wall, hub CPU, emulator CPU), the API calls by route (count, time inside the emulator,
 * time as the hub saw it), the hub's limiter waits, and what the hub did after the run returned (the
 * echoes of its own writes: record-changed events for (a), change-log rows for (b)).
 * Then, with job (b) synced: E person edits in Bitable one at a time (the Base page's control route,
 * which pushes the record-changed event), each timed until the SQLite row — read from outside the
 * hub with better-sqlite3 — has the new value; and E UPDATEs in SQLite (from outside), each timed
 * until the emulator holds the new value (checked in the emulator's process every millisecond),
 * through the change-log poll (poll_every_ms below), with a pause after each (EDIT_GAP_MS) and 1.1 s
 * before the first (past the rate-limit windows the load's echo reads used). p50/p99/max and the
 * hub's API calls per change, informational; every change must arrive within 10 s.
 * SYNC_BENCH_PROFILE=<dir>: CPU profiles of each load's run (this process and the emulator's) are
 * written there as <process>-<job>.cpuprofile (open them in Chrome DevTools or speedscope).
 * SYNC_BENCH_LOG_LEVEL=<level>: the hub's log level (default error).
 */
import Database from 'better-sqlite3';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FieldType } from '../src/bitable/index.js';
import { loadConfig } from '../src/config/index.js';
import { DEV_CREDENTIALS } from '../src/emulator/index.js';
import { BITABLE_LIMITS } from '../src/emulator/bitable/index.js';
import { RECORD_TIERS } from '../src/emulator/bitable/records.js';
import { tiers } from '../src/emulator/ratelimit.js';
import { startHub, type RunningHub } from '../src/sandbox/index.js';
import type { SyncJob, SyncPhase } from '../src/sync/index.js';
import { quick, reportResult, type BenchRow } from './result.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const N = quick ? 2000 : 20_000;
const EDITS = quick ? 50 : 200;
const POLL_MS = 100;
/** Between two edits: past one poll, so an edit's own echo (its change-log row) is read before the next. */
const EDIT_GAP_MS = POLL_MS + 50;
const PROFILE = process.env.SYNC_BENCH_PROFILE;
const FLOOR = 1.3;
const GOAL = 1.1;

// ---- the emulator's enforced limits (src/emulator/bitable/records.ts, src/emulator/ratelimit.ts) ----
const RECORDS = '/open-apis/bitable/v1/apps/:app_token/tables/:table_id/records';
const rateOf = (method: string, route: string) => {
  const t = RECORD_TIERS.find((x) => x.method === method && x.route === route);
  if (!t) throw new Error(`no tier for ${method} ${route}`);
  return tiers[t.tier].perSecond;
};
const WRITE_RATE = rateOf('POST', `${RECORDS}/batch_create`);
const SEARCH_RATE = rateOf('POST', `${RECORDS}/search`);
const BATCH_GET_RATE = rateOf('POST', `${RECORDS}/batch_get`);
/** n calls paced at r/s (the issue's measure of the minimum). */
const paced = (n: number, r: number) => n / r;
/** The strict bound of "at most r in any second": the last of n calls starts ⌊(n − 1) / r⌋ s after the first. */
const burst = (n: number, r: number) => (n ? Math.floor((n - 1) / r) : 0);

// ---- the emulator, in its own process ----
interface Emu {
  url: string;
  pid: number;
  child: ChildProcess;
  cpu(): Promise<{ user: number; system: number }>;
  watch(w: { app_token: string; table_id: string; record_id: string; field: string; value: unknown }): Promise<void>;
  profile(action: 'start' | 'stop', path?: string): Promise<void>;
  close(): Promise<void>;
}

async function startEmu(): Promise<Emu> {
  const child = fork(join(ROOT, 'bin/run-ts.js'), ['bench/sync-emulator.ts'], { cwd: ROOT, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const waiting = new Map<number, (m: any) => void>();
  let nextId = 1;
  const ready = new Promise<{ url: string; pid: number }>((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the emulator process exited (${code}) before it was ready`)));
    child.on('message', (m: any) => {
      if (m.type === 'ready') resolve(m);
      else waiting.get(m.id)?.(m);
    });
  });
  const { url, pid } = await ready;
  const ask = <T>(msg: Record<string, unknown>) =>
    new Promise<T>((resolve) => {
      const id = nextId++;
      waiting.set(id, (m) => {
        waiting.delete(id);
        resolve(m);
      });
      child.send({ ...msg, id });
    });
  return {
    url,
    pid,
    child,
    cpu: () => ask({ type: 'cpu' }),
    watch: (w) => ask({ type: 'watch', ...w }),
    profile: (action, path) => ask({ type: 'profile', action, path }),
    close: () =>
      new Promise((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null || !child.connected) return resolve();
        child.once('exit', () => resolve());
        child.send({ type: 'close' });
      }),
  };
}

/** The emulator's CPU time (ms) read synchronously from /proc (Linux), for the phase marks; undefined elsewhere. */
function procCpuMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / 100; // utime + stime, in clock ticks of 1/100 s
  } catch {
    return undefined;
  }
}
/** CPU profiles of both processes around a phase (SYNC_BENCH_PROFILE). */
async function profiled<T>(name: string, fn: () => Promise<T>): Promise<T> {
  if (!PROFILE) return fn();
  mkdirSync(PROFILE, { recursive: true });
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await emu.profile('start');
  await session.post('Profiler.start');
  try {
    return await fn();
  } finally {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(join(PROFILE, `hub-${name}.cpuprofile`), JSON.stringify(profile));
    await emu.profile('stop', join(PROFILE, `emulator-${name}.cpuprofile`));
    session.disconnect();
    console.log(`  CPU profiles: ${join(PROFILE, `{hub,emulator}-${name}.cpuprofile`)}`);
  }
}
const hubCpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

// ---- HTTP to the emulator ----
async function control(method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${emu.url}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
  return json;
}
let token: string | undefined;
async function api(method: string, path: string, body?: unknown): Promise<any> {
  token ??= ((await (await fetch(`${emu.url}/open-apis/auth/v3/tenant_access_token/internal`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ app_id: DEV_CREDENTIALS.appId, app_secret: DEV_CREDENTIALS.appSecret }) })).json()) as { tenant_access_token: string }).tenant_access_token;
  const res = await fetch(`${emu.url}${path}`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: body ? JSON.stringify(body) : undefined });
  const json = (await res.json()) as { code: number; msg: string; data?: any };
  if (json.code !== 0) throw new Error(`${method} ${path}: ${json.code} ${json.msg}`);
  return json.data ?? {};
}
interface Call {
  id: number;
  time: number;
  method: string;
  path: string;
  status: number;
  duration_ms: number;
}
const callsSince = async (id: number) => (await control('GET', `/__emulator/state?calls_since=${id}`)).calls as Call[];
const lastCallId = async () => (await callsSince(0)).at(-1)?.id ?? 0;
const route = (c: Pick<Call, 'method' | 'path'>) => `${c.method} ${c.path.replace(/\/bascn[A-Za-z0-9]{22}(?=\/|$)/, '/:app').replace(/\/tbl[A-Za-z0-9]{13}(?=\/|$)/, '/:table').replace(/\/rec[A-Za-z0-9]{10}(?=\/|$)/, '/:record').replace(/\/fld[A-Za-z0-9]{7}(?=\/|$)/, '/:field')}`;

// ---- set-up ----
const FIELDS = [
  { field_name: 'Key', type: FieldType.Text },
  { field_name: 'Name', type: FieldType.Text },
  { field_name: 'Qty', type: FieldType.Number },
  { field_name: 'Done', type: FieldType.Checkbox },
  { field_name: 'When', type: FieldType.DateTime },
];
const pad = (i: number) => String(i).padStart(5, '0');
const T0 = Date.UTC(2026, 0, 1);
const work = mkdtempSync(join(tmpdir(), 'feishu-hub-sync-bench-'));
const paths = { hub: join(work, 'hub.db'), a: join(work, 'a.db'), b: join(work, 'b.db') };
const openSqlite = (path: string) => {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  return db;
};
const DDL = 'create table items (key text primary key, name text, qty real, done integer, "when" integer)';

const emu = await startEmu();
let hub: RunningHub | undefined;
const cleanup = async () => {
  await hub?.stop().catch(() => undefined);
  await emu.close().catch(() => undefined);
  rmSync(work, { recursive: true, force: true });
};

try {
  const limits = (await control('GET', '/__emulator/state?calls_since=999999999')).rate_limits as { enabled: boolean; scale: number };
  console.log(`emulator: ${emu.url} (pid ${emu.pid}, a process of its own); rate limits ${limits.enabled ? `on (scale ${limits.scale})` : 'OFF'}; one write per base at a time (1254291)`);
  console.log(`enforced: batch_create/batch_update ${BITABLE_LIMITS.batchWrite} records a call, writes ${WRITE_RATE}/s; search pages of ${BITABLE_LIMITS.searchPage} at ${SEARCH_RATE}/s; batch_get ${BITABLE_LIMITS.batchGet} ids at ${BATCH_GET_RATE}/s (per app and API)`);
  const mkBase = async (name: string) => {
    const b = await control('POST', '/__emulator/bitable/apps', { name, tables: [{ name: 'Items', fields: FIELDS }] });
    return { app_token: b.app_token as string, table_id: b.tables[0].table_id as string };
  };
  const baseA = await mkBase('Load to Bitable');
  const baseB = await mkBase('Load to database');

  // (a) N rows in SQLite.
  const dbA = openSqlite(paths.a);
  dbA.exec(DDL);
  const insA = dbA.prepare('insert into items values (?, ?, ?, ?, ?)');
  dbA.transaction(() => {
    for (let i = 0; i < N; i++) insA.run(`D-${pad(i)}`, `数据库 row ${i}`, i / 4, i % 2, T0 + i * 1000);
  })();
  dbA.close();
  // (b) N records in Bitable, through the API (1,000 a call), before the hub subscribes: not timed.
  const seedStart = performance.now();
  for (let part = 0; part < N / BITABLE_LIMITS.batchWrite; part++) {
    const records = Array.from({ length: BITABLE_LIMITS.batchWrite }, (_, j) => part * BITABLE_LIMITS.batchWrite + j).map((i) => ({ fields: { Key: `B-${pad(i)}`, Name: `bitable row ${i}`, Qty: i, Done: i % 3 === 0, When: T0 + i * 60_000 } }));
    await api('POST', `/open-apis/bitable/v1/apps/${baseB.app_token}/tables/${baseB.table_id}/records/batch_create`, { records });
  }
  const dbB = openSqlite(paths.b);
  dbB.exec(DDL);
  console.log(`seeded: ${N.toLocaleString('en')} rows in ${paths.a}, ${N.toLocaleString('en')} records in base ${baseB.app_token} (${((performance.now() - seedStart) / 1000).toFixed(1)} s, not timed)`);

  const job = (b: { app_token: string; table_id: string }, url: string) => ({
    bitable: b,
    database: { url: `sqlite:${url}`, table: 'items' },
    key: { column: 'key', field: 'Key' },
    fields: [
      { field: 'Name', column: 'name' },
      { field: 'Qty', column: 'qty' },
      { field: 'Done', column: 'done' },
      { field: 'When', column: 'when' },
    ],
    poll_every_ms: POLL_MS,
    reconcile_every_ms: 3_600_000,
    run_at_start: false,
  });
  const loaded = loadConfig({ env: {}, file: undefined, overrides: { HUB_PORT: 0, DATABASE_URL: `sqlite:${paths.hub}`, LOG_LEVEL: (process.env.SYNC_BENCH_LOG_LEVEL ?? 'error') as 'error', FEISHU_EVENT_MODE: 'webhook' } });
  hub = await startHub({ ...loaded, sandbox: true, app: { encryptKeys: [], verificationTokens: [] } }, { emulatorUrl: emu.url, sections: { sync: { jobs: { to_bitable: job(baseA, paths.a), to_database: job(baseB, paths.b) } } } });
  const h = hub.hub;
  const jobA = h.sync.job('to_bitable');
  const jobB = h.sync.job('to_database');
  await until(() => jobA.started && jobB.started, 30_000, 'the jobs to start (schema, subscribe)');

  // Observation points inside the hub (wrappers, no change to its code): record-changed events handled.
  const echoes = { events: 0, actions: 0, applied: 0, lastAt: 0 };
  for (const j of [jobA, jobB]) {
    const orig = j.onRecordChanged.bind(j);
    j.onRecordChanged = async (event) => {
      const r = await orig(event);
      if (event.file_token === (j === jobA ? baseA : baseB).app_token) {
        echoes.events++;
        echoes.actions += event.action_list?.length ?? 0;
        echoes.applied += r.applied;
        echoes.lastAt = performance.now();
      }
      return r;
    };
  }
  const metric = async (name: string) => ((await h.platform.metrics.registry.getSingleMetric(name)?.get())?.values ?? []) as { value: number; labels: Record<string, string | number>; metricName?: string }[];
  const limiterWaitS = async () => (await metric('feishu_hub_limiter_wait_seconds')).find((v) => v.metricName === 'feishu_hub_limiter_wait_seconds_sum')?.value ?? 0;
  const hubCallS = async () => {
    const m = new Map<string, number>();
    for (const v of await metric('feishu_hub_api_call_duration_seconds')) if (v.metricName?.endsWith('_sum')) m.set(String(v.labels.api), (m.get(String(v.labels.api)) ?? 0) + v.value);
    return m;
  };

  interface Load {
    name: string;
    seconds: number;
    minimum: number;
    burst: number;
    minimumText: string;
    throttled: number;
    equal: boolean;
    echoSeconds: number;
  }

  /** One initial load, timed, with where its time went. */
  async function load(name: 'to_bitable' | 'to_database', j: SyncJob, minimum: (calls: Map<string, number>) => { seconds: number; burst: number; text: string }): Promise<Load> {
    await new Promise((r) => setTimeout(r, 1100)); // past the rate-limit windows of the seeding and start-up calls
    const since = await lastCallId();
    const emuIpc0 = await emu.cpu();
    const wait0 = await limiterWaitS();
    const callS0 = await hubCallS();
    const echo0 = { ...echoes };
    const marks: { phase: SyncPhase | 'end'; at: number; hubCpu: number; emuCpu?: number }[] = [];
    const mark = (phase: SyncPhase | 'end') => marks.push({ phase, at: performance.now(), hubCpu: hubCpuMs(), emuCpu: procCpuMs(emu.pid) });
    let lastPrint = 0;
    let endedWall = 0;
    let started = 0;
    const r = await profiled(name, async () => {
      started = performance.now();
      mark('resolve');
      const result = await h.sync.run(name, {
        source: 'api',
        onProgress: (p) => {
          if (marks.at(-1)!.phase !== p.phase && p.phase !== 'done') mark(p.phase);
          const now = performance.now();
          if (now - lastPrint > 2000 && p.phase !== 'done') {
            lastPrint = now;
            console.log(`  ${((now - started) / 1000).toFixed(1).padStart(5)} s  ${p.phase.padEnd(13)} ${p.done}/${p.total}`);
          }
        },
      });
      mark('end');
      endedWall = Date.now();
      return result;
    });
    const first = marks[0];
    const last = marks.at(-1)!;
    const ended = last.at;
    const seconds = (ended - started) / 1000;
    const cpu = last.hubCpu - first.hubCpu;
    // The emulator's CPU over the run: /proc (read with each mark); elsewhere its own count over IPC (a little later).
    const emuIpc1 = await emu.cpu();
    const emuTotalMs = last.emuCpu !== undefined && first.emuCpu !== undefined ? last.emuCpu - first.emuCpu : (emuIpc1.user + emuIpc1.system - emuIpc0.user - emuIpc0.system) / 1000;
    // The run's calls: those answered before it returned (the same wall clock in both processes).
    const calls = (await callsSince(since)).filter((c) => c.path.startsWith('/open-apis/') && c.time <= endedWall);
    const byRoute = new Map<string, Call[]>();
    for (const c of calls) byRoute.set(route(c), [...(byRoute.get(route(c)) ?? []), c]);
    const counts = new Map([...byRoute].map(([k, v]) => [k, v.length]));
    const throttled = calls.filter((c) => c.status === 429).length;
    const min = minimum(counts);
    const callS1 = await hubCallS();
    const wait = (await limiterWaitS()) - wait0;

    console.log(`\n${name}: ${r.rows.database} database rows, ${r.rows.bitable} records → plan ${JSON.stringify(r.plan)}; ${r.calls.bitableWrites} Bitable write calls; ${seconds.toFixed(2)} s`);
    console.log(`  minimum the limits allow: ${min.text} = ${min.seconds.toFixed(2)} s → ratio ${(seconds / min.seconds).toFixed(2)}× (floor ≤ ${FLOOR}×, goal ${GOAL}×)`);
    console.log(`  (strictly, "at most r calls in any second" lets the k-th call of an API start ⌊k / r⌋ s after the first: ${min.burst.toFixed(2)} s for these calls${min.burst > 0 ? ` → ${(seconds / min.burst).toFixed(2)}×` : ', no bound at all'})`);
    const phaseRows = marks.slice(0, -1).map((m, i) => {
      const next = marks[i + 1];
      const eCpu = m.emuCpu !== undefined && next.emuCpu !== undefined ? `${Math.round(next.emuCpu - m.emuCpu)} ms` : 'n/a';
      return [m.phase, `${((next.at - m.at) / 1000).toFixed(2)} s`, `${Math.round(next.hubCpu - m.hubCpu)} ms`, eCpu];
    });
    table(['phase', 'wall', 'hub CPU', 'emulator CPU'], [...phaseRows, ['total', `${seconds.toFixed(2)} s`, `${Math.round(cpu)} ms (${((cpu / 1000 / seconds) * 100).toFixed(0)} % of a core)`, `${Math.round(emuTotalMs)} ms (${((emuTotalMs / 1000 / seconds) * 100).toFixed(0)} %)`]], '  ');
    const hubApi = (k: string) => {
      // The hub's metrics label calls by API pattern (ids as :id).
      const pattern = k.replace(/:app|:table|:record|:field/g, ':id');
      const v = callS1.get(pattern);
      return v === undefined ? undefined : v - (callS0.get(pattern) ?? 0);
    };
    table(
      ['API (this run)', 'calls', '429', 'inside the emulator', 'as the hub saw it'],
      [...byRoute].map(([k, v]) => {
        const inside = v.reduce((a, c) => a + c.duration_ms, 0);
        const seen = hubApi(k);
        return [k, String(v.length), String(v.filter((c) => c.status === 429).length), `${(inside / 1000).toFixed(2)} s (avg ${(inside / v.length).toFixed(1)} ms)`, seen === undefined ? 'n/a' : `${seen.toFixed(2)} s (avg ${((seen * 1000) / v.length).toFixed(1)} ms)`];
      }),
      '  ',
    );
    console.log(`  the hub's client-side limiter waits: ${wait.toFixed(2)} s in total over the run's calls`);

    // After the run returned: the hub handles the echoes of its own writes.
    // (The echoes wait for the run: a job's work is serialised, so none of them is handled before it returned.)
    const echoStart = ended;
    const since2 = calls.at(-1)?.id ?? since;
    let echoSeconds = 0;
    if (name === 'to_bitable') {
      await until(() => echoes.actions - echo0.actions >= N, 120_000, `the record-changed echoes of ${N} creates`).catch((e: Error) => console.log(`  ${e.message}`));
      echoSeconds = (echoes.lastAt - echoStart) / 1000;
      console.log(`  after the run: ${echoes.events - echo0.events} record-changed events (${echoes.actions - echo0.actions} actions, ${echoes.applied - echo0.applied} applied) handled ${echoSeconds.toFixed(2)} s after it returned (they were queued behind the run)`);
    } else {
      let lastLog = 0;
      await until(async () => {
        const s = (await j.status()).pending.databaseChanges;
        if (performance.now() - lastLog > 2000) {
          lastLog = performance.now();
          console.log(`  ${((performance.now() - echoStart) / 1000).toFixed(1).padStart(5)} s  change log: ${s} rows waiting`);
        }
        return s === 0;
      }, 300_000, 'the change log of the load to be read');
      echoSeconds = (performance.now() - echoStart) / 1000;
      const after = (await callsSince(since2)).filter((c) => c.path.startsWith('/open-apis/'));
      const byR = new Map<string, number>();
      for (const c of after) byR.set(route(c), (byR.get(route(c)) ?? 0) + 1);
      console.log(`  after the run: the change log held ${r.plan.database.insert_or_update} rows the load itself wrote; read within ${echoSeconds.toFixed(2)} s with ${[...byR].map(([k, v]) => `${k} × ${v}`).join(', ') || 'no calls'}`);
    }
    const v = await h.sync.verify(name);
    console.log(`  verify: ${v.equal ? 'equal' : 'DIFFERENT'} (${v.rows.database} rows, ${v.rows.bitable} records)\n`);
    return { name, seconds, minimum: min.seconds, burst: min.burst, minimumText: min.text, throttled, equal: v.equal && v.rows.database === N && v.rows.bitable === N, echoSeconds };
  }

  const writesNeeded = Math.ceil(N / BITABLE_LIMITS.batchWrite);
  const pagesNeeded = Math.ceil(N / BITABLE_LIMITS.searchPage);
  console.log(`\n(a) DB → Bitable: ${N.toLocaleString('en')} SQLite rows into an empty table`);
  const a = await load('to_bitable', jobA, () => ({ seconds: paced(writesNeeded, WRITE_RATE) + paced(1, SEARCH_RATE), burst: burst(writesNeeded, WRITE_RATE) + burst(1, SEARCH_RATE), text: `${writesNeeded} batch_create ÷ ${WRITE_RATE}/s + 1 search page ÷ ${SEARCH_RATE}/s` }));
  console.log(`(b) Bitable → DB: ${N.toLocaleString('en')} records into an empty SQLite table`);
  const b = await load('to_database', jobB, (calls) => {
    // Whatever the engine wrote back to Bitable during the load (none is needed: every record has its key).
    const writeBacks = [...calls].filter(([k]) => !k.startsWith('GET') && /\/records(\/batch_(create|update|delete)|\/:record)?$/.test(k)).reduce((n, [, v]) => n + v, 0);
    return { seconds: paced(pagesNeeded, SEARCH_RATE) + paced(writeBacks, WRITE_RATE), burst: burst(pagesNeeded, SEARCH_RATE) + burst(writeBacks, WRITE_RATE), text: `${pagesNeeded} search pages ÷ ${SEARCH_RATE}/s + ${writeBacks} write-backs ÷ ${WRITE_RATE}/s` };
  });

  // ---- incremental: one edit at a time ----
  const rows = await jobB.state.byKeys(Array.from({ length: 2 * EDITS }, (_, i) => `B-${pad(Math.floor((i * (N - 1)) / (2 * EDITS - 1)))}`));
  const recordOf = new Map(rows.map((s) => [s.key, s.record_id!]));
  const keys = [...recordOf.keys()];
  const toDbKeys = keys.filter((_, i) => i % 2 === 0).slice(0, EDITS);
  const toBitableKeys = keys.filter((_, i) => i % 2 === 1).slice(0, EDITS);
  const nameOf = dbB.prepare('select name from items where key = ?');
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
  // Past the rate-limit windows of the load's own echo reads (batch_get at its 20/s): the steady state.
  await sleep(1100);

  console.log(`Bitable → database: ${EDITS} person edits one at a time (PATCH /__emulator/bitable/…/records/:id as alice, the record-changed event), each until the SQLite row has the value`);
  const callsPer = async (since: number, n: number) => {
    const by = new Map<string, number>();
    for (const c of await callsSince(since)) if (c.path.startsWith('/open-apis/')) by.set(route(c), (by.get(route(c)) ?? 0) + 1);
    return [...by].map(([k, v]) => `${k.replace('/open-apis/bitable/v1/apps/:app/tables/:table', '…')} × ${v} (${(v / n).toFixed(2)} per change)`).join(', ') || 'none';
  };
  const toDb: number[] = [];
  const toDbAt: [number, number][] = [];
  const slowest = (xs: [number, number][]) => [...xs].sort((x, y) => y[1] - x[1]).slice(0, 3).map(([i, v]) => `#${i + 1} ${v.toFixed(1)} ms`).join(', ');
  let missedToDb = 0;
  const sinceToDb = await lastCallId();
  for (const [i, key] of toDbKeys.entries()) {
    const value = `edited ${i}`;
    const t0 = performance.now();
    await control('PATCH', `/__emulator/bitable/apps/${baseB.app_token}/tables/${baseB.table_id}/records/${recordOf.get(key)}`, { fields: { Name: value }, as: 'alice' });
    const deadline = t0 + 10_000;
    while ((nameOf.get(key) as { name: string } | undefined)?.name !== value && performance.now() < deadline) await sleep(1);
    if ((nameOf.get(key) as { name: string } | undefined)?.name === value) toDbAt.push([i, toDb[toDb.push(performance.now() - t0) - 1]]);
    else missedToDb++;
    if ((i + 1) % 50 === 0) console.log(`  ${i + 1}/${EDITS} edits, p50 so far ${pct(toDb, 50).toFixed(1)} ms`);
    await sleep(EDIT_GAP_MS);
  }
  await sleep(500);
  console.log(`  slowest: ${slowest(toDbAt)}`);
  const toDbCalls = await callsPer(sinceToDb, EDITS);
  console.log(`  the hub's API calls meanwhile: ${toDbCalls}`);

  console.log(`database → Bitable: ${EDITS} UPDATEs one at a time in SQLite (from outside the hub), each until the emulator holds the value (change-log poll every ${POLL_MS} ms)`);
  const setQty = dbB.prepare('update items set qty = ? where key = ?');
  const toBitable: number[] = [];
  const toBitableAt: [number, number][] = [];
  let missedToBitable = 0;
  const sinceToBitable = await lastCallId();
  for (const [i, key] of toBitableKeys.entries()) {
    const value = 1_000_000 + i + 0.5;
    const t0 = performance.now();
    setQty.run(value, key);
    const seen = await Promise.race([emu.watch({ ...baseB, record_id: recordOf.get(key)!, field: 'Qty', value }).then(() => true), sleep(10_000).then(() => false)]);
    if (seen) toBitableAt.push([i, toBitable[toBitable.push(performance.now() - t0) - 1]]);
    else missedToBitable++;
    if ((i + 1) % 50 === 0) console.log(`  ${i + 1}/${EDITS} updates, p50 so far ${pct(toBitable, 50).toFixed(1)} ms`);
    await sleep(EDIT_GAP_MS);
  }
  dbB.close();
  await sleep(500);
  console.log(`  slowest: ${slowest(toBitableAt)}`);
  const toBitableCalls = await callsPer(sinceToBitable, EDITS);
  console.log(`  the hub's API calls meanwhile: ${toBitableCalls}`);

  // ---- report ----
  console.log('');
  table(
    ['initial load', 'measured', 'minimum the limits allow (paced)', 'ratio', 'floor', 'strict bound (bursts)', 'ratio', 'echoes after'],
    [a, b].map((l) => [
      `${l.name === 'to_bitable' ? '(a) DB → Bitable' : '(b) Bitable → DB'} ${N.toLocaleString('en')} rows`,
      `${l.seconds.toFixed(2)} s`,
      `${l.minimum.toFixed(2)} s (${l.minimumText})`,
      `${(l.seconds / l.minimum).toFixed(2)}×`,
      `≤ ${FLOOR}× (goal ${GOAL}×) ${l.seconds / l.minimum <= FLOOR ? 'PASS' : 'FAIL'}`,
      `${l.burst.toFixed(2)} s`,
      l.burst > 0 ? `${(l.seconds / l.burst).toFixed(2)}×` : '—',
      `${l.echoSeconds.toFixed(2)} s`,
    ]),
  );
  console.log('');
  table(
    ['incremental, one at a time', 'n', 'p50', 'p99', 'max', 'hub API calls'],
    [
      [`Bitable edit → SQLite row (event)`, `${toDb.length}/${EDITS}`, ms(pct(toDb, 50)), ms(pct(toDb, 99)), ms(Math.max(...toDb)), toDbCalls],
      [`SQLite UPDATE → Bitable record (poll ${POLL_MS} ms)`, `${toBitable.length}/${EDITS}`, ms(pct(toBitable, 50)), ms(pct(toBitable, 99)), ms(Math.max(...toBitable)), toBitableCalls],
    ],
  );

  const loadRow = (l: Load, label: string): BenchRow => {
    const ratio = l.seconds / l.minimum;
    return { figure: `${label}: initial load of ${N.toLocaleString('en')} rows vs the minimum the limits allow (${l.minimumText})`, value: `${l.seconds.toFixed(2)} s`, reference: `${l.minimum.toFixed(2)} s`, ratio: Number(ratio.toFixed(2)), floor: `≤ ${FLOOR}× (goal ${GOAL}×)`, pass: ratio <= FLOOR };
  };
  const out: BenchRow[] = [
    loadRow(a, '(a) DB → Bitable'),
    loadRow(b, '(b) Bitable → DB'),
    { figure: 'both loads: sides identical by checksum afterwards (verify)', value: `${a.equal ? 'equal' : 'different'} / ${b.equal ? 'equal' : 'different'}`, reference: null, ratio: null, floor: 'equal', pass: a.equal && b.equal },
    ...[a, b]
      .filter((l) => l.burst > 0)
      .map((l) => ({ figure: `${l.name === 'to_bitable' ? '(a)' : '(b)'} the same vs the strict bound of "at most r calls in any second" (bursts)`, value: `${l.seconds.toFixed(2)} s`, reference: `${l.burst.toFixed(2)} s`, ratio: Number((l.seconds / l.burst).toFixed(2)), floor: null, pass: null })),
    { figure: 'HTTP 429 answers during the loads', value: `${a.throttled + b.throttled} × 429`, reference: null, ratio: null, floor: null, pass: null },
    { figure: '(a) echoes of its creates handled after the run returned', value: `${a.echoSeconds.toFixed(2)} s`, reference: null, ratio: null, floor: null, pass: null },
    { figure: '(b) its own change-log rows read after the run returned', value: `${b.echoSeconds.toFixed(2)} s`, reference: null, ratio: null, floor: null, pass: null },
    { figure: `Bitable edit → SQLite row p50 / p99 / max (${toDb.length}/${EDITS} edits)`, value: `${ms(pct(toDb, 50))} / ${ms(pct(toDb, 99))} / ${ms(Math.max(...toDb))}`, reference: null, ratio: null, floor: null, pass: null },
    { figure: `SQLite UPDATE → Bitable record p50 / p99 / max (poll_every_ms ${POLL_MS}; ${toBitable.length}/${EDITS})`, value: `${ms(pct(toBitable, 50))} / ${ms(pct(toBitable, 99))} / ${ms(Math.max(...toBitable))}`, reference: null, ratio: null, floor: null, pass: null },
    { figure: 'incremental changes that arrived (each within 10 s)', value: `${toDb.length + toBitable.length}/${2 * EDITS}`, reference: null, ratio: null, floor: 'all', pass: missedToDb + missedToBitable === 0 },
  ];
  await cleanup();
  reportResult({ name: 'sync', rows: out });
} catch (err) {
  await cleanup();
  throw err;
}
process.exit(process.exitCode ?? 0);

// ---- helpers ----
function pct(xs: number[], p: number): number {
  const s = [...xs].sort((x, y) => x - y);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] : NaN;
}
function ms(x: number): string {
  return Number.isFinite(x) ? `${x.toFixed(1)} ms` : '—';
}
function table(head: string[], body: string[][], indent = ''): void {
  const all = [head, ...body];
  const w = head.map((_, i) => Math.max(...all.map((r) => (r[i] ?? '').length)));
  for (const r of all) console.log(indent + r.map((c, i) => (c ?? '').padEnd(w[i])).join('   ').trimEnd());
}
async function until(cond: () => boolean | Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
  const end = performance.now() + timeoutMs;
  while (!(await cond())) {
    if (performance.now() > end) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
