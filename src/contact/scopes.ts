import type { ScopeNeed } from '../capability/index.js';

const PROBE_USER = 'ou_feishu_hub_doctor_probe';
/** Reading a person or a department, narrowest first (contact scopes need an admin's approval). */
const READ = ['contact:contact.base:readonly', 'contact:contact:readonly_as_app', 'contact:contact:readonly', 'contact:contact:access_as_app'];
/** Walking the organisation (children, members), narrowest first. */
const ORGANIZE = ['contact:contact.base:readonly', 'contact:department.organize:readonly', 'contact:contact:readonly_as_app', 'contact:contact:readonly', 'contact:contact:access_as_app'];

/** One person by open_id or user_id. */
export const getUser: ScopeNeed<any> = {
  api: 'GET /open-apis/contact/v3/users/:user_id',
  scopes: READ,
  why: 'look a person up (name, email)',
  sensitive: true,
  probe: { url: `/open-apis/contact/v3/users/${PROBE_USER}`, params: { user_id_type: 'open_id' } },
};
/** A person's ids from an email or a mobile number. */
export const userIdByEmail: ScopeNeed<any> = {
  api: 'POST /open-apis/contact/v3/users/batch_get_id',
  scopes: ['contact:user.id:readonly'],
  why: 'find a person by email',
  sensitive: true,
  probe: { url: '/open-apis/contact/v3/users/batch_get_id', params: { user_id_type: 'open_id' }, data: { emails: ['feishu-hub-doctor-probe@invalid.example'] } },
};

/** The directory mirror: the app's contact scope, then every department's children and members. */
export const directoryScopes: ScopeNeed<{ enabled: boolean }>[] = [
  ...([
    { api: 'GET /open-apis/contact/v3/scopes', scopes: ['contact:contact.base:readonly', 'contact:contact:readonly_as_app', 'contact:contact:access_as_app'], probe: { url: '/open-apis/contact/v3/scopes', params: { page_size: 1 } } },
    { api: 'GET /open-apis/contact/v3/departments/:department_id', scopes: READ, probe: { url: '/open-apis/contact/v3/departments/od-feishu-hub-doctor-probe' } },
    { api: 'GET /open-apis/contact/v3/departments/:department_id/children', scopes: ORGANIZE, probe: { url: '/open-apis/contact/v3/departments/0/children', params: { page_size: 1 } } },
    { api: 'GET /open-apis/contact/v3/users/find_by_department', scopes: ORGANIZE },
    { api: 'GET /open-apis/contact/v3/users/batch', scopes: ['contact:contact.base:readonly'], probe: { url: '/open-apis/contact/v3/users/batch', params: { user_ids: PROBE_USER } } },
  ] as Omit<ScopeNeed, 'why'>[]).map((e) => ({ ...e, why: 'mirror the directory (people and departments)', sensitive: true, enabled: (c: { enabled: boolean }) => c.enabled })),
];
