import { randomUUID } from 'node:crypto';
import { FeishuApiError, paginate, requestOptions, type Platform } from '../platform/index.js';
import { chunk, queueWrite, tokenFor } from './batching.js';
import { BitableTableHandle } from './table.js';
import {
  BITABLE_LIMITS,
  BITABLE_RETRY_CODES,
  type BitableApp,
  type BitableClientOptions,
  type BitableField,
  type BitableRecord,
  type BitableTable,
  type EnsureFieldsResult,
  type FieldSpec,
  type SearchOptions,
  type UserIdType,
  type WriteOptions,
} from './types.js';
import { FieldType } from './values.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The Bitable client: every call through the platform client (official SDK, token, limits per API
 * tier, retries), writes serialised per base and retried on write conflicts, batches chunked to
 * each call's limit, paginated reads as async iterators.
 *
 * @example
 * const bitable = new BitableClient(platform);
 * await bitable.batchCreate(appToken, tableId, rows.map((r) => ({ Name: r.name, Score: r.score })));
 * for await (const rec of bitable.records(appToken, tableId, { filter: { conjunction: 'and', conditions: [{ field_name: 'Score', operator: 'isGreater', value: ['90'] }] } })) console.log(rec.record_id);
 */
export class BitableClient {
  private readonly sdk: Platform['sdk']['bitable']['v1'];
  private readonly retries: number;
  private readonly baseMs: number;
  private readonly capMs: number;
  private readonly userIdType: UserIdType;

  constructor(
    readonly platform: Platform,
    private readonly options: BitableClientOptions = {},
  ) {
    this.sdk = platform.sdk.bitable.v1;
    this.retries = options.conflictRetries ?? 8;
    this.baseMs = options.backoffMs ?? 100;
    this.capMs = options.backoffCapMs ?? 5_000;
    this.userIdType = options.userIdType ?? 'open_id';
  }

  /** One table with plain values both ways (conversion by its field types). */
  table(appToken: string, tableId: string): BitableTableHandle {
    return new BitableTableHandle(this, appToken, tableId);
  }

  /** The base's metadata. */
  async app(appToken: string): Promise<BitableApp> {
    const res = await this.sdk.app.get({ path: { app_token: appToken } }, this.opts());
    return res.data!.app as BitableApp;
  }

  /** Creates a base (20 per minute per app): its token, and the default table it comes with. */
  async createApp(o: { name: string; folderToken?: string; timeZone?: string }): Promise<BitableApp & { default_table_id?: string; url?: string }> {
    const res = await this.sdk.app.create({ data: { name: o.name, folder_token: o.folderToken, time_zone: o.timeZone } }, this.opts());
    return res.data!.app as BitableApp & { default_table_id?: string; url?: string };
  }

  /** Every table of a base, page after page. */
  tables(appToken: string): AsyncGenerator<BitableTable> {
    return paginate<BitableTable>((page_token) =>
      this.sdk.appTable.list({ path: { app_token: appToken }, params: { page_size: BITABLE_LIMITS.listPage, page_token } }, this.opts()) as never,
    );
  }

  /** Every table of a base, as a list. */
  async listTables(appToken: string): Promise<BitableTable[]> {
    return collect(this.tables(appToken));
  }

  /** Every field of a table (all pages). */
  async fields(appToken: string, tableId: string, o: { viewId?: string } = {}): Promise<BitableField[]> {
    return collect(
      paginate<BitableField>((page_token) =>
        this.sdk.appTableField.list({ path: { app_token: appToken, table_id: tableId }, params: { page_size: BITABLE_LIMITS.listPage, page_token, view_id: o.viewId } }, this.opts()) as never,
      ),
    );
  }

  /** Adds a field (a write: serialised with the base's other writes; a retry never adds it twice). */
  async createField(appToken: string, tableId: string, spec: FieldSpec, o: { clientToken?: string } = {}): Promise<BitableField> {
    const client_token = o.clientToken ? tokenFor(o.clientToken, 0, 1) : randomUUID();
    const res = await this.write(appToken, () =>
      this.sdk.appTableField.create(
        { path: { app_token: appToken, table_id: tableId }, params: { client_token }, data: spec as never },
        this.opts(true),
      ),
    );
    return res.data!.field as BitableField;
  }

  /**
   * Makes sure the table has these fields: creates the missing ones (by name) with their type and
   * property; an existing field of another type is reported, never changed.
   *
   * @example
   * await bitable.ensureFields(app, tbl, [{ field_name: 'Score', type: FieldType.Number }, { field_name: 'Owner', type: FieldType.User }]);
   */
  async ensureFields(appToken: string, tableId: string, spec: FieldSpec[]): Promise<EnsureFieldsResult> {
    const existing = await this.fields(appToken, tableId);
    const byName = new Map(existing.map((f) => [f.field_name, f]));
    const created: BitableField[] = [];
    const mismatched: EnsureFieldsResult['mismatched'] = [];
    for (const s of spec) {
      if (s.type === FieldType.Lookup) throw new TypeError(`field "${s.field_name}": lookup fields cannot be created through the API`);
      const have = byName.get(s.field_name);
      if (have) {
        if (have.type !== s.type) mismatched.push({ field_name: s.field_name, wanted: s.type, actual: have.type });
        continue;
      }
      const field = await this.createField(appToken, tableId, s);
      created.push(field);
      byName.set(field.field_name, field);
    }
    return { fields: created.length ? await this.fields(appToken, tableId) : existing, created, mismatched };
  }

  /** Adds a table (first field = primary: text, number, date, phone, URL, location or auto number). */
  async createTable(appToken: string, table: { name: string; default_view_name?: string; fields?: FieldSpec[] }): Promise<{ table_id: string; default_view_id?: string; field_id_list?: string[] }> {
    const res = await this.write(appToken, () => this.sdk.appTable.create({ path: { app_token: appToken }, data: { table: table as never } }, this.opts()));
    return res.data as { table_id: string; default_view_id?: string; field_id_list?: string[] };
  }

  /** Deletes a table and its records. */
  async deleteTable(appToken: string, tableId: string): Promise<void> {
    await this.write(appToken, () => this.sdk.appTable.delete({ path: { app_token: appToken, table_id: tableId } }, this.opts()));
  }

  /** Every view of a table (grid, kanban, gallery, gantt, form). */
  async views(appToken: string, tableId: string): Promise<{ view_id: string; view_name: string; view_type: string; [key: string]: unknown }[]> {
    return collect(
      paginate((page_token) => this.sdk.appTableView.list({ path: { app_token: appToken, table_id: tableId }, params: { page_size: BITABLE_LIMITS.listPage, page_token } }, this.opts()) as never),
    );
  }

  /** Replaces a field's name, type and property (the platform wants all of them). */
  async updateField(appToken: string, tableId: string, fieldId: string, spec: FieldSpec): Promise<BitableField> {
    const res = await this.write(appToken, () =>
      this.sdk.appTableField.update({ path: { app_token: appToken, table_id: tableId, field_id: fieldId }, data: spec as never }, this.opts(true)),
    );
    return res.data!.field as BitableField;
  }

  /** Deletes a field (not the primary one). */
  async deleteField(appToken: string, tableId: string, fieldId: string): Promise<boolean> {
    const res = await this.write(appToken, () => this.sdk.appTableField.delete({ path: { app_token: appToken, table_id: tableId, field_id: fieldId } }, this.opts()));
    return Boolean(res.data?.deleted);
  }

  /**
   * Subscribes the app to the base's record-changed events (`drive.file.bitable_record_changed_v1`
   * arrive only for bases subscribed this way). Safe to repeat.
   */
  async subscribe(appToken: string): Promise<void> {
    await this.platform.request({ method: 'POST', url: `/open-apis/drive/v1/files/${encodeURIComponent(appToken)}/subscribe`, params: { file_type: 'bitable' }, idempotent: true, tenantKey: this.options.tenantKey });
  }

  /** One record (undefined when there is no such record). */
  async record(appToken: string, tableId: string, recordId: string, o: { automaticFields?: boolean } = {}): Promise<BitableRecord | undefined> {
    try {
      const res = await this.sdk.appTableRecord.get(
        { path: { app_token: appToken, table_id: tableId, record_id: recordId }, params: { user_id_type: this.userIdType, automatic_fields: o.automaticFields } },
        this.opts(true),
      );
      return res.data!.record as BitableRecord;
    } catch (err) {
      if (err instanceof FeishuApiError && (err.code === 1254043 || err.code === 1254006)) return undefined;
      throw err;
    }
  }

  /** Records by id, 100 per call; ids the base does not have are in `absent`. */
  async batchGet(appToken: string, tableId: string, recordIds: string[], o: { automaticFields?: boolean } = {}): Promise<{ records: BitableRecord[]; absent: string[]; forbidden: string[] }> {
    const out = { records: [] as BitableRecord[], absent: [] as string[], forbidden: [] as string[] };
    for (const ids of chunk(recordIds, BITABLE_LIMITS.batchGet)) {
      const res = await this.retrying(() =>
        this.sdk.appTableRecord.batchGet(
          { path: { app_token: appToken, table_id: tableId }, data: { record_ids: ids, user_id_type: this.userIdType, automatic_fields: o.automaticFields } },
          // A read sent as POST: safe to repeat after a 5xx.
          this.opts(true),
        ),
      );
      const d = (res.data ?? {}) as { records?: BitableRecord[]; absent_record_ids?: string[]; forbidden_record_ids?: string[] };
      out.records.push(...(d.records ?? []));
      out.absent.push(...(d.absent_record_ids ?? []));
      out.forbidden.push(...(d.forbidden_record_ids ?? []));
    }
    return out;
  }

  /**
   * The table's records (records/search), page after page of up to 500: filter, sort, field names,
   * a view; `limit` stops early.
   */
  async *records(appToken: string, tableId: string, o: SearchOptions = {}): AsyncGenerator<BitableRecord> {
    const pageSize = Math.min(BITABLE_LIMITS.searchPage, o.limit ? Math.max(1, o.limit) : BITABLE_LIMITS.searchPage, o.pageSize ?? BITABLE_LIMITS.searchPage);
    const data = { view_id: o.viewId, field_names: o.fieldNames, sort: o.sort, filter: o.filter, automatic_fields: o.automaticFields };
    let n = 0;
    const pages = paginate<BitableRecord>((page_token) =>
      this.retrying(() =>
        this.sdk.appTableRecord.search(
          { path: { app_token: appToken, table_id: tableId }, params: { user_id_type: this.userIdType, page_size: pageSize, page_token }, data: data as never },
          this.opts(true),
        ),
      ) as never,
    );
    for await (const rec of pages) {
      if (o.limit !== undefined && n >= o.limit) return;
      n++;
      yield rec;
    }
  }

  /** Adds one record. */
  async create(appToken: string, tableId: string, fields: Record<string, unknown>, o: WriteOptions = {}): Promise<BitableRecord> {
    const client_token = o.clientToken ? tokenFor(o.clientToken, 0, 1) : randomUUID();
    const res = await this.write(appToken, () =>
      this.sdk.appTableRecord.create(
        { path: { app_token: appToken, table_id: tableId }, params: { user_id_type: this.userIdType, client_token }, data: { fields: fields as never } },
        this.opts(true),
      ),
    );
    return res.data!.record as BitableRecord;
  }

  /** Changes the given fields of one record (others keep their values; `null` clears). */
  async update(appToken: string, tableId: string, recordId: string, fields: Record<string, unknown>): Promise<BitableRecord> {
    const res = await this.write(appToken, () =>
      this.sdk.appTableRecord.update(
        { path: { app_token: appToken, table_id: tableId, record_id: recordId }, params: { user_id_type: this.userIdType }, data: { fields: fields as never } },
        // Setting the same values twice leaves the same record: safe to repeat.
        this.opts(true),
      ),
    );
    return res.data!.record as BitableRecord;
  }

  /** Deletes one record; false when it was not there. */
  async delete(appToken: string, tableId: string, recordId: string): Promise<boolean> {
    try {
      const res = await this.write(appToken, () => this.sdk.appTableRecord.delete({ path: { app_token: appToken, table_id: tableId, record_id: recordId } }, this.opts()));
      return Boolean(res.data?.deleted);
    } catch (err) {
      if (err instanceof FeishuApiError && (err.code === 1254043 || err.code === 1254006)) return false;
      throw err;
    }
  }

  /**
   * Adds records, 1,000 per call, one call at a time for the base. Each chunk carries a client_token
   * derived from `clientToken`, so repeating the whole call with the same key never doubles a row.
   * Answers the created records in input order.
   */
  async batchCreate(appToken: string, tableId: string, rows: Record<string, unknown>[], o: WriteOptions = {}): Promise<BitableRecord[]> {
    const key = o.clientToken ?? randomUUID();
    const out: BitableRecord[] = [];
    const parts = chunk(rows, BITABLE_LIMITS.batchCreate);
    for (const [i, part] of parts.entries()) {
      const client_token = tokenFor(key, i, parts.length);
      const res = await this.write(appToken, () =>
        this.sdk.appTableRecord.batchCreate(
          { path: { app_token: appToken, table_id: tableId }, params: { user_id_type: this.userIdType, client_token }, data: { records: part.map((fields) => ({ fields: fields as never })) } },
          this.opts(true),
        ),
      );
      out.push(...((res.data?.records ?? []) as BitableRecord[]));
      o.onProgress?.({ done: out.length, total: rows.length });
    }
    return out;
  }

  /** Changes records (`{record_id, fields}`; only the given fields), 1,000 per call. */
  async batchUpdate(appToken: string, tableId: string, records: { record_id: string; fields: Record<string, unknown> }[], o: Pick<WriteOptions, 'onProgress'> = {}): Promise<BitableRecord[]> {
    const out: BitableRecord[] = [];
    for (const part of chunk(records, BITABLE_LIMITS.batchUpdate)) {
      const res = await this.write(appToken, () =>
        this.sdk.appTableRecord.batchUpdate(
          { path: { app_token: appToken, table_id: tableId }, params: { user_id_type: this.userIdType }, data: { records: part.map((r) => ({ record_id: r.record_id, fields: r.fields as never })) } },
          this.opts(true),
        ),
      );
      out.push(...((res.data?.records ?? []) as BitableRecord[]));
      o.onProgress?.({ done: out.length, total: records.length });
    }
    return out;
  }

  /**
   * Deletes records by id, 500 per call; answers `{record_id, deleted}` per id. A delete is safe to
   * repeat: after a 5xx it is sent again, and ids that are already gone (the first attempt did
   * delete them, its answer was lost) count as deleted instead of failing the whole call.
   */
  async batchDelete(appToken: string, tableId: string, recordIds: string[], o: Pick<WriteOptions, 'onProgress'> = {}): Promise<{ record_id: string; deleted: boolean }[]> {
    const out: { record_id: string; deleted: boolean }[] = [];
    const send = (ids: string[]) => this.write(appToken, () => this.sdk.appTableRecord.batchDelete({ path: { app_token: appToken, table_id: tableId }, data: { records: ids } }, this.opts(true)));
    for (const part of chunk(recordIds, BITABLE_LIMITS.batchDelete)) {
      let res: Awaited<ReturnType<typeof send>>;
      try {
        res = await send(part);
      } catch (err) {
        if (!(err instanceof FeishuApiError && err.code === 1254043)) throw err;
        const { absent } = await this.batchGet(appToken, tableId, part);
        const gone = new Set(absent);
        const left = part.filter((id) => !gone.has(id));
        res = left.length ? await send(left) : { data: { records: [] } } as never;
        out.push(...absent.map((record_id) => ({ record_id, deleted: true })));
      }
      out.push(...((res.data?.records ?? []) as { record_id: string; deleted: boolean }[]));
      o.onProgress?.({ done: out.length, total: recordIds.length });
    }
    return out;
  }

  private opts(idempotent = false) {
    return requestOptions({ tenantKey: this.options.tenantKey, idempotent });
  }

  /** A write: queued behind the base's other writes (from this platform), then retried on conflicts. */
  private write<T>(appToken: string, fn: () => Promise<T>): Promise<T> {
    return queueWrite(this.platform, appToken, () => this.retrying(fn));
  }

  /** Repeats a call the base refused with a write conflict or its own rate limit (not processed), with backoff and jitter. */
  private async retrying<T>(fn: () => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn();
      } catch (err) {
        if (!(err instanceof FeishuApiError) || !BITABLE_RETRY_CODES.has(err.code) || attempt >= this.retries) throw err;
        await sleep(Math.random() * Math.min(this.capMs, this.baseMs * 2 ** attempt));
      }
    }
  }
}

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}
