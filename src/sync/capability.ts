import { defineCapability } from '../capability/index.js';
import type { Logger } from '../config/index.js';
import type { Store } from '../store/index.js';
import type { BitableClient } from '../bitable/index.js';
import { registerSyncCommands } from './cli.js';
import { syncConfigSchema, type SyncConfig } from './config.js';
import { SyncJob, type JobStatus, type RunOptions, type RunResult, type VerifyResult } from './job.js';
import { syncMigrations } from './tables.js';
import { sandboxSyncConfig } from './sandbox.js';
import { syncScopes } from './scopes.js';
import { syncConsole } from './console-panel.js';

/** `hub.sync`: the configured sync jobs. */
export interface SyncApi {
  /** The job names from feishu-hub.yaml `sync.jobs`. */
  readonly jobs: string[];
  job(name: string): SyncJob;
  /**
   * A full run now (initial load, catch-up or repair), joined after the job's other work.
   *
   * @example
   * const r = await hub.sync.run('orders', { dryRun: true }); console.log(r.plan);
   */
  run(name: string, o?: RunOptions): Promise<RunResult>;
  verify(name: string): Promise<VerifyResult>;
  status(): Promise<JobStatus[]>;
}

declare module '../capability/index.js' {
  interface HubExtensions {
    sync: SyncApi;
  }
}

const runtimes = new WeakMap<Store, Map<string, SyncJob>>();

/**
 * Bitable ↔ SQL sync: each job keeps a Bitable table and a database table equal — an initial
 * load, then record-changed events one way and the database's change log the other, with a
 * periodic reconcile scan that repairs what both missed.
 */
export const syncCapability = defineCapability({
  name: 'sync',
  scopes: syncScopes,
  after: ['platform', 'bitable'],
  config: { schema: syncConfigSchema, yamlKey: 'sync' },
  sandbox: {
    config: sandboxSyncConfig,
    hint: ({ emulatorUrl }) => [`sync           ${emulatorUrl}/#/base   (edit a cell of "Orders": the row in data/demo-orders.db follows; npx feishu-hub sync status)`],
  },
  migrations: syncMigrations,
  console: syncConsole,
  setup({ hub, config, decorate, on, onStart, onStop, logger }) {
    const cfg = config as SyncConfig;
    const names = Object.keys(cfg.jobs);
    let jobs: Map<string, SyncJob> | undefined;
    const job = (name: string) => {
      if (!jobs) throw new Error('the sync capability has not started yet');
      const j = jobs.get(name);
      if (!j) throw new Error(`no sync job "${name}" (configured: ${names.join(', ') || 'none — add sync.jobs to feishu-hub.yaml'})`);
      return j;
    };
    const api: SyncApi = {
      jobs: names,
      job,
      run: (name, o) => job(name).run(o),
      verify: (name) => job(name).verify(),
      status: () => Promise.all(names.map((n) => job(n).status())),
    };
    decorate({ sync: api });
    if (!names.length) return;

    // Record changes: one event names records of one table; every job on that table applies them.
    on(
      'drive.file.bitable_record_changed_v1',
      async (ctx) => {
        if (!jobs) throw new Error('sync has not started yet; the event is retried');
        const event = ctx.event as Parameters<SyncJob['onRecordChanged']>[0];
        for (const j of jobs.values()) await j.onRecordChanged(event);
      },
      'sync',
    );

    onStart(async ({ store }) => {
      const bitable = (hub as unknown as { bitable: BitableClient }).bitable;
      jobs = new Map(names.map((n) => [n, new SyncJob(n, cfg.jobs[n], { store, bitable, logger })]));
      runtimes.set(store, jobs);
      for (const j of jobs.values()) void startJob(j, logger);
    });
    onStop(async () => {
      for (const j of jobs?.values() ?? []) await j.close().catch(() => undefined);
    });
  },
  jobs: [
    {
      name: 'poll-database',
      enabled: (c: SyncConfig) => Object.keys(c.jobs).length > 0,
      everyMs: (c: SyncConfig) => Math.min(...Object.values(c.jobs).map((j) => j.poll_every_ms)),
      async run({ store, logger }) {
        for (const j of runtimes.get(store)?.values() ?? []) {
          if (!j.started) continue;
          await j.pollDatabase().catch((err: unknown) => void logger.error({ err, sync: j.name }, `sync ${j.name}: reading the database change log failed; retried on the next poll`));
        }
      },
    },
    {
      name: 'reconcile',
      singleton: true,
      enabled: (c: SyncConfig) => Object.keys(c.jobs).length > 0,
      everyMs: (c: SyncConfig) => Math.min(...Object.values(c.jobs).map((j) => j.reconcile_every_ms)),
      async run({ store, logger }) {
        for (const j of runtimes.get(store)?.values() ?? []) {
          if (!j.started) continue;
          const last = (await j.status()).lastRunAt ?? 0;
          if (Date.now() - last < j.config.reconcile_every_ms * 0.9) continue;
          const r = await j.run({ source: 'reconcile' }).catch((err: unknown) => void logger.error({ err, sync: j.name }, `sync ${j.name}: the reconcile run failed: ${(err as Error).message}`));
          if (r && (r.plan.database.insert_or_update || r.plan.database.delete || r.plan.bitable.create || r.plan.bitable.update || r.plan.bitable.delete)) {
            logger.warn({ sync: j.name, plan: r.plan }, `sync ${j.name}: reconcile repaired rows the incremental path had missed`);
          }
        }
      },
    },
  ],
  cli: ({ program }) => registerSyncCommands(program),
});

/** Subscribes the base (record-changed events) and runs the job once (initial load or catch-up). */
async function startJob(j: SyncJob, logger: Logger): Promise<void> {
  try {
    const { table } = await j.ready();
    if (j.config.direction !== 'to_bitable') await j.bitable.subscribe(table.appToken);
    if (j.config.run_at_start) {
      const r = await j.run({ source: 'start' });
      logger.info({ sync: j.name, rows: r.rows, plan: r.plan, resumed: r.resumed, duration_ms: r.durationMs }, `sync ${j.name}: ${r.resumed ? 'resumed and finished' : 'in step'} (${r.rows.database} database rows, ${r.rows.bitable} records)`);
    }
  } catch (err) {
    logger.error({ err, sync: j.name }, `sync ${j.name}: could not start: ${(err as Error).message} (the reconcile job tries again)`);
  } finally {
    j.started = true;
  }
}
