import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { ok } from '../http.js';
import { bitablePage, operatorOf, withClientToken } from './base.js';
import { bitableErrors } from './errors.js';
import { formulaFilter, legacySort, searchFilter, sortRecords } from './filter.js';
import { BitableState, fieldByName } from './state.js';
import type { BitableField, BitableTable } from './types.js';
import { idTypeOf, isObj, recordView, type ReadCtx } from './values.js';
import { viewPredicate } from './views.js';
import { createRecords, deleteRecords, RECORDS_PER_TABLE, updateRecords, type WriteTarget } from './writes.js';

type Params = { app_token: string; table_id: string; record_id: string };
type Query = Record<string, unknown>;
const BASE = '/open-apis/bitable/v1/apps/:app_token/tables/:table_id/records';

export const LIMITS = { batchWrite: 1000, batchDelete: 500, batchGet: 100, searchPage: 500, recordsPerTable: RECORDS_PER_TABLE };

export function registerRecordRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const state = () => ctx.slice(BitableState);
  const where = (request: FastifyRequest) => {
    const { app_token, table_id } = request.params as Params;
    return { base: state().app(app_token), table: state().table(app_token, table_id) };
  };
  const reader = (q: Query, textAsString = false): ReadCtx => ({ ctx, idType: idTypeOf(q), textAsString });
  /** A write of this request: its base and table, its user_id_type, its caller as the operator. */
  const target = (request: FastifyRequest): WriteTarget => {
    const { app_token, table_id } = request.params as Params;
    return { appToken: app_token, tableId: table_id, idType: idTypeOf(request.query as Query), operator: operatorOf(request) };
  };
  const record = (table: BitableTable, id: unknown) => {
    const r = typeof id === 'string' ? table.records.find((x) => x.record_id === id) : undefined;
    if (!r) throw bitableErrors.recordNotFound(String(id));
    return r;
  };
  const fieldList = (table: BitableTable, names: unknown): BitableField[] | undefined => {
    if (names === undefined || names === null) return undefined;
    if (!Array.isArray(names) || !names.every((n) => typeof n === 'string')) throw bitableErrors.invalidFieldNames('field_names is an array of field names');
    if (names.length > 200) throw bitableErrors.invalidFieldNames('at most 200 field_names');
    return (names as string[]).map((n) => fieldByName(table, n) ?? (() => { throw bitableErrors.fieldNameNotFound(n); })());
  };
  /** The records a `view_id` shows (its filter), all when none is given. */
  const inView = (table: BitableTable, id: unknown) => {
    if (id === undefined || id === null || id === '') return table.records;
    const v = table.views.find((x) => x.view_id === id);
    if (!v) throw bitableErrors.viewNotFound(String(id));
    return table.records.filter(viewPredicate(ctx, table, v));
  };

  const batch = (body: unknown, key: string, max: number): unknown[] => {
    const list = isObj(body) ? body[key] : undefined;
    if (!Array.isArray(list) || list.length === 0) throw bitableErrors.wrongBody(`${key} is a non-empty array`);
    if (list.length > max) throw bitableErrors.batchTooLarge(max);
    return list;
  };

  // ---- reads ----

  app.get(BASE, async (request, reply) => {
    const q = request.query as Query;
    const { table } = where(request);
    let recs = [...inView(table, q.view_id)];
    if (typeof q.filter === 'string' && q.filter !== '') recs = recs.filter(formulaFilter(table, q.filter));
    if (typeof q.sort === 'string' && q.sort !== '') sortRecords(table, recs, legacySort(q.sort));
    let only: BitableField[] | undefined;
    if (typeof q.field_names === 'string' && q.field_names !== '') {
      let names: unknown;
      try { names = JSON.parse(q.field_names); } catch { throw bitableErrors.invalidFieldNames('field_names is a JSON array string'); }
      only = fieldList(table, names);
    }
    const { size, offset } = bitablePage(q, LIMITS.searchPage);
    const r = reader(q, q.text_field_as_array !== 'true');
    const items = recs.slice(offset, offset + size).map((rec) => recordView(r, table, rec, { automatic: q.automatic_fields === 'true', only }));
    return ok(reply, { ...pageOf(items, offset, size, recs.length), total: recs.length });
  });

  app.post(`${BASE}/search`, async (request, reply) => {
    const q = request.query as Query;
    const body = isObj(request.body) ? request.body : {};
    const { table } = where(request);
    const only = fieldList(table, body.field_names);
    const recs = inView(table, body.view_id).filter(searchFilter(ctx, table, body.filter, idTypeOf(q)));
    if (body.sort !== undefined && body.sort !== null) {
      if (!Array.isArray(body.sort) || !body.sort.every((s) => isObj(s) && typeof s.field_name === 'string')) throw bitableErrors.invalidSort('sort is [{field_name, desc}]');
      sortRecords(table, recs, (body.sort as Record<string, unknown>[]).map((s) => ({ field_name: s.field_name as string, desc: s.desc === true })));
    }
    const { size, offset } = bitablePage(q, LIMITS.searchPage);
    const r = reader(q);
    const items = recs.slice(offset, offset + size).map((rec) => recordView(r, table, rec, { automatic: body.automatic_fields === true, only }));
    return ok(reply, { ...pageOf(items, offset, size, recs.length), total: recs.length });
  });

  app.get(`${BASE}/:record_id`, async (request, reply) => {
    const q = request.query as Query;
    const { table } = where(request);
    const rec = record(table, (request.params as Params).record_id);
    return ok(reply, { record: { ...recordView(reader(q, q.text_field_as_array !== 'true'), table, rec, { automatic: q.automatic_fields === 'true' }), id: rec.record_id } });
  });

  app.post(`${BASE}/batch_get`, async (request, reply) => {
    const body = isObj(request.body) ? request.body : {};
    const { base, table } = where(request);
    const ids = body.record_ids;
    if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string')) throw bitableErrors.wrongBody('record_ids is a non-empty array of record ids');
    if (ids.length > LIMITS.batchGet) throw bitableErrors.wrongBody(`at most ${LIMITS.batchGet} record_ids`);
    const r: ReadCtx = { ctx, idType: idTypeOf(body.user_id_type === undefined ? {} : { user_id_type: body.user_id_type }) };
    const records: Record<string, unknown>[] = [];
    const absent: string[] = [];
    for (const id of ids as string[]) {
      const rec = table.records.find((x) => x.record_id === id);
      if (!rec) { absent.push(id); continue; }
      const v = recordView(r, table, rec, { automatic: body.automatic_fields === true });
      if (body.with_shared_url === true) v.shared_url = `${ctx.baseUrl()}/base/${base.app_token}?table=${table.table_id}&record=${id}`;
      records.push(v);
    }
    return ok(reply, { records, forbidden_record_ids: [], absent_record_ids: absent });
  });

  // ---- writes ----

  app.post(BASE, async (request, reply) => {
    const data = await withClientToken(ctx, request, 'record.create', async () => ({ record: (await createRecords(ctx, target(request), [request.body]))[0] }));
    return ok(reply, data);
  });

  app.post(`${BASE}/batch_create`, async (request, reply) => {
    const list = batch(request.body, 'records', LIMITS.batchWrite);
    const data = await withClientToken(ctx, request, 'record.batch_create', async () => ({ records: await createRecords(ctx, target(request), list) }));
    return ok(reply, data);
  });

  app.put(`${BASE}/:record_id`, async (request, reply) => {
    const body = isObj(request.body) ? request.body : {};
    const [rec] = await updateRecords(ctx, target(request), [{ record_id: (request.params as Params).record_id, fields: body.fields }]);
    return ok(reply, { record: rec });
  });

  app.post(`${BASE}/batch_update`, async (request, reply) => {
    const list = batch(request.body, 'records', LIMITS.batchWrite).map((x) => (isObj(x) ? { record_id: x.record_id, fields: x.fields } : { record_id: undefined, fields: undefined }));
    return ok(reply, { records: await updateRecords(ctx, target(request), list) });
  });

  app.delete(`${BASE}/:record_id`, async (request, reply) => {
    const [res] = await deleteRecords(ctx, target(request), [(request.params as Params).record_id]);
    return ok(reply, res);
  });

  app.post(`${BASE}/batch_delete`, async (request, reply) => {
    const list = batch(request.body, 'records', LIMITS.batchDelete);
    if (!list.every((x) => typeof x === 'string')) throw bitableErrors.wrongBody('records is an array of record ids');
    return ok(reply, { records: await deleteRecords(ctx, target(request), list) });
  });
}

function pageOf(items: unknown[], offset: number, size: number, total: number) {
  const hasMore = offset + size < total;
  return { items, has_more: hasMore, ...(hasMore ? { page_token: Buffer.from(String(offset + size)).toString('base64url') } : {}) };
}

/** Reads 20/s, writes 50/s (reference §10). */
export const RECORD_TIERS: { method: string; route: string; tier: 8 | 9 }[] = [
  { method: 'GET', route: BASE, tier: 8 },
  { method: 'POST', route: `${BASE}/search`, tier: 8 },
  { method: 'GET', route: `${BASE}/:record_id`, tier: 8 },
  { method: 'POST', route: `${BASE}/batch_get`, tier: 8 },
  { method: 'POST', route: BASE, tier: 9 },
  { method: 'POST', route: `${BASE}/batch_create`, tier: 9 },
  { method: 'PUT', route: `${BASE}/:record_id`, tier: 9 },
  { method: 'POST', route: `${BASE}/batch_update`, tier: 9 },
  { method: 'DELETE', route: `${BASE}/:record_id`, tier: 9 },
  { method: 'POST', route: `${BASE}/batch_delete`, tier: 9 },
];
