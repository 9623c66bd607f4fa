import { createHash } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { ApiError } from '../errors.js';
import { avatarUrl } from './avatars.js';
import { DirectoryState, ROOT, type DirectoryDepartment, type DirectoryUser } from './state.js';

export type ContactUserIdType = 'open_id' | 'union_id' | 'user_id';
export type DepartmentIdType = 'open_department_id' | 'department_id';

/** Contact v3 answers HTTP 400 with 4xxxx codes unless noted (messages as the API pages list them). */
export const contactErrors = {
  invalidParam: (field: string, description: string) =>
    new ApiError(400, 40001, 'invalid parameter', { fieldViolations: [{ field, description }] }),
  userIdInvalid: () => new ApiError(400, 41012, 'user id invalid error'),
  openIdsNotExisted: (ids: string[]) => new ApiError(400, 99992351, `these open ids not existed: [${ids.join(' ')}]`),
  noDeptAuthority: () => new ApiError(403, 40004, 'no dept authority error'),
  noParentDeptAuthority: () => new ApiError(403, 40014, 'no parent dept authority error'),
  noUserAuthority: () => new ApiError(400, 41050, 'no user authority error'),
  departmentNotExist: () => new ApiError(400, 40015, 'department not exist'),
  rootDepartment: () => new ApiError(400, 40161, "can't get root department info"),
  processRoot: () => new ApiError(400, 40002, 'process root dept error'),
  missDepartmentId: () => new ApiError(400, 44102, 'miss department_id error'),
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

/** page_size/page_token with contact's own codes (40011, 40012). Tokens are opaque offsets. */
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

/** One page of a list, viewing only the page's items (lists can be 5,000 long). */
export function pageOf<T, V>(items: readonly T[], offset: number, size: number, view: (t: T) => V, key = 'items') {
  const hasMore = offset + size < items.length;
  return {
    [key]: items.slice(offset, offset + size).map(view),
    has_more: hasMore,
    ...(hasMore ? { page_token: Buffer.from(String(offset + size)).toString('base64url') } : {}),
  };
}

/**
 * Whose contact scope applies: the app's for a tenant token; a user token sees the whole tenant
 * (the emulator has no per-user organisation visibility), as does a caller without a token record.
 */
export function scopeApp(request: FastifyRequest): string | undefined {
  return request.auth?.kind === 'user' ? undefined : request.auth?.appId;
}

const dir = (ctx: EmulatorContext) => ctx.slice(DirectoryState);

export function canSeeDepartment(ctx: EmulatorContext, appId: string | undefined, key: string): boolean {
  return appId === undefined || dir(ctx).departmentInScope(appId, key);
}
export function canSeeUser(ctx: EmulatorContext, appId: string | undefined, u: DirectoryUser): boolean {
  return appId === undefined || dir(ctx).userInScope(appId, u);
}
export function wholeTenant(ctx: EmulatorContext, appId: string | undefined): boolean {
  return appId === undefined || dir(ctx).wholeTenant(appId);
}

/** A department by id of the given type. */
export function findDepartment(ctx: EmulatorContext, id: string, type: DepartmentIdType): DirectoryDepartment | undefined {
  return type === 'department_id' ? dir(ctx).department(id) : dir(ctx).departmentByOpenId(id);
}

/**
 * A department key ("0" or a department_id) from an id the caller gave in its id type, checked
 * against the scope: unknown or out of scope is 40004 (HTTP 403), and "0" needs the whole tenant.
 */
export function visibleDepartmentKey(ctx: EmulatorContext, appId: string | undefined, id: string, type: DepartmentIdType): string {
  if (id === ROOT) {
    if (!wholeTenant(ctx, appId)) throw contactErrors.noDeptAuthority();
    return ROOT;
  }
  const d = findDepartment(ctx, id, type);
  if (!d || !canSeeDepartment(ctx, appId, d.department_id)) throw contactErrors.noDeptAuthority();
  return d.department_id;
}

/** Converts a stored department key (department_id, or "0") to the requested id type. */
export function deptIdAs(ctx: EmulatorContext, key: string, type: DepartmentIdType): string {
  if (key === ROOT || type === 'department_id') return key;
  return dir(ctx).department(key)?.open_department_id ?? key;
}

/** A stable number from a string, for seeded fields such as join_time. */
const stableInt = (s: string, mod: number) => createHash('sha256').update(s).digest().readUInt32BE(0) % mod;

const status = (u: DirectoryUser) => ({ is_frozen: false, is_resigned: Boolean(u.resigned), is_activated: !u.resigned, is_exited: false, is_unjoin: false });

/** The user's leader: the leader of their first department led by someone else. */
function leaderOf(ctx: EmulatorContext, u: DirectoryUser): DirectoryUser | undefined {
  const d = dir(ctx);
  for (const key of u.department_ids) {
    const l = d.department(key)?.leader_user_id;
    if (l && l !== u.open_id) return d.findUser(l, 'open_id');
  }
  return undefined;
}

/** The contact v3 user object. */
export function userView(ctx: EmulatorContext, u: DirectoryUser, idType: ContactUserIdType, deptType: DepartmentIdType): Record<string, unknown> {
  const d = dir(ctx);
  const deptIds = u.resigned ? [] : u.department_ids.map((k) => deptIdAs(ctx, k, deptType));
  const leader = leaderOf(ctx, u);
  const index = d.positionOf(u);
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
    status: status(u),
    department_ids: deptIds,
    ...(leader ? { leader_user_id: d.userIdOf(leader, idType) } : {}),
    city: '',
    country: 'CN',
    work_station: '',
    join_time: u.join_time ?? 1_600_000_000 + stableInt(`join:${u.user_id}`, 100_000_000),
    is_tenant_manager: index === 0,
    employee_no: u.employee_no ?? String(index + 1).padStart(4, '0'),
    employee_type: 1,
    orders: deptIds.map((k, i) => ({ department_id: k, user_order: 0, department_order: 0, is_primary_dept: i === 0 })),
    custom_attrs: [],
    enterprise_email: '',
    job_title: u.job_title,
    dotted_line_leader_user_ids: [],
  };
}

/** Fields of the user object in `contact.user.*_v3` events (ids in every type, departments as open_department_id). */
const USER_EVENT_FIELDS = [
  'open_id', 'union_id', 'user_id', 'name', 'en_name', 'nickname', 'email', 'enterprise_email', 'job_title', 'mobile', 'gender', 'avatar',
  'status', 'department_ids', 'leader_user_id', 'city', 'country', 'work_station', 'join_time', 'employee_no', 'employee_type', 'orders',
  'custom_attrs', 'job_level_id', 'job_family_id', 'dotted_line_leader_user_ids',
] as const;

export function userEventObject(ctx: EmulatorContext, u: DirectoryUser): Record<string, unknown> {
  const v: Record<string, unknown> = { ...userView(ctx, u, 'open_id', 'open_department_id'), job_level_id: '', job_family_id: '' };
  return Object.fromEntries(USER_EVENT_FIELDS.filter((k) => k in v).map((k) => [k, v[k]]));
}

/** The contact v3 department object. */
export function departmentView(ctx: EmulatorContext, d: DirectoryDepartment, idType: ContactUserIdType, deptType: DepartmentIdType): Record<string, unknown> {
  const s = dir(ctx);
  const memberCount = s.memberCount(d.department_id);
  const leader = d.leader_user_id ? s.findUser(d.leader_user_id, 'open_id') : undefined;
  const leaderId = leader ? s.userIdOf(leader, idType) : undefined;
  return {
    name: d.name,
    i18n_name: { zh_cn: d.name, ja_jp: '', en_us: d.name },
    parent_department_id: deptIdAs(ctx, d.parent_department_id, deptType),
    department_id: d.department_id,
    open_department_id: d.open_department_id,
    ...(leaderId ? { leader_user_id: leaderId, leaders: [{ leaderType: 1, leaderID: leaderId }] } : { leaders: [] }),
    chat_id: '',
    order: String(s.orderOf(d)),
    unit_ids: [],
    member_count: memberCount,
    status: { is_deleted: false },
    group_chat_employee_types: [],
    department_hrbps: [],
    primary_member_count: memberCount,
  };
}

/** The department object of `contact.department.*_v3` events (open ids; `order` a number, as the event pages show). */
export function departmentEventObject(ctx: EmulatorContext, d: DirectoryDepartment, deleted = false): Record<string, unknown> {
  return {
    name: d.name,
    parent_department_id: deptIdAs(ctx, d.parent_department_id, 'open_department_id'),
    department_id: d.department_id,
    open_department_id: d.open_department_id,
    ...(d.leader_user_id ? { leader_user_id: d.leader_user_id } : {}),
    chat_id: '',
    order: dir(ctx).orderOf(d),
    status: { is_deleted: deleted },
    leaders: d.leader_user_id ? [{ leaderType: 1, leaderID: d.leader_user_id }] : [],
    department_hrbps: [],
  };
}
