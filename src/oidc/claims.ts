import type { HubUser } from '../sso/index.js';
import type { SubjectField } from './config.js';

/** The part of the hub's user (hub.sso's HubUser) the provider reads. */
export type OidcUser = Pick<HubUser, 'id' | 'open_id' | 'union_id' | 'user_id' | 'name' | 'en_name' | 'email' | 'avatar_url' | 'employee_no' | 'tenant_key'>;

/** What the contact capability (hub.directory) may tell about a user; every field optional. */
export interface DirectoryUser {
  department_ids?: string[];
  employee_no?: string;
  /** `active`, `resigned`, `frozen`, `inactive`, `deleted` (the contact capability's words). */
  status?: string;
  departments?: { department_id?: string; name?: string }[] | string[];
  [key: string]: unknown;
}

export interface DirectoryLike {
  /** False when the contact capability is present but off. */
  enabled?: boolean;
  user(openId: string): Promise<DirectoryUser | undefined> | DirectoryUser | undefined;
  department?(departmentId: string): Promise<{ name?: string } | undefined> | { name?: string } | undefined;
}

/** People the directory says have left (or are frozen) get no more tokens, refreshes included. */
export const GONE = new Set(['resigned', 'frozen', 'deleted']);

/** The user's `sub`: the configured Feishu id (undefined when this user has none, e.g. no email). */
export function subjectOf(user: OidcUser, field: SubjectField): string | undefined {
  const value = user[field];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/**
 * Every claim the user has; oidc-provider releases those of the granted scopes only. Directory data
 * (departments, employee number) is read only when the department or employee scope was granted.
 */
export async function claimsOf(user: OidcUser, o: { subject: SubjectField; scope: string; emailVerified: boolean; directory?: DirectoryLike }): Promise<Record<string, unknown>> {
  const scopes = new Set(o.scope.split(' '));
  const claims: Record<string, unknown> = {
    sub: subjectOf(user, o.subject),
    name: user.name,
    preferred_username: user.user_id ?? user.email?.split('@')[0] ?? user.en_name,
    picture: user.avatar_url,
    email: user.email,
    email_verified: user.email ? o.emailVerified : undefined,
    open_id: user.open_id,
    union_id: user.union_id,
    user_id: user.user_id,
    tenant_key: user.tenant_key,
    employee_no: user.employee_no,
  };
  if (o.directory && (scopes.has('department') || scopes.has('employee'))) {
    const row = await o.directory.user(user.open_id);
    if (row) {
      const ids = Array.isArray(row.department_ids) ? row.department_ids.filter((d): d is string => typeof d === 'string') : [];
      claims.department_ids = ids;
      claims.employee_no = row.employee_no ?? user.employee_no;
      if (scopes.has('department')) claims.departments = await departmentNames(row, ids, o.directory);
    }
  }
  return Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined && v !== null));
}

async function departmentNames(row: DirectoryUser, ids: string[], directory: DirectoryLike): Promise<string[]> {
  if (Array.isArray(row.departments) && row.departments.length) {
    return row.departments.map((d) => (typeof d === 'string' ? d : (d.name ?? d.department_id ?? ''))).filter(Boolean);
  }
  if (!directory.department) return [];
  const names = await Promise.all(ids.map(async (id) => (await directory.department!(id))?.name));
  return names.filter((n): n is string => typeof n === 'string' && n !== '');
}
