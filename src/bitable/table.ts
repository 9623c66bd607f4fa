import type { BitableClient } from './client.js';
import type { BitableField, BitableRecord, SearchOptions, WriteOptions } from './types.js';
import { fieldsFromRead, fieldsToWrite, type PlainValue } from './values.js';

/** A record with plain values (see fromReadValue). */
export interface PlainRecord {
  record_id: string;
  fields: Record<string, PlainValue>;
}

/**
 * One table with plain values both ways: reads convert by the table's field types, writes convert
 * plain JS to each type's write format. The field list is read once (`refresh()` reads it again).
 *
 * @example
 * const tasks = hub.bitable.table(appToken, tableId);
 * await tasks.insert([{ Name: 'ship', Due: new Date(), Owner: ['ou_1'] }]);
 * for await (const t of tasks.rows()) console.log(t.fields.Name, t.fields.Due);
 */
export class BitableTableHandle {
  private schema?: Promise<BitableField[]>;

  constructor(
    readonly client: BitableClient,
    readonly appToken: string,
    readonly tableId: string,
  ) {}

  /** The table's fields (read once). */
  fields(): Promise<BitableField[]> {
    this.schema ??= this.client.fields(this.appToken, this.tableId).catch((err) => {
      this.schema = undefined;
      throw err;
    });
    return this.schema;
  }

  /** Forgets the field list (after fields were added or renamed elsewhere). */
  refresh(): this {
    this.schema = undefined;
    return this;
  }

  /** Every record (search), with plain values. */
  async *rows(o: SearchOptions = {}): AsyncGenerator<PlainRecord> {
    const schema = await this.fields();
    for await (const r of this.client.records(this.appToken, this.tableId, o)) yield this.plain(r, schema);
  }

  /** One record with plain values (undefined when absent). */
  async get(recordId: string): Promise<PlainRecord | undefined> {
    const [schema, r] = await Promise.all([this.fields(), this.client.record(this.appToken, this.tableId, recordId)]);
    return r && this.plain(r, schema);
  }

  /** Adds rows of plain values (chunked, idempotent by `clientToken`). */
  async insert(rows: Record<string, unknown>[], o: WriteOptions = {}): Promise<PlainRecord[]> {
    const schema = await this.fields();
    const created = await this.client.batchCreate(this.appToken, this.tableId, rows.map((r) => fieldsToWrite(r, schema)), o);
    return created.map((r) => this.plain(r, schema));
  }

  /** Changes the given fields of records (plain values; `null` clears). */
  async patch(records: { record_id: string; fields: Record<string, unknown> }[], o: Pick<WriteOptions, 'onProgress'> = {}): Promise<PlainRecord[]> {
    const schema = await this.fields();
    const updated = await this.client.batchUpdate(this.appToken, this.tableId, records.map((r) => ({ record_id: r.record_id, fields: fieldsToWrite(r.fields, schema) })), o);
    return updated.map((r) => this.plain(r, schema));
  }

  /** Deletes records by id. */
  async remove(recordIds: string[], o: Pick<WriteOptions, 'onProgress'> = {}): Promise<{ record_id: string; deleted: boolean }[]> {
    return this.client.batchDelete(this.appToken, this.tableId, recordIds, o);
  }

  private plain(r: BitableRecord, schema: BitableField[]): PlainRecord {
    return { record_id: r.record_id, fields: fieldsFromRead(r.fields, schema) };
  }
}
