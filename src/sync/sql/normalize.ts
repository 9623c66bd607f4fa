import type { ColumnKind } from '../config.js';
import type { SqlValue } from '../codec.js';
import type { SqlDialect } from './url.js';

/** 'YYYY-MM-DD HH:MM[:SS[.fff]]' with no zone: a SQL DATETIME text, read as UTC (not the local zone Date.parse would use). */
const NAIVE_DATETIME = /^\d{4}-\d{2}-\d{2}([ T]\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?$/;

function parseTime(s: string): number | undefined {
  const t = s.trim();
  if (t === '') return undefined;
  if (/^-?\d+(\.\d+)?$/.test(t)) return Math.round(Number(t));
  const ms = Date.parse(NAIVE_DATETIME.test(t) ? `${t.replace(' ', 'T')}${t.length > 10 ? 'Z' : 'T00:00:00Z'}` : t);
  return Number.isFinite(ms) ? ms : undefined;
}

const isBuffer = (v: unknown): v is Uint8Array => v instanceof Uint8Array;

/**
 * A value as read from the database, normalized to the kind: timestamps as epoch ms, booleans,
 * integers and numbers as numbers, JSON parsed (left as the string when it is not JSON), text as a
 * string. null (and undefined) stay null.
 */
export function fromDb(kind: ColumnKind, v: unknown): SqlValue {
  if (v === null || v === undefined) return null;
  if (isBuffer(v)) v = Buffer.from(v).toString('utf8');
  switch (kind) {
    case 'timestamp':
      if (v instanceof Date) return Number.isFinite(v.getTime()) ? v.getTime() : null;
      if (typeof v === 'number') return Math.round(v);
      if (typeof v === 'bigint') return Number(v);
      return parseTime(String(v)) ?? null;
    case 'boolean':
      if (typeof v === 'boolean') return v;
      if (typeof v === 'number' || typeof v === 'bigint') return Number(v) !== 0;
      if (typeof v === 'string') {
        const s = v.trim().toLowerCase();
        if (['1', 't', 'true', 'y', 'yes', 'on'].includes(s)) return true;
        if (['0', 'f', 'false', 'n', 'no', 'off', ''].includes(s)) return false;
        const n = Number(s);
        return Number.isFinite(n) ? n !== 0 : true;
      }
      return Boolean(v);
    case 'integer':
    case 'number': {
      if (typeof v === 'number') return v;
      if (typeof v === 'boolean') return v ? 1 : 0;
      if (v instanceof Date) return v.getTime();
      const s = String(v).trim();
      if (s === '') return null;
      const n = Number(s);
      return Number.isFinite(n) ? n : null;
    }
    case 'json':
      if (typeof v === 'string') {
        try {
          return JSON.parse(v) as SqlValue;
        } catch {
          return v;
        }
      }
      if (v instanceof Date) return v.toISOString();
      if (typeof v === 'bigint') return Number(v);
      return v as SqlValue;
    case 'text':
      if (typeof v === 'string') return v;
      if (v instanceof Date) return v.toISOString();
      if (typeof v === 'object') return JSON.stringify(v);
      return String(v);
  }
}

/** A value that cannot be written as its column's kind. */
function cannot(column: string, kind: ColumnKind, v: unknown): Error {
  const shown = typeof v === 'string' ? JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v) : typeof v === 'object' ? JSON.stringify(v)?.slice(0, 60) : String(v);
  return new Error(`sync: column "${column}" holds ${kind} values; cannot write ${shown}`);
}

function toNumber(column: string, kind: ColumnKind, v: unknown): number | null {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw cannot(column, kind, v);
    return kind === 'integer' ? Math.trunc(v) : v;
  }
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string') {
    if (v.trim() === '') return null;
    const n = Number(v);
    if (!Number.isFinite(n)) throw cannot(column, kind, v);
    return kind === 'integer' ? Math.trunc(n) : n;
  }
  throw cannot(column, kind, v);
}

/**
 * A value as bound for the database, from its kind: timestamps (epoch ms, Date or text) as Date for
 * PostgreSQL/MySQL and integer ms for SQLite; booleans as 1/0 for SQLite/MySQL; JSON as its JSON text
 * (also for PostgreSQL, whose driver would turn an array into a PostgreSQL array). Throws an Error
 * naming the column for a value that is not of the kind (a word in a number column).
 */
export function toDb(dialect: SqlDialect, kind: ColumnKind, column: string, v: unknown): unknown {
  if (v === null || v === undefined) return null;
  switch (kind) {
    case 'timestamp': {
      const ms = v instanceof Date ? v.getTime() : typeof v === 'number' ? v : typeof v === 'string' ? parseTime(v) : undefined;
      if (ms === undefined && typeof v === 'string' && v.trim() === '') return null;
      if (ms === undefined || !Number.isFinite(ms)) throw cannot(column, kind, v);
      const whole = Math.round(ms);
      return dialect === 'sqlite' ? whole : new Date(whole);
    }
    case 'boolean': {
      let b: boolean;
      if (typeof v === 'boolean') b = v;
      else if (typeof v === 'number') b = v !== 0;
      else if (typeof v === 'string') {
        const s = v.trim().toLowerCase();
        if (['1', 't', 'true', 'y', 'yes', 'on'].includes(s)) b = true;
        else if (['0', 'f', 'false', 'n', 'no', 'off'].includes(s)) b = false;
        else if (s === '') return null;
        else throw cannot(column, kind, v);
      } else throw cannot(column, kind, v);
      return dialect === 'postgres' ? b : b ? 1 : 0;
    }
    case 'integer':
    case 'number':
      return toNumber(column, kind, v);
    case 'json':
      return JSON.stringify(v);
    case 'text':
      if (typeof v === 'string') return v;
      if (v instanceof Date) return v.toISOString();
      if (typeof v === 'object') return JSON.stringify(v);
      return String(v);
  }
}
