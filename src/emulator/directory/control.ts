import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context.js';
import { AuthState } from '../auth/index.js';
import {
  changeScope,
  createDepartment,
  createUser,
  departmentKey,
  departmentKeys,
  deptBody,
  deptPatch,
  dirOf,
  personOf,
  Refusal,
  removeDepartment,
  removeUser,
  updateDepartment,
  updateUser,
  userBody,
  userPatch,
} from './changes.js';
import { personFields, personStatus } from './page.js';
import { generateOrg } from './seed.js';
import { ROOT, type ContactScope, type DirectoryDepartment, type DirectoryUser } from './state.js';

/** Parses a control-API body or answers 400 with the zod issues. */
function parse<T>(schema: z.ZodType<T>, body: unknown, reply: FastifyReply): T | undefined {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  void reply.status(400).send({ error: 'invalid body', issues: r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`) });
  return undefined;
}

const refuse = (reply: FastifyReply, e: unknown) => {
  if (!(e instanceof Refusal)) throw e;
  return reply.status(e.status).send({ error: e.message, ...(e.code ? { code: e.code, msg: e.msg } : {}) });
};

const scopeBody = z.object({ department_ids: z.array(z.string().min(1)).optional(), user_ids: z.array(z.string().min(1)).optional() }).strict();
const seedBody = z
  .object({ users: z.number().int().min(0).max(50_000), departments: z.number().int().min(0).max(5_000), seed: z.string().max(200).optional() })
  .strict();


/** What the routes answer about a person (the page shows the same fields, see page.ts). */
const personView = (u: DirectoryUser) => ({ ...personFields(u), department_ids: u.department_ids, status: personStatus(u) });

const deptView = (d: DirectoryDepartment) => ({
  department_id: d.department_id,
  open_department_id: d.open_department_id,
  name: d.name,
  parent_department_id: d.parent_department_id,
  leader_user_id: d.leader_user_id ?? null,
});
function scopeView(ctx: EmulatorContext, appId: string) {
  const dir = dirOf(ctx);
  const s = dir.scopes.get(appId);
  if (!s || s.department_ids.includes(ROOT)) return { app_id: appId, whole_tenant: true, department_ids: [ROOT], open_department_ids: [ROOT], user_ids: [] };
  return {
    app_id: appId,
    whole_tenant: false,
    department_ids: s.department_ids,
    open_department_ids: s.department_ids.map((k) => dir.department(k)?.open_department_id ?? k),
    user_ids: s.user_ids,
  };
}

/** Control routes: the directory's changes, the seed, and the apps' contact scopes. */
export function registerDirectoryControlRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.post('/__emulator/directory/users', async (req, reply) => {
    const b = parse(userBody, req.body, reply);
    if (!b) return reply;
    try {
      const { user, events } = createUser(ctx, b);
      return reply.status(201).send({ user: personView(user), events });
    } catch (e) {
      return refuse(reply, e);
    }
  });

  app.patch('/__emulator/directory/users/:open_id', async (req, reply) => {
    const u = personOf(ctx, (req.params as { open_id: string }).open_id);
    if (!u) return reply.status(404).send({ error: 'no such person' });
    const b = parse(userPatch, req.body, reply);
    if (!b) return reply;
    try {
      const events = updateUser(ctx, u, b);
      return { user: personView(u), events };
    } catch (e) {
      return refuse(reply, e);
    }
  });

  app.delete('/__emulator/directory/users/:open_id', async (req, reply) => {
    const u = personOf(ctx, (req.params as { open_id: string }).open_id);
    if (!u) return reply.status(404).send({ error: 'no such person' });
    try {
      const events = removeUser(ctx, u);
      return { user: personView(u), events };
    } catch (e) {
      return refuse(reply, e);
    }
  });

  const deptParam = (id: string) => {
    const k = departmentKey(ctx, id);
    return k && k !== ROOT ? dirOf(ctx).department(k) : undefined;
  };

  app.post('/__emulator/directory/departments', async (req, reply) => {
    const b = parse(deptBody, req.body, reply);
    if (!b) return reply;
    try {
      const { department, events } = createDepartment(ctx, b);
      return reply.status(201).send({ department: deptView(department), events });
    } catch (e) {
      return refuse(reply, e);
    }
  });

  app.patch('/__emulator/directory/departments/:department_id', async (req, reply) => {
    const id = (req.params as { department_id: string }).department_id;
    if (id === ROOT) return reply.status(400).send({ error: 'the root department cannot be changed', code: 40002, msg: 'process root dept error' });
    const d = deptParam(id);
    if (!d) return reply.status(404).send({ error: 'no such department', code: 40015, msg: 'department not exist' });
    const b = parse(deptPatch, req.body, reply);
    if (!b) return reply;
    try {
      const events = updateDepartment(ctx, d, b);
      return { department: deptView(d), events };
    } catch (e) {
      return refuse(reply, e);
    }
  });

  app.delete('/__emulator/directory/departments/:department_id', async (req, reply) => {
    const id = (req.params as { department_id: string }).department_id;
    if (id === ROOT) return reply.status(400).send({ error: 'the root department cannot be deleted', code: 40002, msg: 'process root dept error' });
    const d = deptParam(id);
    if (!d) return reply.status(404).send({ error: 'no such department', code: 40015, msg: 'department not exist' });
    try {
      const events = removeDepartment(ctx, d);
      return { department: deptView(d), events };
    } catch (e) {
      return refuse(reply, e);
    }
  });

  app.post('/__emulator/directory/seed', async (req, reply) => {
    const b = parse(seedBody, req.body, reply);
    if (!b) return reply;
    const started = performance.now();
    const dir = dirOf(ctx);
    const org = generateOrg(b.users, b.departments, b.seed ?? 'seed', dir.tenantKey);
    dir.scopes.clear();
    dir.load(org.users, org.departments);
    return {
      users: dir.users.length,
      departments: dir.departments.length,
      active_users: dir.users.filter((u) => !u.resigned).length,
      with_two_departments: dir.users.filter((u) => u.department_ids.length > 1).length,
      leaders: dir.departments.filter((d) => d.leader_user_id).length,
      took_ms: Math.round((performance.now() - started) * 10) / 10,
    };
  });

  const appOf = (id: string) => ctx.slice(AuthState).apps.get(id);

  app.get('/__emulator/apps/:app_id/contact-scope', async (req, reply) => {
    const appId = (req.params as { app_id: string }).app_id;
    if (!appOf(appId)) return reply.status(404).send({ error: 'no such app' });
    return scopeView(ctx, appId);
  });

  app.put('/__emulator/apps/:app_id/contact-scope', async (req, reply) => {
    const appId = (req.params as { app_id: string }).app_id;
    if (!appOf(appId)) return reply.status(404).send({ error: 'no such app' });
    const b = parse(scopeBody, req.body, reply);
    if (!b) return reply;
    try {
      const departmentIds = departmentKeys(ctx, b.department_ids ?? []);
      const userIds = (b.user_ids ?? []).map((id) => {
        const u = personOf(ctx, id);
        if (!u) throw new Refusal(404, `no person ${id}`);
        return u.open_id;
      });
      const events = changeScope(ctx, appId, { department_ids: departmentIds, user_ids: [...new Set(userIds)] } satisfies ContactScope);
      return { ...scopeView(ctx, appId), events };
    } catch (e) {
      return refuse(reply, e);
    }
  });

  app.delete('/__emulator/apps/:app_id/contact-scope', async (req, reply) => {
    const appId = (req.params as { app_id: string }).app_id;
    if (!appOf(appId)) return reply.status(404).send({ error: 'no such app' });
    const events = changeScope(ctx, appId, undefined);
    return { ...scopeView(ctx, appId), events };
  });
}
