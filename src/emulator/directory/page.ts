import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import type { PageEntry } from '../product.js';
import { DirectoryState, ROOT, type DirectoryDepartment, type DirectoryUser } from './state.js';

/**
 * The directory's page in the web client (a contacts view like Feishu's): the client imports
 * `web/directory.js` from this folder and renders it at `/#/directory`. `icon` and `module` are
 * read by the web client (see web/pages.ts).
 */
export const directoryPage: PageEntry = {
  title: 'Directory',
  path: '/#/directory',
  icon: 'contacts',
  module: new URL('./web/directory.js', import.meta.url).href,
};

/** A person's ids, names and contact, as the page and the control routes show them. */
export const personFields = (u: DirectoryUser) => ({
  open_id: u.open_id,
  union_id: u.union_id,
  user_id: u.user_id,
  name: u.name,
  en_name: u.en_name,
  email: u.email,
  mobile: u.mobile,
  job_title: u.job_title,
});

export const personStatus = (u: DirectoryUser) => (u.resigned ? ('resigned' as const) : ('active' as const));

const avatar = (openId: string) => `/__emulator/avatars/${encodeURIComponent(openId)}?size=96`;

/** What the page shows: departments with leaders and head counts, users with their departments' names. */
export function directoryView(ctx: EmulatorContext) {
  const dir = ctx.slice(DirectoryState);
  const person = (openId: string | undefined) => {
    const u = openId ? dir.findUser(openId, 'open_id') : undefined;
    return u ? { open_id: u.open_id, user_id: u.user_id, name: u.en_name || u.name } : undefined;
  };
  const department = (d: DirectoryDepartment) => ({
    department_id: d.department_id,
    open_department_id: d.open_department_id,
    name: d.name,
    parent_department_id: d.parent_department_id,
    leader: person(d.leader_user_id),
    /** Active members, sub-departments included (contact v3's member_count). */
    member_count: dir.memberCount(d.department_id),
  });
  return {
    tenant_key: dir.tenantKey,
    departments: dir.departments.map(department),
    users: dir.users.map((u) => ({
      ...personFields(u),
      avatar: avatar(u.open_id),
      departments: u.department_ids.map((k) => ({ department_id: k, name: k === ROOT ? 'Organization' : (dir.department(k)?.name ?? k) })),
      leader_of: dir.ledBy(u.open_id).map((d) => d.department_id),
      status: personStatus(u),
    })),
  };
}

/** `GET /__emulator/directory`: the tenant's people and departments as the directory page shows them. */
export function registerDirectoryPageRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get('/__emulator/directory', async () => directoryView(ctx));
}
