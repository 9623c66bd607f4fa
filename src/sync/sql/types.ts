import type { ColumnKind } from '../config.js';
import type { SqlValue } from '../codec.js';

/** A column the adapter reads and writes, with the kind its values are normalized to. */
export interface ColumnSpec {
  name: string;
  kind: ColumnKind;
}

export interface OpenTargetOptions {
  /** postgres://…, mysql://… or mariadb://…, sqlite:<path> (relative to the working directory). */
  url: string;
  table: string;
  key: ColumnSpec;
  columns: ColumnSpec[];
  /** Create the table when it does not exist (key as primary key, a column per mapping). */
  create?: boolean;
  /** 'triggers': a change-log table fed by triggers; 'updated_at': rows carry a modification time. */
  capture?: 'triggers' | 'updated_at';
  updatedAtColumn?: string;
}

/** A row by column name; values normalized per kind (timestamps as epoch ms, booleans, parsed JSON). */
export type SqlRow = Record<string, SqlValue>;

/** One entry of the change log: a row key that was inserted, updated or deleted. */
export interface SqlChange {
  seq: number;
  key: string;
  op: 'insert' | 'update' | 'delete';
  /** epoch ms */
  at: number;
}

export interface SqlTarget {
  dialect: 'postgres' | 'mysql' | 'sqlite';
  /** Where it points, without a password (for logs and the CLI). */
  description: string;
  /** Creates the table (when asked and absent), checks the columns, installs the capture. */
  ensure(): Promise<{ created: boolean; captureInstalled: boolean }>;
  count(): Promise<number>;
  /** Rows in key order after `after` (keyset pagination). */
  scan(o: { after?: SqlValue; limit: number }): Promise<SqlRow[]>;
  get(keys: SqlValue[]): Promise<SqlRow[]>;
  /** Inserts or updates in one transaction, writing only the columns present in each row. */
  upsert(rows: SqlRow[]): Promise<void>;
  delete(keys: SqlValue[]): Promise<void>;
  /** Change-log entries of this table with seq > after, in seq order. */
  changes(o: { after: number; limit: number }): Promise<SqlChange[]>;
  latestSeq(): Promise<number>;
  /** Drops change-log entries of this table with seq <= upTo. */
  trim(upTo: number): Promise<void>;
  /** capture 'updated_at': rows with updated_at >= sinceMs, oldest first. */
  changedSince?(o: { sinceMs: number; limit: number }): Promise<SqlRow[]>;
  close(): Promise<void>;
}
