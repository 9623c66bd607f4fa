/**
 * Bitable (Base): a typed client over the official SDK (apps, tables, fields, records; batches
 * chunked to each call's limit, serialised per base, retried on write conflicts, paginated reads as
 * async iterators) and cell-value conversion both ways. `hub.bitable` on a hub.
 */
export { bitableCapability } from './capability.js';
export { BitableClient } from './client.js';
export { chunk, derivedClientToken } from './batching.js';
export {
  BITABLE_LIMITS,
  BITABLE_RETRY_CODES,
  type BitableClientOptions,
  type BitableApp,
  type BitableTable,
  type BitableField,
  type BitableRecord,
  type FieldSpec,
  type RecordFilter,
  type SearchOptions,
  type WriteOptions,
  type EnsureFieldsResult,
  type UserIdType,
} from './types.js';
export { BitableTableHandle, type PlainRecord } from './table.js';
export { FieldType, READ_ONLY_TYPES, BitableValueError, fromReadValue, toWriteValue, fieldsFromRead, fieldsToWrite, textOf, type FieldTypeName, type FieldShape, type PlainValue, type UrlValue, type Attachment, type LocationValue } from './values.js';
export { upsertRecord, recordFields, findByKey, ensureRecordFields, parseTarget, textValue, RecordValueError, type BitableTarget, type UpsertInput, type UpsertResult } from './record-action.js';
