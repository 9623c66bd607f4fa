import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { ok, page } from '../http.js';
import { bitablePage, writeToBase } from './base.js';
import { bitableErrors } from './errors.js';
import { searchFilter } from './filter.js';
import { alnum, bitableIds, BitableState } from './state.js';
import { FT, type BitableApp, type BitableRecord, type BitableTable, type BitableView, type BitableViewCondition, type BitableViewProperty } from './types.js';
import { isObj } from './values.js';

/**
 * Views (reference §5.1): list, create, get, patch (name, `property{filter_info, hidden_fields,
 * hierarchy_config}`), delete. A view's filter applies to `records/search` (and the legacy list)
 * with its `view_id`, and to the Base page; hidden fields change no API read.
 */

type Params = { app_token: string; table_id: string; view_id: string };
const BASE = '/open-apis/bitable/v1/apps/:app_token/tables/:table_id/views';

export const VIEW_TYPES = ['grid', 'kanban', 'gallery', 'gantt', 'form'] as const;
export const MAX_VIEWS = 200;
const OPERATORS = new Set(['is', 'isNot', 'contains', 'doesNotContain', 'isEmpty', 'isNotEmpty', 'isGreater', 'isGreaterEqual', 'isLess', 'isLessEqual']);

const viewCount = (app: BitableApp) => app.tables.reduce((n, t) => n + t.views.length, 0);

function checkViewName(table: BitableTable, name: unknown, except?: BitableView): string {
  if (typeof name !== 'string' || name.trim() === '') throw bitableErrors.wrongBody('view_name is required');
  if (name.length > 100) throw bitableErrors.wrongBody('a view name is at most 100 characters');
  if (table.views.some((v) => v !== except && v.view_name === name)) throw bitableErrors.wrongBody(`a view named ${JSON.stringify(name)} exists in this table`);
  return name;
}

/** The property as it stands: references to fields deleted since are dropped. */
export function liveProperty(table: BitableTable, view: BitableView): BitableViewProperty {
  const has = (id: string) => table.fields.some((f) => f.field_id === id);
  const p = view.property ?? {};
  const out: BitableViewProperty = {};
  if (p.filter_info) {
    const conditions = p.filter_info.conditions.filter((c) => has(c.field_id));
    if (conditions.length) out.filter_info = { conjunction: p.filter_info.conjunction, conditions };
  }
  out.hidden_fields = (p.hidden_fields ?? []).filter(has);
  if (p.hierarchy_config && has(p.hierarchy_config.field_id)) out.hierarchy_config = p.hierarchy_config;
  return out;
}

export function viewView(table: BitableTable, view: BitableView): Record<string, unknown> {
  return { view_id: view.view_id, view_name: view.view_name, view_type: view.view_type, property: liveProperty(table, view) };
}

/**
 * A view condition's `value` (a string; the API documents it as JSON: `"[\"optXXX\"]"`, `"3"`,
 * `"[\"ExactDate\",\"1702449755000\"]"`) → the values of a search condition. A JSON array gives its
 * items, a JSON string or number one value, anything else is taken as the plain text; select
 * option ids are read as their names.
 */
function conditionValues(table: BitableTable, c: BitableViewCondition): string[] {
  if (c.value === undefined || c.value === '') return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(c.value);
  } catch {
    parsed = c.value;
  }
  const list = (Array.isArray(parsed) ? parsed : [parsed]).map((x) => (typeof x === 'string' ? x : JSON.stringify(x)));
  const f = table.fields.find((x) => x.field_id === c.field_id);
  if (f && (f.type === FT.singleSelect || f.type === FT.multiSelect)) {
    const options = (f.property?.options ?? []) as { id: string; name: string }[];
    return list.map((v) => options.find((o) => o.id === v)?.name ?? v);
  }
  return list;
}

/** The view's filter as a search filter (field names), or undefined when it has none. */
function asSearchFilter(table: BitableTable, view: BitableView) {
  const info = liveProperty(table, view).filter_info;
  if (!info) return undefined;
  return {
    conjunction: info.conjunction,
    conditions: info.conditions.map((c) => ({ field_name: table.fields.find((f) => f.field_id === c.field_id)!.field_name, operator: c.operator, value: conditionValues(table, c) })),
  };
}

/** The records a view shows (its filter; other view types than grid filter alike). */
export function viewPredicate(ctx: EmulatorContext, table: BitableTable, view: BitableView | undefined): (r: BitableRecord) => boolean {
  const filter = view && asSearchFilter(table, view);
  return filter ? searchFilter(ctx, table, filter, 'open_id') : () => true;
}

/** Checks and applies a PATCH body to a view. */
function patchView(ctx: EmulatorContext, table: BitableTable, view: BitableView, body: Record<string, unknown>): void {
  const next: BitableView = { ...view, property: { ...(view.property ?? {}) } };
  if (body.view_name !== undefined) next.view_name = checkViewName(table, body.view_name, view);
  const p = body.property;
  if (p !== undefined && p !== null) {
    if (!isObj(p)) throw bitableErrors.wrongBody('property is an object');
    const prop = next.property!;
    if (p.filter_info !== undefined) {
      if (p.filter_info === null) delete prop.filter_info;
      else {
        if (view.view_type === 'form') throw bitableErrors.wrongBody('a form view has no filter');
        prop.filter_info = filterInfo(table, p.filter_info);
        if (!prop.filter_info.conditions.length) delete prop.filter_info;
      }
    }
    if (p.hidden_fields !== undefined) {
      const list = p.hidden_fields ?? [];
      if (!Array.isArray(list) || !list.every((id) => typeof id === 'string')) throw bitableErrors.wrongBody('hidden_fields is an array of field ids');
      for (const id of list as string[]) {
        const i = table.fields.findIndex((f) => f.field_id === id);
        if (i < 0) throw bitableErrors.fieldIdNotFound(id);
        if (i === 0) throw bitableErrors.wrongBody('the primary field cannot be hidden');
      }
      prop.hidden_fields = [...new Set(list as string[])];
    }
    if (p.hierarchy_config !== undefined) {
      const h = p.hierarchy_config;
      if (h === null || (isObj(h) && (h.field_id === undefined || h.field_id === ''))) delete prop.hierarchy_config;
      else {
        if (!isObj(h) || typeof h.field_id !== 'string') throw bitableErrors.wrongBody('hierarchy_config is {field_id}');
        if (view.view_type !== 'grid') throw bitableErrors.wrongBody('only a grid view has a hierarchy');
        const f = table.fields.find((x) => x.field_id === h.field_id);
        if (!f) throw bitableErrors.fieldIdNotFound(h.field_id);
        if (f.type !== FT.link || f.property?.table_id !== table.table_id) throw bitableErrors.wrongBody('hierarchy_config.field_id names a one-way link to this same table');
        prop.hierarchy_config = { field_id: f.field_id };
      }
    }
  }
  // The whole patch is checked before anything changes; the filter must also build as a search filter.
  viewPredicate(ctx, table, next);
  Object.assign(view, next);
}

function filterInfo(table: BitableTable, raw: unknown): NonNullable<BitableViewProperty['filter_info']> {
  if (!isObj(raw)) throw bitableErrors.invalidFilter('filter_info is {conjunction, conditions}');
  const conjunction = raw.conjunction ?? 'and';
  if (conjunction !== 'and' && conjunction !== 'or') throw bitableErrors.invalidFilter('conjunction is "and" or "or"');
  const list = raw.conditions ?? [];
  if (!Array.isArray(list)) throw bitableErrors.invalidFilter('conditions is an array');
  if (list.length > 50) throw bitableErrors.invalidFilter('at most 50 conditions');
  const conditions = list.map((c): BitableViewCondition => {
    if (!isObj(c) || typeof c.field_id !== 'string') throw bitableErrors.invalidFilter('a condition is {field_id, operator, value}');
    const f = table.fields.find((x) => x.field_id === c.field_id);
    if (!f) throw bitableErrors.invalidFilter(`no field ${c.field_id}`);
    if (typeof c.operator !== 'string' || !OPERATORS.has(c.operator)) throw bitableErrors.invalidFilter(`operator ${JSON.stringify(c.operator)} is not supported`);
    if (c.value !== undefined && c.value !== null && typeof c.value !== 'string') throw bitableErrors.invalidFilter('value is a string (JSON, such as "[\\"optXXX\\"]")');
    return {
      condition_id: typeof c.condition_id === 'string' && c.condition_id ? c.condition_id : `con${alnum(7)}`,
      field_id: f.field_id,
      field_type: f.type,
      operator: c.operator,
      ...(typeof c.value === 'string' ? { value: c.value } : {}),
    };
  });
  return { conjunction, conditions };
}

export function registerViewRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const state = () => ctx.slice(BitableState);
  const viewOf = (table: BitableTable, id: string) => {
    const v = table.views.find((x) => x.view_id === id);
    if (!v) throw bitableErrors.viewNotFound(id);
    return v;
  };

  app.get(BASE, async (request, reply) => {
    const { app_token, table_id } = request.params as Params;
    const t = state().table(app_token, table_id);
    const { size, offset } = bitablePage(request.query as Record<string, unknown>, 100);
    const items = t.views.map((v) => ({ ...viewView(t, v), view_public_level: 'Public', view_private_owner_id: '' }));
    return ok(reply, { ...page(items, offset, size), total: items.length });
  });

  app.post(BASE, async (request, reply) => {
    const { app_token, table_id } = request.params as Params;
    const body = isObj(request.body) ? request.body : {};
    const view = await writeToBase(ctx, app_token, () => {
      const a = state().app(app_token);
      const t = state().table(app_token, table_id);
      const type = body.view_type === undefined || body.view_type === null || body.view_type === '' ? 'grid' : body.view_type;
      if (typeof type !== 'string' || !(VIEW_TYPES as readonly string[]).includes(type)) throw bitableErrors.wrongBody(`view_type is one of ${VIEW_TYPES.join(', ')} (got ${JSON.stringify(type)})`);
      const name = checkViewName(t, body.view_name);
      if (viewCount(a) >= MAX_VIEWS) throw bitableErrors.viewLimit(MAX_VIEWS);
      const v: BitableView = { view_id: bitableIds.view(), view_name: name, view_type: type };
      t.views.push(v);
      a.revision++;
      return viewView(t, v);
    });
    return ok(reply, { view });
  });

  app.get(`${BASE}/:view_id`, async (request, reply) => {
    const { app_token, table_id, view_id } = request.params as Params;
    const t = state().table(app_token, table_id);
    return ok(reply, { view: viewView(t, viewOf(t, view_id)) });
  });

  app.patch(`${BASE}/:view_id`, async (request, reply) => {
    const { app_token, table_id, view_id } = request.params as Params;
    const body = isObj(request.body) ? request.body : {};
    const view = await writeToBase(ctx, app_token, () => {
      const t = state().table(app_token, table_id);
      const v = viewOf(t, view_id);
      patchView(ctx, t, v, body);
      state().app(app_token).revision++;
      return viewView(t, v);
    });
    return ok(reply, { view });
  });

  app.delete(`${BASE}/:view_id`, async (request, reply) => {
    const { app_token, table_id, view_id } = request.params as Params;
    await writeToBase(ctx, app_token, () => {
      const t = state().table(app_token, table_id);
      const v = viewOf(t, view_id);
      if (t.views.length === 1) throw bitableErrors.wrongBody('the last view of a table cannot be deleted');
      t.views = t.views.filter((x) => x !== v);
      state().app(app_token).revision++;
    });
    return ok(reply, {});
  });
}

/** Reads 20/s, view changes 10/s (reference §10). */
export const VIEW_TIERS: { method: string; route: string; tier: 7 | 8 }[] = [
  { method: 'GET', route: BASE, tier: 8 },
  { method: 'POST', route: BASE, tier: 7 },
  { method: 'GET', route: `${BASE}/:view_id`, tier: 8 },
  { method: 'PATCH', route: `${BASE}/:view_id`, tier: 7 },
  { method: 'DELETE', route: `${BASE}/:view_id`, tier: 7 },
];
