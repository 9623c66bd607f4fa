import { z } from 'zod';
import type { EmulatorContext } from '../context.js';
import { hex, newId } from '../ids.js';
import { AuthState } from '../auth/index.js';
import { DirectoryState, ROOT, type ContactScope, type DirectoryDepartment, type DirectoryUser } from './state.js';
import { departmentEventObject, departmentView, userEventObject, userView } from './views.js';

/**
 * The directory as an administrator changes it (the admin console's add/edit/remove, here control
 * routes the Directory page also uses). Each change pushes the contact event the platform pushes
 * to every app whose contact scope covers it; the seed route replaces everything and pushes none.
 */

/** A control-route refusal; with a contact `code` when the platform has one for it. */
export class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly code?: number,
    readonly msg?: string,
  ) {
    super(message);
  }
}

export const userBody = z
  .object({
    name: z.string().min(1).max(64),
    en_name: z.string().max(64).optional(),
    email: z.string().email().optional(),
    mobile: z.string().min(5).max(20).optional(),
    department_ids: z.array(z.string().min(1)).max(20).optional(),
    job_title: z.string().max(100).optional(),
    user_id: z.string().min(1).max(64).optional(),
    employee_no: z.string().max(64).optional(),
  })
  .strict();
export const userPatch = userBody.partial().omit({ user_id: true }).strict();

export const deptBody = z
  .object({
    name: z.string().min(1).max(100),
    parent_department_id: z.string().min(1).optional(),
    department_id: z.string().min(1).optional(),
    leader_user_id: z.string().min(1).optional(),
    order: z.number().int().min(0).optional(),
  })
  .strict();
export const deptPatch = z
  .object({
    name: z.string().min(1).max(100).optional(),
    parent_department_id: z.string().min(1).optional(),
    leader_user_id: z.string().min(1).nullable().optional(),
    order: z.number().int().min(0).optional(),
  })
  .strict();


export const dirOf = (ctx: EmulatorContext) => ctx.slice(DirectoryState);

/** A person by open_id (or user_id, union_id, email: what a person types). */
export function personOf(ctx: EmulatorContext, id: string): DirectoryUser | undefined {
  const d = dirOf(ctx);
  return d.findUser(id, 'open_id') ?? d.findUser(id, 'user_id') ?? d.findUser(id, 'union_id') ?? d.findUser(id, 'email');
}

/** A department key from a department_id, an open_department_id or "0". */
export function departmentKey(ctx: EmulatorContext, id: string): string | undefined {
  if (id === ROOT) return ROOT;
  const d = dirOf(ctx);
  return (d.department(id) ?? d.departmentByOpenId(id))?.department_id;
}

export function departmentKeys(ctx: EmulatorContext, ids: string[]): string[] {
  const keys = ids.map((id) => {
    const k = departmentKey(ctx, id);
    if (k === undefined) throw new Refusal(404, `no department ${id}`, 40015, 'department not exist');
    return k;
  });
  return [...new Set(keys)];
}

/** Whether an app has anywhere to receive events (the emulator's own app always logs them). */
function listening(ctx: EmulatorContext, appId: string): boolean {
  const auth = ctx.slice(AuthState);
  const app = auth.apps.get(appId);
  if (!app) return false;
  if (appId === auth.defaultApp.appId || app.eventUrl) return true;
  // The bus keeps the long connections; read it without depending on the events product.
  const connections = (ctx.events as unknown as { connections?: { has?(id: string): boolean } }).connections;
  return connections?.has?.(appId) === true;
}

export interface Pushed {
  app_id: string;
  event_id: string;
  event_type: string;
}

/** Pushes a v2 contact event to each app of the tenant that listens and whose scope covers it. */
function publish(ctx: EmulatorContext, eventType: string, event: Record<string, unknown>, covers: (appId: string) => boolean): Pushed[] {
  const dir = dirOf(ctx);
  const out: Pushed[] = [];
  for (const app of ctx.slice(AuthState).apps.values()) {
    if (!app.tenantKeys.includes(dir.tenantKey) || !listening(ctx, app.appId) || !covers(app.appId)) continue;
    out.push({ app_id: app.appId, event_type: eventType, event_id: ctx.events.publish(app.appId, eventType, event, { tenantKey: dir.tenantKey }) });
  }
  return out;
}

/** Top-level fields whose JSON differs, with their values in `before` (the documented old_object of updated_v3). */
function changedFields(before: Record<string, unknown>, after: Record<string, unknown>): Record<string, unknown> {
  const keys = new Set([...Object.keys(before), ...Object.keys(after)]);
  const old: Record<string, unknown> = {};
  for (const k of keys) if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) old[k] = before[k] ?? (Array.isArray(after[k]) ? [] : '');
  return old;
}


function uniqueMobile(ctx: EmulatorContext): string {
  const dir = dirOf(ctx);
  for (let n = dir.users.length + 1; ; n++) {
    const m = `+86137${String(n).padStart(8, '0')}`;
    if (!dir.findUser(m, 'mobile')) return m;
  }
}

/** An active person other than `self` already holding this email / mobile / user_id. */
function taken(ctx: EmulatorContext, field: 'email' | 'mobile' | 'user_id', value: string, self?: DirectoryUser): void {
  const other = dirOf(ctx).findUser(value, field);
  if (other && other !== self && !(other.resigned && field !== 'user_id')) {
    throw new Refusal(409, `${field} ${value} belongs to ${other.en_name || other.name} (${other.open_id})`);
  }
}

export function createUser(ctx: EmulatorContext, b: z.infer<typeof userBody>): { user: DirectoryUser; events: Pushed[] } {
  const dir = dirOf(ctx);
  const departmentIds = departmentKeys(ctx, b.department_ids?.length ? b.department_ids : [ROOT]);
  const fromEmail = b.email?.split('@')[0]!.toLowerCase().replace(/[^a-z0-9_.-]/g, '');
  const userId = b.user_id ?? (fromEmail && !dir.findUser(fromEmail, 'user_id') ? fromEmail : hex(8));
  const email = b.email ?? `${userId}@example.com`;
  taken(ctx, 'user_id', userId);
  taken(ctx, 'email', email);
  if (b.mobile) taken(ctx, 'mobile', b.mobile);
  const user: DirectoryUser = {
    open_id: newId.openId(),
    union_id: newId.unionId(),
    user_id: userId,
    name: b.name,
    en_name: b.en_name ?? b.name,
    email,
    mobile: b.mobile ?? uniqueMobile(ctx),
    department_ids: departmentIds,
    job_title: b.job_title ?? '',
    tenant_key: dir.tenantKey,
    join_time: Math.floor(ctx.clock.now() / 1000),
    ...(b.employee_no ? { employee_no: b.employee_no } : {}),
  };
  dir.addUser(user);
  const events = publish(ctx, 'contact.user.created_v3', { object: userEventObject(ctx, user) }, (appId) => dir.userInScope(appId, user));
  return { user, events };
}

/**
 * Changes a person. As the platform does, a change of email or mobile is its own
 * `contact.user.updated_v3`, after the one for the other fields.
 */
export function updateUser(ctx: EmulatorContext, u: DirectoryUser, b: z.infer<typeof userPatch>): Pushed[] {
  if (u.resigned) throw new Refusal(409, `${u.en_name || u.name} has left the company`);
  const dir = dirOf(ctx);
  if (b.email !== undefined) taken(ctx, 'email', b.email, u);
  if (b.mobile !== undefined) taken(ctx, 'mobile', b.mobile, u);
  const departmentIds = b.department_ids ? departmentKeys(ctx, b.department_ids.length ? b.department_ids : [ROOT]) : undefined;
  const coveredBefore = new Set([...ctx.slice(AuthState).apps.keys()].filter((a) => dir.userInScope(a, u)));
  const covers = (appId: string) => coveredBefore.has(appId) || dir.userInScope(appId, u);
  const steps: Partial<DirectoryUser>[] = [
    Object.fromEntries(
      Object.entries({ name: b.name, en_name: b.en_name, job_title: b.job_title, employee_no: b.employee_no, department_ids: departmentIds }).filter(([, v]) => v !== undefined),
    ),
    Object.fromEntries(Object.entries({ email: b.email, mobile: b.mobile }).filter(([, v]) => v !== undefined)),
  ];
  const events: Pushed[] = [];
  for (const step of steps) {
    if (Object.keys(step).length === 0) continue;
    const before = userEventObject(ctx, u);
    dir.updateUser(u, step);
    const after = userEventObject(ctx, u);
    const old = changedFields(before, after);
    if (Object.keys(old).length === 0) continue;
    events.push(...publish(ctx, 'contact.user.updated_v3', { object: after, old_object: old }, covers));
  }
  return events;
}

/** A person leaves: resigned (kept, findable, without departments), no longer leading anything. */
export function removeUser(ctx: EmulatorContext, u: DirectoryUser): Pushed[] {
  if (u.resigned) throw new Refusal(409, `${u.en_name || u.name} has already left the company`);
  const dir = dirOf(ctx);
  const covered = new Set([...ctx.slice(AuthState).apps.keys()].filter((a) => dir.userInScope(a, u)));
  const oldDepartments = (userEventObject(ctx, u).department_ids as string[]) ?? [];
  const events: Pushed[] = [];
  for (const d of [...dir.ledBy(u.open_id)]) events.push(...updateDepartment(ctx, d, { leader_user_id: null }));
  dir.updateUser(u, { resigned: true });
  events.push(...publish(ctx, 'contact.user.deleted_v3', { object: userEventObject(ctx, u), old_object: { department_ids: oldDepartments, open_id: u.open_id } }, (a) => covered.has(a)));
  return events;
}

const CUSTOM_ID = /^(?!od-)(?!0$).{1,64}$/;

export function createDepartment(ctx: EmulatorContext, b: z.infer<typeof deptBody>): { department: DirectoryDepartment; events: Pushed[] } {
  const dir = dirOf(ctx);
  const parent = departmentKey(ctx, b.parent_department_id ?? ROOT);
  if (parent === undefined) throw new Refusal(404, `no department ${b.parent_department_id}`, 40015, 'department not exist');
  const id = b.department_id ?? hex(10);
  if (!CUSTOM_ID.test(id)) throw new Refusal(400, 'a custom department id must not start with od-, be "0" or be longer than 64', 43008, 'custom dept id invalid error');
  if (dir.department(id)) throw new Refusal(409, `department id ${id} is taken`, 43007, 'duplicated department custom id error');
  const leader = b.leader_user_id ? personOf(ctx, b.leader_user_id) : undefined;
  if (b.leader_user_id && (!leader || leader.resigned)) throw new Refusal(404, `no active person ${b.leader_user_id}`);
  const order = b.order ?? dir.departments.reduce((m, d) => Math.max(m, dir.orderOf(d)), 0) + 100;
  const department: DirectoryDepartment = {
    open_department_id: `od-${hex(32)}`,
    department_id: id,
    name: b.name,
    parent_department_id: parent,
    ...(leader ? { leader_user_id: leader.open_id } : {}),
    order,
  };
  dir.addDepartment(department);
  const events = publish(ctx, 'contact.department.created_v3', { object: departmentEventObject(ctx, department) }, (a) => dir.departmentInScope(a, department.department_id));
  return { department, events };
}

export function updateDepartment(ctx: EmulatorContext, d: DirectoryDepartment, b: z.infer<typeof deptPatch>): Pushed[] {
  const dir = dirOf(ctx);
  const patch: Partial<DirectoryDepartment> = {};
  if (b.name !== undefined) patch.name = b.name;
  if (b.order !== undefined) patch.order = b.order;
  if (b.parent_department_id !== undefined) {
    const parent = departmentKey(ctx, b.parent_department_id);
    if (parent === undefined) throw new Refusal(404, `no department ${b.parent_department_id}`, 40015, 'department not exist');
    if (parent === d.department_id || dir.ancestors(parent).includes(d.department_id)) {
      throw new Refusal(400, `${d.name} cannot move under itself`, 40001, 'invalid parameter');
    }
    patch.parent_department_id = parent;
  }
  if (b.leader_user_id === null) patch.leader_user_id = undefined;
  else if (b.leader_user_id !== undefined) {
    const leader = personOf(ctx, b.leader_user_id);
    if (!leader || leader.resigned) throw new Refusal(404, `no active person ${b.leader_user_id}`);
    patch.leader_user_id = leader.open_id;
  }
  const covered = new Set([...ctx.slice(AuthState).apps.keys()].filter((a) => dir.departmentInScope(a, d.department_id)));
  const before = departmentEventObject(ctx, d);
  dir.updateDepartment(d, patch);
  const after = departmentEventObject(ctx, d);
  if (Object.keys(changedFields(before, after)).length === 0) return [];
  // The department's documented old_object is its information before the change.
  return publish(ctx, 'contact.department.updated_v3', { object: after, old_object: before }, (a) => covered.has(a) || dir.departmentInScope(a, d.department_id));
}

export function removeDepartment(ctx: EmulatorContext, d: DirectoryDepartment): Pushed[] {
  const dir = dirOf(ctx);
  if (dir.directMembers(d.department_id).length > 0) throw new Refusal(400, `${d.name} still has members`, 43011, 'delete has member dept error');
  if (dir.children(d.department_id).length > 0) throw new Refusal(400, `${d.name} still has sub-departments`, 43012, 'delete has sub dept department error');
  const covered = new Set([...ctx.slice(AuthState).apps.keys()].filter((a) => dir.departmentInScope(a, d.department_id)));
  const object = departmentEventObject(ctx, d, true);
  dir.removeDepartment(d);
  return publish(ctx, 'contact.department.deleted_v3', { object, old_object: { status: { is_deleted: false }, open_department_id: d.open_department_id } }, (a) => covered.has(a));
}


/**
 * Sets an app's contact scope (`undefined` = the whole tenant) and, when what it names changed,
 * pushes `contact.scope.updated_v3` to that app: the departments and people added and removed
 * (the whole tenant is the root, which has no object of its own).
 */
export function changeScope(ctx: EmulatorContext, appId: string, scope: ContactScope | undefined): Pushed[] {
  const dir = dirOf(ctx);
  const named = () => {
    const s = dir.scopes.get(appId);
    return !s ? { departments: [ROOT], users: [] as string[] } : { departments: s.department_ids, users: s.user_ids };
  };
  const before = named();
  dir.setScope(appId, scope);
  const after = named();
  const minus = (a: string[], b: string[]) => a.filter((x) => !b.includes(x));
  const departments = (keys: string[]) => keys.flatMap((k) => {
    const d = dir.department(k);
    return d ? [departmentView(ctx, d, 'open_id', 'open_department_id')] : [];
  });
  const users = (ids: string[]) => ids.flatMap((o) => {
    const u = dir.findUser(o, 'open_id');
    return u ? [userView(ctx, u, 'open_id', 'open_department_id')] : [];
  });
  const addedKeys = { departments: minus(after.departments, before.departments), users: minus(after.users, before.users) };
  const removedKeys = { departments: minus(before.departments, after.departments), users: minus(before.users, after.users) };
  const changes = addedKeys.departments.length + addedKeys.users.length + removedKeys.departments.length + removedKeys.users.length;
  if (changes === 0 || !listening(ctx, appId)) return [];
  const event = {
    added: { departments: departments(addedKeys.departments), users: users(addedKeys.users), user_groups: [] },
    removed: { departments: departments(removedKeys.departments), users: users(removedKeys.users), user_groups: [] },
  };
  const eventType = 'contact.scope.updated_v3';
  return [{ app_id: appId, event_type: eventType, event_id: ctx.events.publish(appId, eventType, event, { tenantKey: dir.tenantKey }) }];
}
