import type { ConsoleContribution } from '../capability/index.js';
import type { DirectoryApi } from './capability.js';
import type { DirectoryUser } from './model.js';

const person = (u: DirectoryUser, departments: Map<string, string>) => ({
  open_id: u.open_id,
  user_id: u.user_id,
  name: u.name,
  en_name: u.en_name,
  email: u.email,
  job_title: u.job_title,
  status: u.status,
  departments: u.department_ids.map((d) => (d === '0' ? '(root)' : departments.get(d) ?? d)),
  updated_at: u.updated_at,
});

/**
 * The directory capability's console panel (read-only): the mirror's status (people, departments,
 * the last full sync, a run under way, the last error) and its people, searchable.
 */
export const directoryConsole: ConsoleContribution = {
  panels: [
    {
      id: 'directory',
      title: 'Directory',
      icon: 'M16 21v-2a4 4 0 0 0-4-4H6a4 4 0 0 0-4 4v2M9 11a4 4 0 1 0 0-8 4 4 0 0 0 0 8zM22 21v-2a4 4 0 0 0-3-3.9M16 3.1a4 4 0 0 1 0 7.8',
      order: 50,
      module: new URL('./console/directory-panel.js', import.meta.url),
      async data({ hub, query }) {
        const dir = (hub as { directory?: DirectoryApi }).directory;
        if (!dir) return { status: { enabled: false }, people: [], total: 0, q: '' };
        const status = await dir.status();
        if (!status.enabled) return { status, people: [], total: 0, q: '' };
        const q = (query.q ?? '').trim();
        const [found, departments] = await Promise.all([q ? dir.find(q) : dir.users(), dir.departments()]);
        const names = new Map(departments.map((d) => [d.open_department_id, d.name]));
        return { status, q, total: found.length, people: found.slice(0, 200).map((u) => person(u, names)) };
      },
    },
  ],
};
