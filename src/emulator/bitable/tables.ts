import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { ok, page } from '../http.js';
import { bitablePage, createBase, fieldView, writeToBase } from './base.js';
import { bitableErrors } from './errors.js';
import { addField, addTable, bump, checkTableName, deleteField, deleteTable, updateField } from './schema.js';
import { BitableState } from './state.js';
import { isObj } from './values.js';
import { liveProperty } from './views.js';

type Params = { app_token: string; table_id: string; field_id: string };
const BASE = '/open-apis/bitable/v1/apps';

/** Bases, tables and fields (reference §5.1). */
export function registerTableRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const state = () => ctx.slice(BitableState);

  app.post(BASE, async (request, reply) => {
    const body = isObj(request.body) ? request.body : {};
    const base = createBase(ctx, { name: body.name, time_zone: body.time_zone, folder_token: body.folder_token });
    return ok(reply, {
      app: {
        app_token: base.app_token,
        name: base.name,
        folder_token: base.folder_token,
        url: `${ctx.baseUrl()}/base/${base.app_token}`,
        default_table_id: base.tables[0].table_id,
        time_zone: base.time_zone,
      },
    });
  });

  app.get(`${BASE}/:app_token`, async (request, reply) => {
    const a = state().app((request.params as Params).app_token);
    return ok(reply, { app: { app_token: a.app_token, name: a.name, revision: a.revision, is_advanced: false, time_zone: a.time_zone, formula_type: 2, advance_version: 'v2' } });
  });

  app.get(`${BASE}/:app_token/tables`, async (request, reply) => {
    const a = state().app((request.params as Params).app_token);
    const { size, offset } = bitablePage(request.query as Record<string, unknown>, 100);
    const items = a.tables.map((t) => ({ table_id: t.table_id, revision: t.revision, name: t.name }));
    return ok(reply, { ...page(items, offset, size), total: items.length });
  });

  app.post(`${BASE}/:app_token/tables`, async (request, reply) => {
    const { app_token } = request.params as Params;
    const body = isObj(request.body) ? request.body : {};
    const table = await writeToBase(ctx, app_token, () => addTable(state(), state().app(app_token), body.table));
    return ok(reply, { table_id: table.table_id, default_view_id: table.views[0].view_id, field_id_list: table.fields.map((f) => f.field_id) });
  });

  app.patch(`${BASE}/:app_token/tables/:table_id`, async (request, reply) => {
    const { app_token, table_id } = request.params as Params;
    const body = isObj(request.body) ? request.body : {};
    const name = await writeToBase(ctx, app_token, () => {
      const a = state().app(app_token);
      const t = state().table(app_token, table_id);
      t.name = checkTableName(a, body.name, t);
      bump(a, t);
      return t.name;
    });
    return ok(reply, { name });
  });

  app.delete(`${BASE}/:app_token/tables/:table_id`, async (request, reply) => {
    const { app_token, table_id } = request.params as Params;
    await writeToBase(ctx, app_token, () => deleteTable(state().app(app_token), table_id));
    return ok(reply, {});
  });

  app.get(`${BASE}/:app_token/tables/:table_id/fields`, async (request, reply) => {
    const { app_token, table_id } = request.params as Params;
    const q = request.query as Record<string, unknown>;
    const t = state().table(app_token, table_id);
    const view = typeof q.view_id === 'string' && q.view_id !== '' ? t.views.find((v) => v.view_id === q.view_id) : undefined;
    if (typeof q.view_id === 'string' && q.view_id !== '' && !view) throw bitableErrors.viewNotFound(q.view_id);
    const hidden = new Set(view ? liveProperty(t, view).hidden_fields : []);
    const { size, offset } = bitablePage(q, 100);
    // With a view_id, is_hidden tells whether that view hides the field.
    const items = t.fields.map((f, i) => ({ ...fieldView(f, i === 0), is_hidden: hidden.has(f.field_id) }));
    return ok(reply, { ...page(items, offset, size), total: items.length });
  });

  app.post(`${BASE}/:app_token/tables/:table_id/fields`, async (request, reply) => {
    const { app_token, table_id } = request.params as Params;
    const field = await writeToBase(ctx, app_token, () => addField(state().app(app_token), state().table(app_token, table_id), request.body));
    return ok(reply, { field: fieldView(field, state().table(app_token, table_id).fields[0] === field) });
  });

  app.put(`${BASE}/:app_token/tables/:table_id/fields/:field_id`, async (request, reply) => {
    const { app_token, table_id, field_id } = request.params as Params;
    const field = await writeToBase(ctx, app_token, () => updateField(state().app(app_token), state().table(app_token, table_id), field_id, request.body));
    return ok(reply, { field: fieldView(field, state().table(app_token, table_id).fields[0] === field) });
  });

  app.delete(`${BASE}/:app_token/tables/:table_id/fields/:field_id`, async (request, reply) => {
    const { app_token, table_id, field_id } = request.params as Params;
    await writeToBase(ctx, app_token, () => deleteField(state().app(app_token), state().table(app_token, table_id), field_id));
    return ok(reply, { field_id, deleted: true });
  });
}

/** Route tiers (reference §10): reads 20/s, table and field changes 10/s, base creation 20/min. */
export const TABLE_TIERS: { method: string; route: string; tier: 2 | 7 | 8 }[] = [
  { method: 'POST', route: BASE, tier: 2 },
  { method: 'GET', route: `${BASE}/:app_token`, tier: 8 },
  { method: 'GET', route: `${BASE}/:app_token/tables`, tier: 8 },
  { method: 'POST', route: `${BASE}/:app_token/tables`, tier: 7 },
  { method: 'PATCH', route: `${BASE}/:app_token/tables/:table_id`, tier: 7 },
  { method: 'DELETE', route: `${BASE}/:app_token/tables/:table_id`, tier: 7 },
  { method: 'GET', route: `${BASE}/:app_token/tables/:table_id/fields`, tier: 8 },
  { method: 'POST', route: `${BASE}/:app_token/tables/:table_id/fields`, tier: 7 },
  { method: 'PUT', route: `${BASE}/:app_token/tables/:table_id/fields/:field_id`, tier: 7 },
  { method: 'DELETE', route: `${BASE}/:app_token/tables/:table_id/fields/:field_id`, tier: 7 },
];
