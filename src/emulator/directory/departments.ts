import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { ok, page } from '../http.js';
import { childDepartments, contactErrors, contactPage, departmentView, deptIdTypeOf, findDepartment, userIdTypeOf } from './views.js';

type Query = Record<string, unknown>;
const flag = (v: unknown) => v === true || v === 'true';

/** Contact v3 departments: get one, and its children (optionally the whole subtree). */
export function registerContactDepartmentRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get('/open-apis/contact/v3/departments/:department_id', async (request, reply) => {
    const q = request.query as Query;
    const deptType = deptIdTypeOf(q);
    const id = (request.params as { department_id: string }).department_id;
    // The root is virtual: it has children but no details of its own.
    if (id === '0') throw contactErrors.rootDepartment();
    const d = findDepartment(ctx, id, deptType);
    if (!d) throw contactErrors.departmentNotExist();
    return ok(reply, { department: departmentView(ctx, d, userIdTypeOf(q), deptType) });
  });

  app.get('/open-apis/contact/v3/departments/:department_id/children', async (request, reply) => {
    const q = request.query as Query;
    const deptType = deptIdTypeOf(q);
    const idType = userIdTypeOf(q);
    const { size, offset } = contactPage(q, { size: 10, max: 50 });
    const id = (request.params as { department_id: string }).department_id;
    let key = '0';
    if (id !== '0') {
      const d = findDepartment(ctx, id, deptType);
      if (!d) throw contactErrors.noDeptAuthority();
      key = d.department_id;
    }
    const items = childDepartments(ctx, key, flag(q.fetch_child)).map((d) => departmentView(ctx, d, idType, deptType));
    return ok(reply, page(items, offset, size));
  });
}
