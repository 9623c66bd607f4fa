import type { FastifyInstance, FastifyReply } from 'fastify';
import { caller, type EmulatorContext } from '../context.js';
import { DirectoryState } from '../directory/index.js';
import { ApiError } from '../errors.js';
import { ok } from '../http.js';
import { createBase, fieldView } from './base.js';
import { BitableState } from './state.js';
import { isObj, recordView } from './values.js';
import { liveProperty, viewPredicate, viewView } from './views.js';
import { createRecords, deleteRecords, updateRecords, type WriteTarget } from './writes.js';

/**
 * `/__emulator/bitable/…` for tests and the Base page: create a base without the 20/min limit, read
 * a whole base or one table as the page shows it, edit records as a person (through the API's write
 * path), make writes to a base slow (to overlap them: 1254291). And the platform's drive
 * subscription route.
 */

type TableParams = { app_token: string; table_id: string; record_id?: string };

/** A platform error in the control routes' plain shape: 404 for unknown ids, 409 a write conflict, else 400. */
function plain(reply: FastifyReply, e: unknown, fieldNames: string[] = []) {
  if (!(e instanceof ApiError)) throw e;
  const status = e.code >= 1254040 && e.code <= 1254043 ? 404 : e.code === 1254291 ? 409 : 400;
  const why = e.extra.fieldViolations?.[0]?.description ?? '';
  // Cell errors name the field first ("Phone: a phone cell takes …"); the page shows them on that cell.
  const field = fieldNames.find((n) => why.startsWith(`${n}: `)) ?? (e.code === 1254045 ? /"(.*)"/.exec(why)?.[1] : undefined);
  return reply.status(status).send({ error: why ? `${e.message}: ${why}` : e.message, code: e.code, ...(field !== undefined ? { field } : {}) });
}
export function registerBitableControlRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const state = () => ctx.slice(BitableState);

  app.post('/__emulator/bitable/apps', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    try {
      const base = createBase(ctx, { name: body.name ?? '', tables: body.tables, time_zone: body.time_zone });
      return {
        app_token: base.app_token,
        tables: base.tables.map((t) => ({ table_id: t.table_id, name: t.name, default_view_id: t.views[0].view_id, fields: t.fields.map((f) => ({ field_id: f.field_id, field_name: f.field_name })) })),
      };
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return reply.status(400).send({ error: `${e.message}: ${e.extra.fieldViolations?.[0]?.description ?? ''}`, code: e.code });
    }
  });

  app.get('/__emulator/bitable/apps', async () => ({
    apps: [...state().apps.values()].map((a) => ({ app_token: a.app_token, name: a.name, tables: a.tables.map((t) => ({ table_id: t.table_id, name: t.name, records: t.records.length })) })),
  }));

  app.get('/__emulator/bitable/apps/:app_token', async (request, reply) => {
    const base = state().apps.get((request.params as { app_token: string }).app_token);
    if (!base) return reply.status(404).send({ error: 'no such base', code: 1254040 });
    const read = { ctx, idType: 'open_id' as const };
    return {
      app_token: base.app_token,
      name: base.name,
      revision: base.revision,
      time_zone: base.time_zone,
      tables: base.tables.map((t) => ({
        table_id: t.table_id,
        name: t.name,
        revision: t.revision,
        views: t.views,
        fields: t.fields.map((f, i) => fieldView(f, i === 0)),
        records: t.records.map((r) => recordView(read, t, r, { automatic: true })),
      })),
    };
  });

  // ---- the Base page: one table as a view shows it, people, and edits as a person ----

  app.get('/__emulator/bitable/people', async () => ({
    people: ctx
      .slice(DirectoryState)
      .users.filter((u) => !u.resigned)
      .map((u) => ({ open_id: u.open_id, name: u.name, en_name: u.en_name, email: u.email, avatar: `/__emulator/avatars/${encodeURIComponent(u.open_id)}` })),
  }));

  app.get('/__emulator/bitable/apps/:app_token/tables/:table_id', async (request, reply) => {
    const { app_token, table_id } = request.params as TableParams;
    const base = state().apps.get(app_token);
    if (!base) return reply.status(404).send({ error: 'no such base', code: 1254040 });
    const t = base.tables.find((x) => x.table_id === table_id);
    if (!t) return reply.status(404).send({ error: 'no such table', code: 1254041 });
    const q = request.query as Record<string, unknown>;
    const view = t.views.find((v) => v.view_id === q.view_id) ?? t.views[0];
    const hidden = new Set(liveProperty(t, view).hidden_fields);
    const read = { ctx, idType: 'open_id' as const };
    return {
      app_token: base.app_token,
      name: base.name,
      revision: base.revision,
      table: {
        table_id: t.table_id,
        name: t.name,
        revision: t.revision,
        view_id: view.view_id,
        views: t.views.map((v) => viewView(t, v)),
        fields: t.fields.map((f, i) => ({ ...fieldView(f, i === 0), is_hidden: hidden.has(f.field_id) })),
        total: t.records.length,
        records: t.records.filter(viewPredicate(ctx, t, view)).map((r) => recordView(read, t, r, { automatic: true })),
      },
    };
  });

  /** `as` (body or query): the person editing, by open_id, user_id, union_id or email; none = an app. */
  const editor = (reply: FastifyReply, as: unknown): string | undefined => {
    if (as === undefined || as === null || as === '') return '';
    const dir = ctx.slice(DirectoryState);
    const u = typeof as === 'string' ? (['open_id', 'user_id', 'union_id', 'email'] as const).map((k) => dir.findUser(as, k)).find(Boolean) : undefined;
    if (!u) {
      reply.status(400).send({ error: `"as" must name a person of the directory by open_id, user_id, union_id or email (got ${JSON.stringify(as)})` });
      return undefined;
    }
    return u.open_id;
  };
  const edit = async (reply: FastifyReply, params: TableParams, as: unknown, write: (t: WriteTarget) => Promise<unknown>) => {
    const operator = editor(reply, as);
    if (operator === undefined) return reply;
    const target: WriteTarget = { appToken: params.app_token, tableId: params.table_id, idType: 'open_id', operator };
    const names = state().apps.get(params.app_token)?.tables.find((t) => t.table_id === params.table_id)?.fields.map((f) => f.field_name) ?? [];
    try {
      return await write(target);
    } catch (e) {
      return plain(reply, e, names);
    }
  };
  const recordAnswer = (params: TableParams, id: string) => {
    const base = state().app(params.app_token);
    const t = state().table(params.app_token, params.table_id);
    const rec = t.records.find((r) => r.record_id === id)!;
    return { record: recordView({ ctx, idType: 'open_id' }, t, rec, { automatic: true }), revision: base.revision };
  };
  const RECORDS = '/__emulator/bitable/apps/:app_token/tables/:table_id/records';

  app.post(RECORDS, async (request, reply) => {
    const params = request.params as TableParams;
    const body = isObj(request.body) ? request.body : {};
    return edit(reply, params, body.as, async (t) => {
      const [rec] = await createRecords(ctx, t, [{ fields: body.fields ?? {} }]);
      return recordAnswer(params, rec.record_id as string);
    });
  });

  app.patch(`${RECORDS}/:record_id`, async (request, reply) => {
    const params = request.params as TableParams;
    const body = isObj(request.body) ? request.body : {};
    return edit(reply, params, body.as, async (t) => {
      await updateRecords(ctx, t, [{ record_id: params.record_id, fields: body.fields }]);
      return recordAnswer(params, params.record_id!);
    });
  });

  app.delete(`${RECORDS}/:record_id`, async (request, reply) => {
    const params = request.params as TableParams;
    const as = (isObj(request.body) ? request.body.as : undefined) ?? (request.query as Record<string, unknown>).as;
    return edit(reply, params, as, async (t) => {
      await deleteRecords(ctx, t, [params.record_id]);
      return { deleted: true, record_id: params.record_id, revision: state().app(params.app_token).revision };
    });
  });

  app.put('/__emulator/bitable/apps/:app_token/write-latency', async (request, reply) => {
    const token = (request.params as { app_token: string }).app_token;
    const ms = Number((request.body as Record<string, unknown> | undefined)?.ms);
    if (!state().apps.has(token)) return reply.status(404).send({ error: 'no such base', code: 1254040 });
    if (!Number.isFinite(ms) || ms < 0 || ms > 60_000) return reply.status(400).send({ error: 'ms is 0–60000' });
    if (ms === 0) state().writeLatency.delete(token);
    else state().writeLatency.set(token, ms);
    return { ok: true, ms };
  });

  // The platform's drive subscription, for bitable files only (docs, sheets are not emulated).
  const fileType = (q: unknown) => (q as Record<string, unknown>).file_type;
  const subscription = (request: import('fastify').FastifyRequest) => {
    const token = (request.params as { file_token: string }).file_token;
    if (fileType(request.query) !== 'bitable') {
      throw new ApiError(400, 1061002, 'params error.', { fieldViolations: [{ field: 'file_type', description: 'only file_type=bitable is emulated' }] });
    }
    if (!state().apps.has(token)) throw new ApiError(400, 1061003, 'not found.', { fieldViolations: [{ field: 'file_token', description: `no base ${token}` }] });
    return token;
  };
  app.post('/open-apis/drive/v1/files/:file_token/subscribe', async (request, reply) => {
    const token = subscription(request);
    const appId = caller(request).appId;
    let set = state().subscriptions.get(appId);
    if (!set) state().subscriptions.set(appId, (set = new Set()));
    set.add(token);
    return ok(reply, {});
  });
  app.get('/open-apis/drive/v1/files/:file_token/get_subscribe', async (request, reply) => {
    const token = subscription(request);
    return ok(reply, { is_subscribe: state().subscriptions.get(caller(request).appId)?.has(token) ?? false });
  });
  app.delete('/open-apis/drive/v1/files/:file_token/delete_subscribe', async (request, reply) => {
    const token = subscription(request);
    state().subscriptions.get(caller(request).appId)?.delete(token);
    return ok(reply, {});
  });
}
