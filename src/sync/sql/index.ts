/**
 * The SQL side of the Bitable ↔ SQL sync: one table of PostgreSQL, MySQL/MariaDB or SQLite, read
 * and written with values normalized per column kind, and its changes captured by triggers into a
 * change log (or read from an updated_at column).
 */
export { openTarget } from './target.js';
export { parseTargetUrl, ACCEPTED_URLS, type ParsedUrl, type SqlDialect } from './url.js';
export { CHANGE_LOG } from './capture.js';
export type { ColumnSpec, OpenTargetOptions, SqlChange, SqlRow, SqlTarget } from './types.js';
