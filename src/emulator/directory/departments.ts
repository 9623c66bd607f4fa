import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { ok } from '../http.js';
import { DirectoryState, ROOT, type DirectoryDepartment } from './state.js';
import {
  canSeeDepartment,
  contactErrors,
  contactPage,
  departmentView,
  deptIdAs,
  deptIdTypeOf,
  findDepartment,
  pageOf,
  scopeApp,
  userIdTypeOf,
  visibleDepartmentKey,
  wholeTenant,
} from './views.js';

type Query = Record<string, unknown>;
const flag = (v: unknown) => v === true || v === 'true';
const MAX_BATCH = 50;

function subtree(ctx: EmulatorContext, key: string, recursive: boolean): readonly DirectoryDepartment[] {
  const dir = ctx.slice(DirectoryState);
  return recursive ? dir.descendants(key) : dir.children(key);
}

/**
 * Contact v3 departments: get, children (fetch_child for the subtree), batch, parent, the
 * deprecated list, and the app's contact scope (`GET /open-apis/contact/v3/scopes`).
 */
export function registerContactDepartmentRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get('/open-apis/contact/v3/departments/batch', async (request, reply) => {
    const q = request.query as Query;
    const deptType = deptIdTypeOf(q);
    const idType = userIdTypeOf(q);
    const raw = q.department_ids === undefined ? [] : Array.isArray(q.department_ids) ? q.department_ids : [q.department_ids];
    if (raw.length === 0) throw contactErrors.invalidParam('department_ids', 'department_ids is required');
    if (raw.length > MAX_BATCH) throw contactErrors.invalidParam('department_ids', `at most ${MAX_BATCH} department_ids`);
    const appId = scopeApp(request);
    const items: Record<string, unknown>[] = [];
    for (const id of raw as string[]) {
      const d = findDepartment(ctx, String(id), deptType);
      if (!d) continue; // unknown ids are left out
      if (!canSeeDepartment(ctx, appId, d.department_id)) throw contactErrors.noDeptAuthority();
      items.push(departmentView(ctx, d, idType, deptType));
    }
    return ok(reply, { items });
  });

  app.get('/open-apis/contact/v3/departments/parent', async (request, reply) => {
    const q = request.query as Query;
    const deptType = deptIdTypeOf(q);
    const idType = userIdTypeOf(q);
    const { size, offset } = contactPage(q, { size: 20, max: 50 });
    if (typeof q.department_id !== 'string' || q.department_id === '') throw contactErrors.missDepartmentId();
    if (q.department_id === ROOT) throw contactErrors.processRoot();
    const appId = scopeApp(request);
    const key = visibleDepartmentKey(ctx, appId, q.department_id, deptType);
    const dir = ctx.slice(DirectoryState);
    // Nearest first, without the root; parents outside the scope are left out.
    const parents = dir.ancestors(key).filter((k) => canSeeDepartment(ctx, appId, k)).map((k) => dir.department(k)!);
    return ok(reply, pageOf(parents, offset, size, (d) => departmentView(ctx, d, idType, deptType)));
  });

  // Deprecated list: with parent_department_id its children (or subtree); without it the root when
  // the scope is the whole tenant, else the scope's departments (and their subtrees with fetch_child).
  app.get('/open-apis/contact/v3/departments', async (request, reply) => {
    const q = request.query as Query;
    const deptType = deptIdTypeOf(q);
    const idType = userIdTypeOf(q);
    const { size, offset } = contactPage(q, { size: 10, max: 50 });
    const appId = scopeApp(request);
    const recursive = flag(q.fetch_child);
    const dir = ctx.slice(DirectoryState);
    if (typeof q.parent_department_id === 'string' && q.parent_department_id !== '') {
      const key = visibleDepartmentKey(ctx, appId, q.parent_department_id, deptType);
      return ok(reply, pageOf(subtree(ctx, key, recursive), offset, size, (d) => departmentView(ctx, d, idType, deptType)));
    }
    if (wholeTenant(ctx, appId)) {
      const root = { name: '', i18n_name: { zh_cn: '', ja_jp: '', en_us: '' }, parent_department_id: '', department_id: ROOT, open_department_id: ROOT, leaders: [], chat_id: '', order: '0', unit_ids: [], member_count: dir.users.filter((u) => !u.resigned).length, status: { is_deleted: false } };
      return ok(reply, pageOf([root], offset, size, (r) => r));
    }
    const scope = dir.scopes.get(appId!)!;
    const top = scope.department_ids.map((k) => dir.department(k)).filter((d): d is DirectoryDepartment => d !== undefined);
    const listed = recursive ? top.flatMap((d) => [d, ...dir.descendants(d.department_id)]) : top;
    return ok(reply, pageOf([...new Set(listed)], offset, size, (d) => departmentView(ctx, d, idType, deptType)));
  });

  app.get('/open-apis/contact/v3/departments/:department_id', async (request, reply) => {
    const q = request.query as Query;
    const deptType = deptIdTypeOf(q);
    const id = (request.params as { department_id: string }).department_id;
    // The root is virtual: it has children but no details of its own.
    if (id === ROOT) throw contactErrors.rootDepartment();
    const d = findDepartment(ctx, id, deptType);
    if (!d) throw contactErrors.departmentNotExist();
    if (!canSeeDepartment(ctx, scopeApp(request), d.department_id)) throw contactErrors.noDeptAuthority();
    return ok(reply, { department: departmentView(ctx, d, userIdTypeOf(q), deptType) });
  });

  app.get('/open-apis/contact/v3/departments/:department_id/children', async (request, reply) => {
    const q = request.query as Query;
    const deptType = deptIdTypeOf(q);
    const idType = userIdTypeOf(q);
    const { size, offset } = contactPage(q, { size: 10, max: 50 });
    const id = (request.params as { department_id: string }).department_id;
    const key = visibleDepartmentKey(ctx, scopeApp(request), id, deptType);
    return ok(reply, pageOf(subtree(ctx, key, flag(q.fetch_child)), offset, size, (d) => departmentView(ctx, d, idType, deptType)));
  });

  // The app's contact scope: users first, then departments, then groups (none), page_size ≤ 100.
  app.get('/open-apis/contact/v3/scopes', async (request, reply) => {
    const q = request.query as Query;
    const deptType = deptIdTypeOf(q);
    const idType = userIdTypeOf(q);
    const { size, offset } = contactPage(q, { size: 50, max: 100 });
    const appId = scopeApp(request);
    const dir = ctx.slice(DirectoryState);
    const scope = appId === undefined ? undefined : dir.scopes.get(appId);
    const entries: ['user' | 'department', string][] = !scope
      ? [['department', ROOT]]
      : [
          ...scope.user_ids.flatMap((o): ['user', string][] => {
            const u = dir.findUser(o, 'open_id');
            return u ? [['user', dir.userIdOf(u, idType)]] : [];
          }),
          ...scope.department_ids.map((k): ['department', string] => ['department', deptIdAs(ctx, k, deptType)]),
        ];
    const pageItems = entries.slice(offset, offset + size);
    const hasMore = offset + size < entries.length;
    return ok(reply, {
      department_ids: pageItems.filter(([t]) => t === 'department').map(([, id]) => id),
      user_ids: pageItems.filter(([t]) => t === 'user').map(([, id]) => id),
      group_ids: [],
      has_more: hasMore,
      ...(hasMore ? { page_token: Buffer.from(String(offset + size)).toString('base64url') } : {}),
    });
  });
}
