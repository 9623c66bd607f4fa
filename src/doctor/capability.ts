import { defineCapability } from '../capability/index.js';
import { scrub, secretValues } from '../config/index.js';
import type { Store } from '../store/index.js';
import type { DoctorReport } from './types.js';

// The last report of each hub (by its store), shown until the next run.
const last = new WeakMap<Store, { at: number; by: string; report: DoctorReport }>();

/**
 * The doctor on the console: `feishu-hub doctor`'s checks run by the hub itself, with its own
 * (effective) configuration, on demand. The doctor belongs to no capability; this one exists only
 * to contribute the page (a capability's folder plus one line in the list, as the contract says).
 */
export const doctorCapability = defineCapability({
  name: 'doctor',
  console: {
    panels: [
      {
        id: 'doctor',
        title: 'Doctor',
        icon: 'M12 21s-7-4.5-9-9.5C1.6 7.8 4 4 7.5 4c2 0 3.4 1.1 4.5 2.6C13.1 5.1 14.5 4 16.5 4 20 4 22.4 7.8 21 11.5 19 16.5 12 21 12 21zM8 12h2l1.5-3 2 6 1.5-3h2',
        order: 800,
        module: new URL('./console/doctor-panel.js', import.meta.url),
        data: ({ store }) => last.get(store) ?? null,
        actions: {
          /** Runs every check now (Feishu's reachability and the credentials, scopes, push URLs, the stores). */
          async run({ store, hubConfig, capabilities }, _body, who) {
            const { runDoctor } = await import('./doctor.js'); // lazily: doctor.js reads the capability list this capability is in
            const report = scrub(await runDoctor(() => hubConfig, capabilities.map((c) => c.capability)), secretValues(hubConfig)) as DoctorReport;
            const entry = { at: Date.now(), by: who.name, report };
            last.set(store, entry);
            return { ok: report.ok, failed: report.checks.filter((c) => c.status === 'fail').map((c) => c.id), warned: report.checks.filter((c) => c.status === 'warn').map((c) => c.id) };
          },
        },
      },
    ],
  },
});
