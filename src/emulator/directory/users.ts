import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { ok } from '../http.js';
import {
  canSeeUser,
  contactErrors,
  contactPage,
  type ContactUserIdType,
  deptIdTypeOf,
  pageOf,
  scopeApp,
  userIdTypeOf,
  userView,
  visibleDepartmentKey,
} from './views.js';
import { DirectoryState, type DirectoryUser } from './state.js';

type Query = Record<string, unknown>;
const MAX_BATCH = 50;

/** A user by id, or the error the platform gives for that id type; out of the app's scope is 41050. */
function lookupUser(ctx: EmulatorContext, appId: string | undefined, id: string, type: ContactUserIdType): DirectoryUser {
  const u = ctx.slice(DirectoryState).findUser(id, type);
  if (u) {
    if (!canSeeUser(ctx, appId, u)) throw contactErrors.noUserAuthority();
    return u;
  }
  // The gateway checks well-formed open_ids itself; anything else reaches contact.
  if (type === 'open_id' && id.startsWith('ou_')) throw contactErrors.openIdsNotExisted([id]);
  throw contactErrors.userIdInvalid();
}

function stringArray(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  const list = Array.isArray(v) ? v : [v];
  if (list.some((x) => typeof x !== 'string')) throw contactErrors.invalidParam(field, `${field} must be strings`);
  if (list.length > MAX_BATCH) throw contactErrors.invalidParam(field, `at most ${MAX_BATCH} ${field}`);
  return list as string[];
}

/**
 * Contact v3 users: get, batch, batch_get_id (email/mobile → id), find_by_department and the
 * deprecated list. With a tenant token the app's contact scope applies (see scope.ts).
 */
export function registerContactUserRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get('/open-apis/contact/v3/users/batch', async (request, reply) => {
    const q = request.query as Query;
    const idType = userIdTypeOf(q);
    const deptType = deptIdTypeOf(q);
    const ids = stringArray(q.user_ids, 'user_ids');
    if (ids.length === 0) throw contactErrors.invalidParam('user_ids', 'user_ids is required');
    const appId = scopeApp(request);
    const dir = ctx.slice(DirectoryState);
    const unknownOpenIds = idType === 'open_id' ? ids.filter((id) => id.startsWith('ou_') && !dir.findUser(id, 'open_id')) : [];
    if (unknownOpenIds.length > 0) throw contactErrors.openIdsNotExisted(unknownOpenIds);
    // Unknown and out-of-scope ids are left out.
    const items = ids.flatMap((id) => {
      const u = dir.findUser(id, idType);
      return u && canSeeUser(ctx, appId, u) ? [userView(ctx, u, idType, deptType)] : [];
    });
    return ok(reply, { items });
  });

  app.post('/open-apis/contact/v3/users/batch_get_id', async (request, reply) => {
    const idType = userIdTypeOf(request.query as Query);
    const b = (request.body ?? {}) as Record<string, unknown>;
    const emails = stringArray(b.emails, 'emails');
    const mobiles = stringArray(b.mobiles, 'mobiles');
    if (b.include_resigned !== undefined && typeof b.include_resigned !== 'boolean') {
      throw contactErrors.invalidParam('include_resigned', 'include_resigned must be a boolean');
    }
    const includeResigned = b.include_resigned === true;
    const appId = scopeApp(request);
    const dir = ctx.slice(DirectoryState);
    // One entry per email and per mobile asked; without user_id when unknown, out of scope or resigned (unless asked for).
    const entry = (u: DirectoryUser | undefined, key: 'email' | 'mobile', value: string) => {
      if (!u || (u.resigned && !includeResigned) || !canSeeUser(ctx, appId, u)) return { [key]: value };
      return {
        user_id: dir.userIdOf(u, idType),
        [key]: value,
        status: { is_frozen: false, is_resigned: Boolean(u.resigned), is_activated: !u.resigned, is_exited: false, is_unjoin: false },
      };
    };
    const userList = [
      ...emails.map((e) => entry(dir.findUser(e, 'email'), 'email', e)),
      ...mobiles.map((m) => entry(dir.findUser(m, 'mobile'), 'mobile', m)),
    ];
    return ok(reply, { user_list: userList });
  });

  app.get('/open-apis/contact/v3/users/find_by_department', async (request, reply) => {
    const q = request.query as Query;
    const idType = userIdTypeOf(q);
    const deptType = deptIdTypeOf(q);
    const { size, offset } = contactPage(q, { size: 10, max: 50 });
    const deptId = q.department_id;
    if (typeof deptId !== 'string' || deptId === '') throw contactErrors.invalidParam('department_id', 'department_id is required');
    const key = visibleDepartmentKey(ctx, scopeApp(request), deptId, deptType);
    const members = ctx.slice(DirectoryState).directMembers(key);
    return ok(reply, pageOf(members, offset, size, (u) => userView(ctx, u, idType, deptType)));
  });

  // Deprecated list (历史版本): a department's direct members, or without department_id everyone
  // the app may see; page_size ≤ 100 (default 20).
  app.get('/open-apis/contact/v3/users', async (request, reply) => {
    const q = request.query as Query;
    const idType = userIdTypeOf(q);
    const deptType = deptIdTypeOf(q);
    const { size, offset } = contactPage(q, { size: 20, max: 100 });
    const appId = scopeApp(request);
    let users: readonly DirectoryUser[];
    if (typeof q.department_id === 'string' && q.department_id !== '') {
      const key = visibleDepartmentKey(ctx, appId, q.department_id, deptType);
      users = ctx.slice(DirectoryState).directMembers(key);
    } else {
      users = ctx.slice(DirectoryState).activeUsersFor(appId);
    }
    return ok(reply, pageOf(users, offset, size, (u) => userView(ctx, u, idType, deptType)));
  });

  app.get('/open-apis/contact/v3/users/:user_id', async (request, reply) => {
    const q = request.query as Query;
    const idType = userIdTypeOf(q);
    const u = lookupUser(ctx, scopeApp(request), (request.params as { user_id: string }).user_id, idType);
    return ok(reply, { user: userView(ctx, u, idType, deptIdTypeOf(q)) });
  });
}
