import { z } from 'zod';
import type { ConsoleContribution } from '../capability/index.js';
import { scrub, secretValues } from '../config/index.js';
import type { SyncApi } from './capability.js';
import { MassDeleteError } from './job.js';

const jobBody = z.object({ job: z.string().min(1).max(200) });
const runBody = jobBody.extend({ allowMassDelete: z.boolean().optional(), confirm: z.string().optional() });

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) throw Object.assign(new Error(r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')), { statusCode: 400 });
  return r.data;
}
const refuse = (message: string, statusCode = 400) => Object.assign(new Error(message), { statusCode });

/** A database URL for the operator's eyes: no password. */
export function safeUrl(url: string): string {
  return url.replace(/\/\/([^/@:]+):[^/@]*@/, '//$1:[redacted]@');
}

const syncOf = (hub: unknown): SyncApi => (hub as { sync: SyncApi }).sync;

/**
 * The sync capability's console panel: every job's state (rows, last run, changes waiting, applied
 * each way, conflicts, why it is paused or failed), a job's recent conflicts with both values, and
 * the actions Verify (equal / differing counts and both checksums) and Run now (a mass delete only
 * when the operator confirms it by typing the job's name).
 */
export const syncConsole: ConsoleContribution = {
  panels: [
    {
      id: 'sync',
      title: 'Sync jobs',
      icon: 'M4 4v5h5M20 20v-5h-5M5.1 15a7 7 0 0 0 12.9 2M18.9 9A7 7 0 0 0 6 7',
      order: 30,
      module: new URL('./console/sync-panel.js', import.meta.url),
      async data({ hub, hubConfig, query }) {
        const sync = syncOf(hub);
        const secrets = secretValues(hubConfig);
        const names = sync?.jobs ?? [];
        const jobs = await Promise.all(
          names.map(async (name) => {
            try {
              const s = await sync.job(name).status();
              return { ...s, database: safeUrl(scrub(s.database, secrets) as string), lastError: s.lastError ? (scrub(s.lastError, secrets) as string) : undefined, lastResult: scrub(s.lastResult ?? null, secrets) };
            } catch (err) {
              return { job: name, unavailable: (err as Error).message };
            }
          }),
        );
        const picked = query.job && names.includes(query.job) ? query.job : undefined;
        const conflicts = picked ? ((await sync.job(picked).state.conflicts(50).catch(() => [])) as unknown[]).map((c) => scrub(c, secrets)) : [];
        return { jobs, job: picked ?? null, conflicts };
      },
      actions: {
        /** Compares both sides now: counts, keys that differ, both checksums. Writes nothing. */
        async verify({ hub }, body) {
          const { job } = parse(jobBody, body);
          const sync = syncOf(hub);
          if (!sync.jobs.includes(job)) throw refuse(`no sync job "${job}"`, 404);
          const r = await sync.verify(job);
          return { job: r.job, equal: r.equal, rows: r.rows, checksum: r.checksum, onlyInDatabase: r.onlyInDatabase.length, onlyInBitable: r.onlyInBitable.length, different: r.different.length, duplicates: r.duplicates.length, keyless: r.keyless, sample: { onlyInDatabase: r.onlyInDatabase.slice(0, 20), onlyInBitable: r.onlyInBitable.slice(0, 20), different: r.different.slice(0, 20) } };
        },
        /** A full run now; `allowMassDelete` only with `confirm` equal to the job's name. */
        async run({ hub }, body) {
          const { job, allowMassDelete, confirm } = parse(runBody, body);
          const sync = syncOf(hub);
          if (!sync.jobs.includes(job)) throw refuse(`no sync job "${job}"`, 404);
          if (allowMassDelete && confirm !== job) throw refuse(`allowing a mass delete needs confirm: "${job}" (the job's name, typed by the operator)`);
          try {
            const r = await sync.run(job, { allowMassDelete: !!allowMassDelete, source: 'api' });
            return { job: r.job, resumed: r.resumed, durationMs: r.durationMs, rows: r.rows, plan: r.plan, keyed: r.keyed, conflicts: r.conflicts.length, allowMassDelete: !!allowMassDelete };
          } catch (err) {
            if (err instanceof MassDeleteError) throw refuse(`${err.message} — nothing was written. Check the other side, then run again allowing the mass delete if it is meant.`, 409);
            throw err;
          }
        },
      },
    },
  ],
};
