import type { Slice } from '../product.js';
import { DEFAULT_TENANT_KEY } from '../options.js';
import type { DepartmentRecord, UserRecord } from '../types.js';
import { seedDepartments, seedUsers } from './seed.js';

export type UserIdType = 'open_id' | 'union_id' | 'user_id' | 'email' | 'mobile';

/** The root department's key: virtual, it has children but no record. */
export const ROOT = '0';

/**
 * A person of the directory. `UserRecord` plus what the directory keeps for itself: the employee
 * number and join time (generated when absent) and the position in the tenant (the first is the
 * tenant manager).
 */
export type DirectoryUser = UserRecord & { employee_no?: string; join_time?: number };
/** A department; `order` is its place among siblings (the platform's `order`), derived when absent. */
export type DirectoryDepartment = DepartmentRecord & { order?: number };

/** An app's contact scope ("通讯录权限范围"): departments (recursively) and single users. Absent = the whole tenant. */
export interface ContactScope {
  /** Department keys (department_id); "0" = the whole tenant. */
  department_ids: string[];
  /** open_ids. */
  user_ids: string[];
}

export interface DirectorySnapshot {
  users: DirectoryUser[];
  departments: DirectoryDepartment[];
  /** Apps whose contact scope is not the whole tenant. */
  contact_scopes?: [appId: string, scope: ContactScope][];
}

const lower = (s: string) => s.toLowerCase();

/**
 * The tenant's people and departments, with the indexes the contact API needs at scale (5,000
 * users in 500 departments): users by each id type, departments by both ids, children by parent,
 * direct active members by department, positions. Every change goes through the methods below,
 * which keep the indexes current; member counts (recursive, each person once) are derived once per
 * change, on first read. `users` and `departments` stay plain arrays in directory order (what the
 * other products and the test kit read) and are refilled in place on restore.
 */
export class DirectoryState implements Slice<DirectorySnapshot> {
  readonly users: DirectoryUser[] = [];
  readonly departments: DirectoryDepartment[] = [];
  /** Per app; an app without an entry sees the whole tenant. */
  readonly scopes = new Map<string, ContactScope>();

  private byOpen = new Map<string, DirectoryUser>();
  private byUnion = new Map<string, DirectoryUser>();
  private byUserId = new Map<string, DirectoryUser>();
  private byEmail = new Map<string, DirectoryUser>();
  private byMobile = new Map<string, DirectoryUser>();
  private userPos = new Map<DirectoryUser, number>();
  private deptById = new Map<string, DirectoryDepartment>();
  private deptByOpen = new Map<string, DirectoryDepartment>();
  private deptPos = new Map<DirectoryDepartment, number>();
  private childrenOf = new Map<string, DirectoryDepartment[]>();
  private membersOf = new Map<string, DirectoryUser[]>();
  private leaderOf = new Map<string, DirectoryDepartment[]>();
  /** Bumped on every change; derived data (member counts) is rebuilt when it moved. */
  private version = 0;
  private counts?: { version: number; members: Map<string, number> };
  /** Active people each app may see, in directory order (the users list pages through it). */
  private visible = new Map<string, { version: number; users: DirectoryUser[] }>();

  constructor() {
    this.load(seedUsers(), seedDepartments());
  }

  get tenantKey(): string {
    return DEFAULT_TENANT_KEY;
  }

  reset(): void {
    this.scopes.clear();
    this.load(seedUsers(), seedDepartments());
  }

  snapshot(): DirectorySnapshot {
    return { users: this.users, departments: this.departments, contact_scopes: [...this.scopes] };
  }

  restore(json: DirectorySnapshot): void {
    const users = json.users ?? [];
    const departments = json.departments ?? [];
    if (!Array.isArray(users) || !Array.isArray(departments)) throw new Error('directory: users and departments must be arrays');
    for (const u of users) if (typeof u?.open_id !== 'string' || !Array.isArray(u.department_ids)) throw new Error('directory: a user needs open_id and department_ids');
    for (const d of departments) if (typeof d?.department_id !== 'string' || typeof d.parent_department_id !== 'string') throw new Error('directory: a department needs department_id and parent_department_id');
    this.scopes.clear();
    for (const [appId, scope] of json.contact_scopes ?? []) this.scopes.set(appId, { department_ids: [...scope.department_ids], user_ids: [...scope.user_ids] });
    this.load(users, departments);
  }

  inspect(): Record<string, unknown> {
    return { tenant_key: this.tenantKey, users: this.users, departments: this.departments, contact_scopes: Object.fromEntries(this.scopes) };
  }

  /** Replaces the whole directory (seed, restore, reset) and rebuilds every index. */
  load(users: DirectoryUser[], departments: DirectoryDepartment[]): void {
    // In place (code holding the arrays stays live), without spreading thousands of arguments.
    const us = [...users];
    const ds = [...departments];
    this.users.length = 0;
    for (const u of us) this.users.push(u);
    this.departments.length = 0;
    for (const d of ds) this.departments.push(d);
    this.reindex();
  }

  /** Rebuilds the indexes from the arrays (after anything changed them from outside these methods). */
  reindex(): void {
    for (const m of [this.byOpen, this.byUnion, this.byUserId, this.byEmail, this.byMobile, this.userPos, this.deptById, this.deptByOpen, this.deptPos, this.childrenOf, this.membersOf, this.leaderOf]) m.clear();
    this.departments.forEach((d, i) => {
      this.deptPos.set(d, i);
      this.deptById.set(d.department_id, d);
      this.deptByOpen.set(d.open_department_id, d);
      this.push(this.childrenOf, d.parent_department_id, d);
      if (d.leader_user_id) this.push(this.leaderOf, d.leader_user_id, d);
    });
    this.users.forEach((u, i) => {
      this.userPos.set(u, i);
      this.indexIds(u);
      if (!u.resigned) for (const k of u.department_ids) this.push(this.membersOf, k, u);
    });
    this.changed();
  }

  // ---- reads ----------------------------------------------------------------------------

  findUser(id: string, type: UserIdType = 'open_id'): DirectoryUser | undefined {
    switch (type) {
      case 'open_id':
        return this.byOpen.get(id);
      case 'union_id':
        return this.byUnion.get(id);
      case 'user_id':
        return this.byUserId.get(id);
      case 'email':
        return this.byEmail.get(lower(id));
      case 'mobile':
        return this.byMobile.get(id);
    }
  }

  /** The user's id of the requested type (open_id when the type is unknown). */
  userIdOf(user: UserRecord, type: string | undefined): string {
    if (type === 'union_id') return user.union_id;
    if (type === 'user_id') return user.user_id;
    return user.open_id;
  }

  department(key: string): DirectoryDepartment | undefined {
    return this.deptById.get(key);
  }

  departmentByOpenId(openId: string): DirectoryDepartment | undefined {
    return this.deptByOpen.get(openId);
  }

  /** Direct sub-departments of a key ("0" = the top level), in directory order. */
  children(key: string): readonly DirectoryDepartment[] {
    return this.childrenOf.get(key) ?? [];
  }

  /** The whole subtree under a key, depth first (each department before its children). */
  descendants(key: string): DirectoryDepartment[] {
    const out: DirectoryDepartment[] = [];
    const walk = (k: string) => {
      for (const c of this.children(k)) {
        out.push(c);
        walk(c.department_id);
      }
    };
    walk(key);
    return out;
  }

  /** Ancestor keys of a department, nearest first, without the root. */
  ancestors(key: string): string[] {
    const out: string[] = [];
    for (let d = this.deptById.get(key); d && d.parent_department_id !== ROOT && out.length < 100; d = this.deptById.get(d.parent_department_id)) {
      out.push(d.parent_department_id);
    }
    return out;
  }

  /** Active users directly in a department, in directory order. */
  directMembers(key: string): readonly DirectoryUser[] {
    return this.membersOf.get(key) ?? [];
  }

  /** Departments the user leads. */
  ledBy(openId: string): readonly DirectoryDepartment[] {
    return this.leaderOf.get(openId) ?? [];
  }

  /** Active members of a department and its sub-departments, each person once (contact's member_count). */
  memberCount(key: string): number {
    if (this.counts?.version !== this.version) {
      const members = new Map<string, number>();
      for (const u of this.users) {
        if (u.resigned) continue;
        const seen = new Set<string>();
        for (const k of u.department_ids) {
          if (!this.deptById.has(k)) continue;
          seen.add(k);
          for (const a of this.ancestors(k)) seen.add(a);
        }
        for (const k of seen) members.set(k, (members.get(k) ?? 0) + 1);
      }
      this.counts = { version: this.version, members };
    }
    return this.counts.members.get(key) ?? 0;
  }

  /** Active people the app's contact scope covers (everyone for `undefined`), in directory order; derived once per change. */
  activeUsersFor(appId: string | undefined): readonly DirectoryUser[] {
    const key = appId === undefined || this.wholeTenant(appId) ? '' : appId;
    const hit = this.visible.get(key);
    if (hit?.version === this.version) return hit.users;
    const users = this.users.filter((u) => !u.resigned && (key === '' || this.userInScope(key, u)));
    this.visible.set(key, { version: this.version, users });
    return users;
  }

  /** Place in the tenant (0 = the first person, the tenant manager). */
  positionOf(u: DirectoryUser): number {
    return this.userPos.get(u) ?? -1;
  }

  orderOf(d: DirectoryDepartment): number {
    return d.order ?? ((this.deptPos.get(d) ?? 0) + 1) * 100;
  }

  // ---- changes (control routes, seed) --------------------------------------------------------

  addUser(u: DirectoryUser): void {
    this.userPos.set(u, this.users.length);
    this.users.push(u);
    this.indexIds(u);
    if (!u.resigned) for (const k of u.department_ids) this.insertMember(k, u);
    this.changed();
  }

  /** Applies a change to a user's fields and keeps every index right. */
  updateUser(u: DirectoryUser, patch: Partial<DirectoryUser>): void {
    this.unindexIds(u);
    if (!u.resigned) for (const k of u.department_ids) this.removeFrom(this.membersOf, k, u);
    Object.assign(u, patch);
    this.indexIds(u);
    if (!u.resigned) for (const k of u.department_ids) this.insertMember(k, u);
    this.changed();
  }

  addDepartment(d: DirectoryDepartment): void {
    this.deptPos.set(d, this.departments.length);
    this.departments.push(d);
    this.deptById.set(d.department_id, d);
    this.deptByOpen.set(d.open_department_id, d);
    this.push(this.childrenOf, d.parent_department_id, d);
    if (d.leader_user_id) this.push(this.leaderOf, d.leader_user_id, d);
    this.changed();
  }

  updateDepartment(d: DirectoryDepartment, patch: Partial<DirectoryDepartment>): void {
    const moved = patch.parent_department_id !== undefined && patch.parent_department_id !== d.parent_department_id;
    if (moved) this.removeFrom(this.childrenOf, d.parent_department_id, d);
    if (d.leader_user_id) this.removeFrom(this.leaderOf, d.leader_user_id, d);
    Object.assign(d, patch);
    if (patch.leader_user_id === undefined && 'leader_user_id' in patch) delete d.leader_user_id;
    if (moved) this.insertSorted(this.childrenOf, d.parent_department_id, d, this.deptPos);
    if (d.leader_user_id) this.push(this.leaderOf, d.leader_user_id, d);
    this.changed();
  }

  /** Removes a department (the caller checked it has no members or children). */
  removeDepartment(d: DirectoryDepartment): void {
    const i = this.departments.indexOf(d);
    if (i >= 0) this.departments.splice(i, 1);
    // Positions after it moved up by one; keep each department's order as it was.
    for (let j = i; j < this.departments.length; j++) {
      const o = this.departments[j]!;
      o.order ??= (j + 2) * 100;
      this.deptPos.set(o, j);
    }
    this.deptPos.delete(d);
    this.deptById.delete(d.department_id);
    this.deptByOpen.delete(d.open_department_id);
    this.removeFrom(this.childrenOf, d.parent_department_id, d);
    if (d.leader_user_id) this.removeFrom(this.leaderOf, d.leader_user_id, d);
    this.membersOf.delete(d.department_id);
    for (const scope of this.scopes.values()) scope.department_ids = scope.department_ids.filter((k) => k !== d.department_id);
    this.changed();
  }

  // ---- contact scope -----------------------------------------------------------------------

  /** Sets an app's contact scope (`undefined` or a scope naming "0" = the whole tenant). */
  setScope(appId: string, scope: ContactScope | undefined): void {
    if (!scope || scope.department_ids.includes(ROOT)) this.scopes.delete(appId);
    else this.scopes.set(appId, scope);
    this.changed();
  }

  wholeTenant(appId: string): boolean {
    const s = this.scopes.get(appId);
    return !s || s.department_ids.includes(ROOT);
  }

  /** Whether the app's scope covers a department (itself or an ancestor is in it). */
  departmentInScope(appId: string, key: string): boolean {
    if (this.wholeTenant(appId)) return true;
    const s = this.scopes.get(appId)!;
    if (key === ROOT) return false;
    return s.department_ids.includes(key) || this.ancestors(key).some((a) => s.department_ids.includes(a));
  }

  /** Whether the app's scope covers a user (named in it, or in a covered department). */
  userInScope(appId: string, u: UserRecord): boolean {
    if (this.wholeTenant(appId)) return true;
    const s = this.scopes.get(appId)!;
    return s.user_ids.includes(u.open_id) || u.department_ids.some((k) => this.departmentInScope(appId, k));
  }

  // ---- index plumbing ------------------------------------------------------------------------

  private changed(): void {
    this.version++;
  }

  private indexIds(u: DirectoryUser): void {
    this.byOpen.set(u.open_id, u);
    this.byUnion.set(u.union_id, u);
    this.byUserId.set(u.user_id, u);
    // An active person wins an email or mobile over a resigned one who had it before.
    const claim = (map: Map<string, DirectoryUser>, key: string) => {
      const other = map.get(key);
      if (!other || other === u || other.resigned || !u.resigned) map.set(key, u);
    };
    if (u.email) claim(this.byEmail, lower(u.email));
    if (u.mobile) {
      claim(this.byMobile, u.mobile);
      if (u.mobile.startsWith('+86')) claim(this.byMobile, u.mobile.slice(3));
    }
  }

  private unindexIds(u: DirectoryUser): void {
    const drop = (map: Map<string, DirectoryUser>, key: string) => map.get(key) === u && map.delete(key);
    drop(this.byOpen, u.open_id);
    drop(this.byUnion, u.union_id);
    drop(this.byUserId, u.user_id);
    if (u.email) drop(this.byEmail, lower(u.email));
    if (u.mobile) {
      drop(this.byMobile, u.mobile);
      if (u.mobile.startsWith('+86')) drop(this.byMobile, u.mobile.slice(3));
    }
  }

  private push<K, V>(map: Map<K, V[]>, key: K, v: V): void {
    const list = map.get(key);
    if (list) list.push(v);
    else map.set(key, [v]);
  }

  private removeFrom<K, V>(map: Map<K, V[]>, key: K, v: V): void {
    const list = map.get(key);
    if (!list) return;
    const i = list.indexOf(v);
    if (i >= 0) list.splice(i, 1);
  }

  private insertMember(key: string, u: DirectoryUser): void {
    this.insertSorted(this.membersOf, key, u, this.userPos);
  }

  /** Inserts keeping directory order (binary search on positions). */
  private insertSorted<V>(map: Map<string, V[]>, key: string, v: V, pos: Map<V, number>): void {
    let list = map.get(key);
    if (!list) map.set(key, (list = []));
    const p = pos.get(v) ?? Infinity;
    let lo = 0;
    let hi = list.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((pos.get(list[mid]!) ?? Infinity) < p) lo = mid + 1;
      else hi = mid;
    }
    list.splice(lo, 0, v);
  }
}
