import type { Command } from 'commander';
import { openHubStore, platformOrSandbox, printError, printTable, UsageError, type ClientFlags } from '../cli/commands/_client.js';
import { parseCapabilityConfig } from '../capability/index.js';
import { createLogger, loadConfig } from '../config/index.js';
import { BitableClient } from '../bitable/index.js';
import type { Store } from '../store/index.js';
import { syncConfigSchema, type SyncConfig } from './config.js';
import { SyncJob, type RunResult, type SyncProgress } from './job.js';
import { sandboxSyncConfig } from './sandbox.js';

const json = (v: unknown) => console.log(JSON.stringify(v, null, 2));
const iso = (ms?: number) => (ms ? new Date(ms).toISOString().replace('T', ' ').slice(0, 19) : '');

function syncConfig(): SyncConfig {
  const hubConfig = loadConfig();
  const { value, problems } = parseCapabilityConfig({ name: 'sync', config: { schema: syncConfigSchema, yamlKey: 'sync' }, sandbox: { config: sandboxSyncConfig } }, hubConfig);
  if (problems.length) throw new UsageError(problems.join('\n'));
  return (value ?? syncConfigSchema.parse({})) as SyncConfig;
}

/** Opens the store and the named job (or every job), runs `fn`, closes both. */
async function withJobs<T>(flags: ClientFlags, only: string | undefined, fn: (jobs: SyncJob[], store: Store) => Promise<T>): Promise<T> {
  const config = syncConfig();
  const names = Object.keys(config.jobs);
  if (only && !names.includes(only)) throw new UsageError(`no sync job "${only}" in feishu-hub.yaml (configured: ${names.join(', ') || 'none — add sync.jobs'})`);
  const platform = platformOrSandbox(flags);
  const bitable = new BitableClient(platform);
  const logger = createLogger({ level: process.env.LOG_LEVEL ?? 'warn' });
  const store = await openHubStore();
  const jobs = (only ? [only] : names).map((n) => new SyncJob(n, config.jobs[n], { store, bitable, logger }));
  try {
    return await fn(jobs, store);
  } finally {
    for (const j of jobs) await j.close().catch(() => undefined);
    await store.close();
  }
}

const fail = (asJson?: boolean) => (err: unknown) => {
  printError(err, asJson);
  process.exitCode = 1;
};

const PHASES: Record<SyncProgress['phase'], string> = { resolve: 'schema', 'scan-bitable': 'read Bitable', 'scan-database': 'read database', plan: 'plan', apply: 'write', done: 'done' };

async function progressBar(): Promise<{ update: (p: SyncProgress) => void; stop: () => void }> {
  const { default: cliProgress } = await import('cli-progress');
  const bar = new cliProgress.SingleBar(
    { format: ' {phase} |{bar}| {value}/{total} rows | {rate} rows/s | ETA {eta_formatted}', hideCursor: true, clearOnComplete: false, noTTYOutput: !process.stderr.isTTY, notTTYSchedule: 2000, etaBuffer: 50 },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let phase = '';
  let since = Date.now();
  return {
    update(p) {
      // Nothing to count yet (reading the field list): no bar until there are rows.
      if (p.phase === 'done' || (p.phase === 'resolve' && !p.total)) return;
      if (PHASES[p.phase] !== phase) {
        phase = PHASES[p.phase];
        since = Date.now();
      }
      const payload = { phase: phase.padEnd(13), rate: Math.round((p.done * 1000) / Math.max(1, Date.now() - since)) };
      if (!started) {
        bar.start(Math.max(1, p.total), p.done, payload);
        started = true;
      }
      bar.setTotal(Math.max(1, p.total));
      bar.update(p.done, payload);
    },
    stop: () => started && bar.stop(),
  };
}

function printRun(r: RunResult): void {
  const what = r.dryRun ? 'dry run (nothing written)' : `done in ${(r.durationMs / 1000).toFixed(1)} s${r.resumed ? ' (resumed a run that was cut off)' : ''}`;
  console.log(`\nsync ${r.job}: ${what} — ${r.rows.database} database rows, ${r.rows.bitable} Bitable records, ${r.plan.in_sync} already in step`);
  const verb = r.dryRun ? 'TO ' : '';
  printTable(
    ['SIDE', `${verb}WRITE`, `${verb}DELETE`],
    [
      ['database', `${r.plan.database.insert_or_update} rows (insert or update)`, String(r.plan.database.delete)],
      ['bitable', `${r.plan.bitable.create + r.plan.bitable.update} records (${r.plan.bitable.create} new, ${r.plan.bitable.update} updated)`, String(r.plan.bitable.delete)],
    ],
  );
  if (r.keyed) console.log(`${r.keyed} record(s) without a key got their record id as key`);
  if (r.conflicts.length) {
    console.log(`\n${r.plan.conflicts} conflict(s)${r.dryRun ? ' would be settled' : ' settled and recorded'} (sync conflicts ${r.job} lists them):`);
    printTable(
      ['KEY', 'REASON', 'WINNER', 'DATABASE', 'BITABLE'],
      r.conflicts.slice(0, 10).map((c) => [c.key, c.reason, c.winner, c.database ? JSON.stringify(c.database) : '(absent)', c.bitable ? JSON.stringify(c.bitable) : '(absent)']),
      40,
    );
  }
}

export function registerSyncCommands(program: Command): void {
  const sync = program.command('sync').description('Bitable ↔ database sync jobs from feishu-hub.yaml `sync.jobs` (run, status, verify, conflicts)');
  const withFlags = (c: Command) => c.option('--emulator <url>', 'against a local emulator (default with no FEISHU_APP_ID: the sandbox\'s, on FEISHU_EMULATOR_PORT)').option('--json', 'print JSON (no progress bar)');

  withFlags(
    sync
      .command('run <job>')
      .description('run a job now: initial load, catch-up or repair (a progress bar, then what was written on each side)')
      .option('--dry-run', 'print the plan (creates, updates, deletes per side) and write nothing')
      .option('--allow-mass-delete', 'let this run delete more than the job\'s mass_delete_percent of a side'),
  ).action(async (name: string, o: ClientFlags & { dryRun?: boolean; allowMassDelete?: boolean }) => {
    try {
      await withJobs(o, name, async ([job]) => {
        const bar = o.json ? undefined : await progressBar();
        let r: RunResult;
        try {
          r = await job.run({ dryRun: o.dryRun, allowMassDelete: o.allowMassDelete, onProgress: bar?.update, source: 'cli' });
        } finally {
          bar?.stop();
        }
        if (o.json) json(r);
        else printRun(r);
      });
    } catch (err) {
      fail(o.json)(err);
    }
  });

  withFlags(sync.command('status').description('each job: rows in step, last run, changes waiting, conflicts, a paused job\'s reason')).action(async (o: ClientFlags) => {
    try {
      await withJobs(o, undefined, async (jobs) => {
        for (const j of jobs) await j.ready().catch(() => undefined);
        const all = await Promise.all(jobs.map((j) => j.status()));
        if (o.json) return json(all);
        if (!all.length) return console.log('no sync jobs configured (add sync.jobs to feishu-hub.yaml)');
        printTable(
          ['JOB', 'DIRECTION', 'DATABASE', 'BITABLE', 'ROWS', 'LAST RUN', 'WAITING', '→DB', '→BITABLE', 'CONFLICTS', 'STATE'],
          all.map((s) => [s.job, s.direction, s.database, s.bitable ? `${s.bitable.app_token}/${s.bitable.table_id}` : '', String(s.rows), iso(s.lastRunAt), String(s.pending.databaseChanges), String(s.applied.toDatabase), String(s.applied.toBitable), String(s.conflicts), s.blocked ? 'paused: mass delete' : s.running ? (s.running.phase === 'failed' ? 'last run failed; the next run resumes it' : `running, or cut off in ${s.running.phase} (the next run resumes it)`) : s.lastError ? 'last run failed' : 'ok']),
          48,
        );
        for (const s of all) {
          if (s.blocked) console.log(`\n${s.job}: ${s.blocked}`);
          else if (s.lastError) console.log(`\n${s.job}: ${s.lastError}`);
        }
      });
    } catch (err) {
      fail(o.json)(err);
    }
  });

  withFlags(sync.command('verify <job>').description('compare every row of both sides by checksum; --repair runs the job to fix what differs').option('--repair', 'run the job after a difference is found')).action(async (name: string, o: ClientFlags & { repair?: boolean }) => {
    try {
      await withJobs(o, name, async ([job]) => {
        const v = await job.verify();
        let repaired: RunResult | undefined;
        if (!v.equal && o.repair) repaired = await job.run({ source: 'repair' });
        if (o.json) return json({ ...v, ...(repaired ? { repaired } : {}) });
        console.log(`sync ${name}: ${v.equal ? 'both sides are identical' : 'the sides differ'} — ${v.rows.database} database rows, ${v.rows.bitable} Bitable records`);
        printTable(['SIDE', 'CHECKSUM (sha256 over every row)'], [['database', v.checksum.database], ['bitable', v.checksum.bitable]], 70);
        if (!v.equal) {
          printTable(
            ['ONLY IN DATABASE', 'ONLY IN BITABLE', 'DIFFERENT', 'DUPLICATE KEYS', 'NO KEY'],
            [[String(v.onlyInDatabase.length), String(v.onlyInBitable.length), String(v.different.length), String(v.duplicates.length), String(v.keyless)]],
          );
          const sample = [...v.different.slice(0, 5).map((k) => `different: ${k}`), ...v.onlyInDatabase.slice(0, 5).map((k) => `only in database: ${k}`), ...v.onlyInBitable.slice(0, 5).map((k) => `only in Bitable: ${k}`)];
          if (sample.length) console.log(sample.join('\n'));
          if (repaired) printRun(repaired);
          else console.log(`\nrepair: feishu-hub sync verify ${name} --repair (or sync run ${name})`);
          process.exitCode = repaired ? 0 : 3;
        }
      });
    } catch (err) {
      fail(o.json)(err);
    }
  });

  withFlags(sync.command('conflicts <job>').description('the conflicts the job settled, newest first, with both sides\' values').option('--limit <n>', 'how many', '20')).action(async (name: string, o: ClientFlags & { limit: string }) => {
    try {
      await withJobs(o, name, async ([job]) => {
        const list = await job.state.conflicts(Number(o.limit) || 20);
        if (o.json) return json(list);
        if (!list.length) return console.log(`sync ${name}: no conflicts recorded`);
        printTable(
          ['WHEN', 'KEY', 'REASON', 'WINNER', 'DATABASE', 'BITABLE'],
          list.map((c) => [iso(c.at), c.key, c.reason, c.winner, c.database ? JSON.stringify(c.database) : '(absent)', c.bitable ? JSON.stringify(c.bitable) : '(absent)']),
          40,
        );
      });
    } catch (err) {
      fail(o.json)(err);
    }
  });
}
