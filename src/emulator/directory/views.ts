import { createHash } from 'node:crypto';
import type { EmulatorContext } from '../context.js';
import { ApiError } from '../errors.js';
import type { DepartmentRecord, UserRecord } from '../types.js';
import { avatarUrl } from './avatars.js';
import { DirectoryState } from './state.js';

export type ContactUserIdType = 'open_id' | 'union_id' | 'user_id';
export type DepartmentIdType = 'open_department_id' | 'department_id';

/** Contact v3 answers HTTP 400 with 4xxxx codes unless noted. */
export const contactErrors = {
  invalidParam: (field: string, description: string) =>
    new ApiError(400, 40001, 'invalid parameter', { fieldViolations: [{ field, description }] }),
  userIdInvalid: () => new ApiError(400, 41012, 'user id invalid error'),
  openIdsNotExisted: (ids: string[]) => new ApiError(400, 99992351, `these open ids not existed: [${ids.join(' ')}]`),
  noDeptAuthority: () => new ApiError(403, 40004, 'no dept authority error'),
  departmentNotExist: () => new ApiError(400, 40015, 'department not exist'),
  rootDepartment: () => new ApiError(400, 40161, "can't get root department info"),
  pageSize: (max: number) => new ApiError(400, 40011, 'page size is invalid', { fieldViolations: [{ field: 'page_size', description: `page_size must be between 1 and ${max}` }] }),
  pageToken: () => new ApiError(400, 40012, 'page token is invalid error'),
};

function enumParam<T extends string>(raw: unknown, field: string, allowed: readonly T[], fallback: T): T {
  if (raw === undefined || raw === '') return fallback;
  if (typeof raw === 'string' && (allowed as readonly string[]).includes(raw)) return raw as T;
  throw new ApiError(400, 99992402, 'field validation failed', {
    fieldViolations: [{ field, value: String(raw), description: `${field} must be one of ${allowed.join(', ')}` }],
  });
}

export const userIdTypeOf = (q: Record<string, unknown>) =>
  enumParam(q.user_id_type, 'user_id_type', ['open_id', 'union_id', 'user_id'] as const, 'open_id');
export const deptIdTypeOf = (q: Record<string, unknown>) =>
  enumParam(q.department_id_type, 'department_id_type', ['open_department_id', 'department_id'] as const, 'open_department_id');

/** page_size/page_token with contact's own codes (40011, 40012). */
export function contactPage(q: Record<string, unknown>, defaults: { size: number; max: number }): { size: number; offset: number } {
  let size = defaults.size;
  if (q.page_size !== undefined && q.page_size !== '') {
    size = Number(q.page_size);
    if (!Number.isInteger(size) || size < 1 || size > defaults.max) throw contactErrors.pageSize(defaults.max);
  }
  let offset = 0;
  if (typeof q.page_token === 'string' && q.page_token !== '') {
    offset = Number(Buffer.from(q.page_token, 'base64url').toString());
    if (!Number.isInteger(offset) || offset < 0) throw contactErrors.pageToken();
  }
  return { size, offset };
}

/** A department by id of the given type; "0" is the root in both types. */
export function findDepartment(ctx: EmulatorContext, id: string, type: DepartmentIdType): DepartmentRecord | undefined {
  return ctx.slice(DirectoryState).departments.find((d) => (type === 'department_id' ? d.department_id === id : d.open_department_id === id));
}

/** Converts a stored department key (department_id, or "0") to the requested id type. */
export function deptIdAs(ctx: EmulatorContext, key: string, type: DepartmentIdType): string {
  if (key === '0' || type === 'department_id') return key;
  return ctx.slice(DirectoryState).departments.find((d) => d.department_id === key)?.open_department_id ?? key;
}

/** Departments under a department key, recursively or not. */
export function childDepartments(ctx: EmulatorContext, key: string, recursive: boolean): DepartmentRecord[] {
  const direct = ctx.slice(DirectoryState).departments.filter((d) => d.parent_department_id === key);
  return recursive ? direct.flatMap((d) => [d, ...childDepartments(ctx, d.department_id, true)]) : direct;
}

/** Active users whose department is `key` (directly). */
export const directMembers = (ctx: EmulatorContext, key: string) => ctx.slice(DirectoryState).users.filter((u) => !u.resigned && u.department_ids.includes(key));

/** A stable number from a string, for seeded fields such as join_time. */
const stableInt = (s: string, mod: number) => createHash('sha256').update(s).digest().readUInt32BE(0) % mod;

/** The contact v3 user object. */
export function userView(ctx: EmulatorContext, u: UserRecord, idType: ContactUserIdType, deptType: DepartmentIdType): Record<string, unknown> {
  const dir = ctx.slice(DirectoryState);
  const deptIds = u.resigned ? [] : u.department_ids.map((k) => deptIdAs(ctx, k, deptType));
  const leaderOf = (key: string) => dir.departments.find((d) => d.department_id === key)?.leader_user_id;
  const leaderOpenId = u.department_ids.map(leaderOf).find((l) => l && l !== u.open_id);
  const leader = leaderOpenId ? dir.findUser(leaderOpenId, 'open_id') : undefined;
  const index = dir.users.indexOf(u);
  return {
    union_id: u.union_id,
    user_id: u.user_id,
    open_id: u.open_id,
    name: u.name,
    en_name: u.en_name,
    nickname: '',
    email: u.email,
    mobile: u.mobile,
    mobile_visible: true,
    gender: 0,
    avatar: {
      avatar_72: avatarUrl(ctx, u.open_id, 72),
      avatar_240: avatarUrl(ctx, u.open_id, 240),
      avatar_640: avatarUrl(ctx, u.open_id, 640),
      avatar_origin: avatarUrl(ctx, u.open_id),
    },
    status: { is_frozen: false, is_resigned: Boolean(u.resigned), is_activated: !u.resigned, is_exited: false, is_unjoin: false },
    department_ids: deptIds,
    ...(leader ? { leader_user_id: dir.userIdOf(leader, idType) } : {}),
    city: '',
    country: 'CN',
    work_station: '',
    join_time: 1_600_000_000 + stableInt(`join:${u.user_id}`, 100_000_000),
    is_tenant_manager: index === 0,
    employee_no: String(index + 1).padStart(4, '0'),
    employee_type: 1,
    orders: deptIds.map((d) => ({ department_id: d, user_order: 0, department_order: 0, is_primary_dept: true })),
    custom_attrs: [],
    enterprise_email: '',
    job_title: u.job_title,
    dotted_line_leader_user_ids: [],
  };
}

/** The contact v3 department object. */
export function departmentView(ctx: EmulatorContext, d: DepartmentRecord, idType: ContactUserIdType, deptType: DepartmentIdType): Record<string, unknown> {
  const dir = ctx.slice(DirectoryState);
  const keys = [d.department_id, ...childDepartments(ctx, d.department_id, true).map((c) => c.department_id)];
  const memberCount = dir.users.filter((u) => !u.resigned && u.department_ids.some((k) => keys.includes(k))).length;
  const leader = d.leader_user_id ? dir.findUser(d.leader_user_id, 'open_id') : undefined;
  const leaderId = leader ? dir.userIdOf(leader, idType) : undefined;
  return {
    name: d.name,
    i18n_name: { zh_cn: d.name, ja_jp: '', en_us: d.name },
    parent_department_id: deptIdAs(ctx, d.parent_department_id, deptType),
    department_id: d.department_id,
    open_department_id: d.open_department_id,
    ...(leaderId ? { leader_user_id: leaderId, leaders: [{ leaderType: 1, leaderID: leaderId }] } : { leaders: [] }),
    chat_id: '',
    order: String((dir.departments.indexOf(d) + 1) * 100),
    unit_ids: [],
    member_count: memberCount,
    status: { is_deleted: false },
    group_chat_employee_types: [],
    department_hrbps: [],
    primary_member_count: memberCount,
  };
}
