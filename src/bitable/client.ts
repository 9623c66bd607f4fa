import { createHash, randomUUID } from 'node:crypto';
import { FeishuApiError, paginate, requestOptions, type Platform } from '../platform/index.js';
import { BitableTableHandle } from './table.js';
import { FieldType } from './values.js';

/** The platform's per-call limits (reference §5.1). */
export const BITABLE_LIMITS = {
  batchCreate: 1000,
  batchUpdate: 1000,
  batchDelete: 500,
  batchGet: 100,
  /** Largest page of records/search. */
  searchPage: 500,
  /** Largest page of tables and fields lists. */
  listPage: 100,
} as const;

/** Refusals that mean "not processed, try again shortly": write conflict and the base's own rate limit. */
export const BITABLE_RETRY_CODES: ReadonlySet<number> = new Set([1254291, 1254290]);

export type UserIdType = 'open_id' | 'union_id' | 'user_id';

export interface BitableClientOptions {
  /** Retries of a call refused with 1254291 (write conflict) or 1254290 (too many requests). Default 8. */
  conflictRetries?: number;
  /** First backoff ceiling for those retries (doubles each time, full jitter). Default 100 ms. */
  backoffMs?: number;
  /** Largest backoff ceiling. Default 5 s. */
  backoffCapMs?: number;
  /** `user_id_type` of user cells (default open_id). */
  userIdType?: UserIdType;
  /** Store apps: whose tenant token to use. */
  tenantKey?: string;
}

export interface BitableApp {
  app_token: string;
  name?: string;
  revision?: number;
  is_advanced?: boolean;
  time_zone?: string;
  [key: string]: unknown;
}

export interface BitableTable {
  table_id: string;
  name: string;
  revision?: number;
}

export interface BitableField {
  field_id: string;
  field_name: string;
  type: number;
  ui_type?: string;
  property?: Record<string, unknown> | null;
  description?: unknown;
  is_primary?: boolean;
  is_hidden?: boolean;
}

/** A field as `ensureFields` and `createField` take it. */
export interface FieldSpec {
  field_name: string;
  type: number;
  ui_type?: string;
  property?: Record<string, unknown>;
  description?: { disable_sync?: boolean; text?: string };
}

export interface BitableRecord {
  record_id: string;
  /** Keyed by field name, in the read format (see fieldsFromRead for plain values). */
  fields: Record<string, unknown>;
  created_by?: unknown;
  created_time?: number;
  last_modified_by?: unknown;
  last_modified_time?: number;
  [key: string]: unknown;
}

type Condition = { field_name: string; operator: 'is' | 'isNot' | 'contains' | 'doesNotContain' | 'isEmpty' | 'isNotEmpty' | 'isGreater' | 'isGreaterEqual' | 'isLess' | 'isLessEqual' | 'like' | 'in'; value?: string[] };

/** A records/search filter (reference §5.1: operators, value forms, one level of children). */
export interface RecordFilter {
  conjunction: 'and' | 'or';
  conditions?: Condition[];
  children?: { conjunction: 'and' | 'or'; conditions?: Condition[] }[];
}

export interface SearchOptions {
  viewId?: string;
  fieldNames?: string[];
  sort?: { field_name: string; desc?: boolean }[];
  filter?: RecordFilter;
  automaticFields?: boolean;
  /** Page size (default and max 500). */
  pageSize?: number;
  /** Stop after this many records. */
  limit?: number;
}

export interface WriteOptions {
  /**
   * The idempotency key of the write: the same key (for the same rows) never creates twice, even
   * when the call is repeated. Default: a new uuid per call, kept across its own retries. A batch
   * derives one key per chunk from it.
   */
  clientToken?: string;
  /** Called after each chunk of a batch: rows done so far and the total. */
  onProgress?: (p: { done: number; total: number }) => void;
}

export interface EnsureFieldsResult {
  /** Every field of the table afterwards. */
  fields: BitableField[];
  /** The fields this call created. */
  created: BitableField[];
  /** Fields that exist under the name with another type (left as they are). */
  mismatched: { field_name: string; wanted: number; actual: number }[];
}

/** Per platform, the tail of each base's write queue: one write at a time per app_token. */
const baseQueues = new WeakMap<Platform, Map<string, Promise<unknown>>>();

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Splits a list into chunks of at most `size`. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  if (!(size >= 1)) throw new RangeError(`chunk size must be at least 1 (got ${size})`);
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * A uuid (v4 layout) derived from a key and a part number: the same inputs always give the same
 * client_token, so repeating a batch repeats each chunk's key.
 */
export function derivedClientToken(key: string, part: number): string {
  const h = createHash('sha256').update(`${key}\u0000${part}`).digest('hex');
  const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The client_token of part `part` of `parts` for a caller's key: the key itself when it is a uuid and there is one part. */
function tokenFor(key: string, part: number, parts: number): string {
  return parts === 1 && UUID.test(key) ? key : derivedClientToken(key, part);
}

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
        this.opts(),
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
          this.opts(),
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
          this.opts(),
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

  /** Deletes records by id, 500 per call; answers `{record_id, deleted}` per id. */
  async batchDelete(appToken: string, tableId: string, recordIds: string[], o: Pick<WriteOptions, 'onProgress'> = {}): Promise<{ record_id: string; deleted: boolean }[]> {
    const out: { record_id: string; deleted: boolean }[] = [];
    for (const part of chunk(recordIds, BITABLE_LIMITS.batchDelete)) {
      const res = await this.write(appToken, () => this.sdk.appTableRecord.batchDelete({ path: { app_token: appToken, table_id: tableId }, data: { records: part } }, this.opts()));
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
    let queues = baseQueues.get(this.platform);
    if (!queues) baseQueues.set(this.platform, (queues = new Map()));
    const tail = queues.get(appToken) ?? Promise.resolve();
    const run = tail.then(() => this.retrying(fn));
    const settled = run.then(
      () => undefined,
      () => undefined,
    );
    queues.set(appToken, settled);
    void settled.then(() => {
      if (queues.get(appToken) === settled) queues.delete(appToken);
    });
    return run;
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
