import { Cron } from 'croner';
import { sql } from 'kysely';
import type { Logger } from '../config/index.js';
import type { Store } from '../store/index.js';
import type { JobDefinition } from './define.js';

export interface RunningJobs {
  stop(): Promise<void>;
}

/**
 * Starts jobs: croner for schedules, timers for intervals. A run never overlaps the previous one
 * of the same job. A singleton job on PostgreSQL runs inside a transaction holding an advisory
 * lock, so across replicas exactly one runs it each time (the others skip that run); on SQLite
 * there is one process by construction.
 */
export function startJobs(jobs: { job: JobDefinition<any>; capability: string; run: () => Promise<unknown> }[], deps: { store: Store; logger: Logger }): RunningJobs {
  const stops: (() => void)[] = [];
  const running = new Set<Promise<unknown>>();
  let stopped = false;
  for (const { job, capability, run } of jobs) {
    const log = deps.logger.child({ job: `${capability}/${job.name}` });
    let busy = false;
    const once = async () => {
      if (busy || stopped) return;
      busy = true;
      const p = (job.singleton ? runAsSingleton(deps.store, `${capability}/${job.name}`, run, log) : run())
        .catch((err: unknown) => log.error({ err }, 'job failed; it runs again at its next time'))
        .finally(() => {
          busy = false;
          running.delete(p);
        });
      running.add(p);
      await p;
    };
    if (job.schedule) {
      const cron = new Cron(job.schedule, { protect: true, catch: false }, () => once());
      stops.push(() => cron.stop());
    } else if (typeof job.everyMs === 'number') {
      const timer = setInterval(() => void once(), job.everyMs);
      timer.unref();
      stops.push(() => clearInterval(timer));
    } else {
      throw new Error(`job ${capability}/${job.name} needs a schedule (cron) or everyMs`);
    }
    if (job.runAtStart) void once();
  }
  return {
    async stop() {
      stopped = true;
      for (const stop of stops) stop();
      await Promise.allSettled([...running]);
    },
  };
}

async function runAsSingleton(store: Store, name: string, run: () => Promise<unknown>, log: Logger): Promise<unknown> {
  if (store.dialect !== 'postgres') return run();
  return store.db.transaction().execute(async (trx) => {
    const { rows } = await sql<{ got: boolean }>`select pg_try_advisory_xact_lock(hashtext(${`feishu-hub:job:${name}`})) as got`.execute(trx);
    if (!rows[0]?.got) {
      log.debug('another replica is running this singleton job; skipped');
      return undefined;
    }
    return run();
  });
}
