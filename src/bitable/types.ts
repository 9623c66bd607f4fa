/** The Bitable client's shapes and the platform's per-call limits (reference §5.1). */

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

