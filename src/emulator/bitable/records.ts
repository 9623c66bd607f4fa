import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { ok } from '../http.js';
import { bitablePage, operatorOf, withClientToken, writeToBase } from './base.js';
import { bitableErrors } from './errors.js';
import { copyRecord, recordChangedEvent, type RecordChange } from './events.js';
import { formulaFilter, legacySort, searchFilter, sortRecords } from './filter.js';
import { bitableIds, BitableState, fieldByName } from './state.js';
import { FT, type BitableApp, type BitableField, type BitableRecord, type BitableTable, type StoredValue } from './types.js';
import { commitOptions, idTypeOf, isObj, recordView, toStored, writtenView, type ReadCtx, type WriteCtx } from './values.js';

type Params = { app_token: string; table_id: string; record_id: string };
type Query = Record<string, unknown>;
const BASE = '/open-apis/bitable/v1/apps/:app_token/tables/:table_id/records';

export const LIMITS = { batchWrite: 1000, batchDelete: 500, batchGet: 100, searchPage: 500, recordsPerTable: 20_000 };

/** `fields` of a write → field_id → stored value (`undefined` clears), checked against the table. */
function parseFields(w: WriteCtx, fields: unknown): Map<BitableField, StoredValue | undefined> {
  if (!isObj(fields)) throw bitableErrors.wrongBody('fields is an object keyed by field name');
  const out = new Map<BitableField, StoredValue | undefined>();
  for (const [name, v] of Object.entries(fields)) {
    const f = fieldByName(w.table, name);
    if (!f) throw bitableErrors.fieldNameNotFound(name);
    out.set(f, toStored(w, f, v));
  }
  return out;
}

function applyFields(rec: BitableRecord, values: Map<BitableField, StoredValue | undefined>): void {
  for (const [f, v] of values) {
    if (v === undefined) delete rec.fields[f.field_id];
    else rec.fields[f.field_id] = v;
  }
}

/** Keeps the other side of two-way links in step with a record's links. */
function syncDuplex(app: BitableApp, table: BitableTable, before: BitableRecord | undefined, after: BitableRecord | undefined): void {
  for (const f of table.fields) {
    if (f.type !== FT.duplexLink) continue;
    const p = f.property as { table_id: string; back_field_id?: string };
    const target = app.tables.find((t) => t.table_id === p.table_id);
    if (!target || !p.back_field_id) continue;
    const id = (after ?? before)!.record_id;
    const was = new Set((before?.fields[f.field_id] as string[] | undefined) ?? []);
    const now = new Set((after?.fields[f.field_id] as string[] | undefined) ?? []);
    for (const r of target.records) {
      const links = new Set((r.fields[p.back_field_id] as string[] | undefined) ?? []);
      const changed = now.has(r.record_id) ? !links.has(id) && links.add(id) : was.has(r.record_id) && links.delete(id);
      if (!changed) continue;
      if (links.size) r.fields[p.back_field_id] = [...links];
      else delete r.fields[p.back_field_id];
    }
  }
}

/** Removes deleted records from every link cell of the base that named them. */
function unlink(app: BitableApp, table: BitableTable, ids: Set<string>): void {
  for (const t of app.tables) {
    for (const f of t.fields) {
      if ((f.type !== FT.link && f.type !== FT.duplexLink) || f.property?.table_id !== table.table_id) continue;
      for (const r of t.records) {
        const v = r.fields[f.field_id] as string[] | undefined;
        if (!v?.some((x) => ids.has(x))) continue;
        const kept = v.filter((x) => !ids.has(x));
        if (kept.length) r.fields[f.field_id] = kept;
        else delete r.fields[f.field_id];
      }
    }
  }
}

export function registerRecordRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const state = () => ctx.slice(BitableState);
  const where = (request: FastifyRequest) => {
    const { app_token, table_id } = request.params as Params;
    return { base: state().app(app_token), table: state().table(app_token, table_id) };
  };
  const reader = (q: Query, textAsString = false): ReadCtx => ({ ctx, idType: idTypeOf(q), textAsString });
  const writer = (base: BitableApp, table: BitableTable, q: Query): WriteCtx => ({ ctx, app: base, table, idType: idTypeOf(q), newOptions: new Map() });
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
  const view = (table: BitableTable, id: unknown) => {
    if (id !== undefined && id !== null && id !== '' && !table.views.some((v) => v.view_id === id)) throw bitableErrors.viewNotFound(String(id));
  };

  /** Creates records (all or none) and pushes the change event. */
  async function create(request: FastifyRequest, list: unknown[]) {
    const { app_token } = request.params as Params;
    const q = request.query as Query;
    return writeToBase(ctx, app_token, () => {
      const { base, table } = where(request);
      if (table.records.length + list.length > LIMITS.recordsPerTable) throw bitableErrors.fail(`a table holds at most ${LIMITS.recordsPerTable} records`);
      const w = writer(base, table, q);
      const parsed = list.map((item) => parseFields(w, isObj(item) ? item.fields : undefined));
      commitOptions(w.newOptions);
      const now = ctx.clock.now();
      const who = operatorOf(request);
      const created = parsed.map((values) => {
        const rec: BitableRecord = { record_id: bitableIds.record(), fields: {}, created_time: now, last_modified_time: now, created_by: who, last_modified_by: who, serial: table.next_serial++ };
        applyFields(rec, values);
        table.records.push(rec);
        syncDuplex(base, table, undefined, rec);
        return rec;
      });
      base.revision++;
      table.revision++;
      recordChangedEvent(ctx, base, table, created.map((r) => ({ action: 'record_added', record_id: r.record_id, after: copyRecord(r) })), who);
      const r = reader(q);
      return created.map((rec) => writtenView(r, table, rec));
    });
  }

  /** Updates records incrementally (only the given fields; null clears), all or none. */
  async function update(request: FastifyRequest, list: { record_id: unknown; fields: unknown }[]) {
    const { app_token } = request.params as Params;
    const q = request.query as Query;
    return writeToBase(ctx, app_token, () => {
      const { base, table } = where(request);
      const w = writer(base, table, q);
      const parsed = list.map((item) => ({ rec: record(table, item.record_id), values: parseFields(w, item.fields) }));
      commitOptions(w.newOptions);
      const now = ctx.clock.now();
      const who = operatorOf(request);
      const changes: RecordChange[] = parsed.map(({ rec, values }) => {
        const before = copyRecord(rec);
        applyFields(rec, values);
        rec.last_modified_time = now;
        rec.last_modified_by = who;
        syncDuplex(base, table, before, rec);
        return { action: 'record_edited', record_id: rec.record_id, before, after: copyRecord(rec) };
      });
      base.revision++;
      table.revision++;
      recordChangedEvent(ctx, base, table, changes, who);
      const r = reader(q);
      return parsed.map(({ rec }) => writtenView(r, table, rec));
    });
  }

  async function remove(request: FastifyRequest, ids: unknown[]) {
    const { app_token } = request.params as Params;
    return writeToBase(ctx, app_token, () => {
      const { base, table } = where(request);
      const recs = [...new Set(ids)].map((id) => record(table, id));
      const gone = new Set(recs.map((r) => r.record_id));
      table.records = table.records.filter((r) => !gone.has(r.record_id));
      for (const r of recs) syncDuplex(base, table, r, undefined);
      unlink(base, table, gone);
      base.revision++;
      table.revision++;
      recordChangedEvent(ctx, base, table, recs.map((r) => ({ action: 'record_deleted', record_id: r.record_id, before: r })), operatorOf(request));
      return ids.map((id) => ({ deleted: true, record_id: id }));
    });
  }

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
    view(table, q.view_id);
    let recs = [...table.records];
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
    view(table, body.view_id);
    const only = fieldList(table, body.field_names);
    const recs = table.records.filter(searchFilter(ctx, table, body.filter, idTypeOf(q)));
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
    const data = await withClientToken(ctx, request, 'record.create', async () => ({ record: (await create(request, [request.body]))[0] }));
    return ok(reply, data);
  });

  app.post(`${BASE}/batch_create`, async (request, reply) => {
    const list = batch(request.body, 'records', LIMITS.batchWrite);
    const data = await withClientToken(ctx, request, 'record.batch_create', async () => ({ records: await create(request, list) }));
    return ok(reply, data);
  });

  app.put(`${BASE}/:record_id`, async (request, reply) => {
    const body = isObj(request.body) ? request.body : {};
    const [rec] = await update(request, [{ record_id: (request.params as Params).record_id, fields: body.fields }]);
    return ok(reply, { record: rec });
  });

  app.post(`${BASE}/batch_update`, async (request, reply) => {
    const list = batch(request.body, 'records', LIMITS.batchWrite).map((x) => (isObj(x) ? { record_id: x.record_id, fields: x.fields } : { record_id: undefined, fields: undefined }));
    return ok(reply, { records: await update(request, list) });
  });

  app.delete(`${BASE}/:record_id`, async (request, reply) => {
    const [res] = await remove(request, [(request.params as Params).record_id]);
    return ok(reply, res);
  });

  app.post(`${BASE}/batch_delete`, async (request, reply) => {
    const list = batch(request.body, 'records', LIMITS.batchDelete);
    if (!list.every((x) => typeof x === 'string')) throw bitableErrors.wrongBody('records is an array of record ids');
    return ok(reply, { records: await remove(request, list) });
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
