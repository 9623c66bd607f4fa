import { userInfo } from 'node:os';
import { resolve } from 'node:path';

export type SqlDialect = 'postgres' | 'mysql' | 'sqlite';

export type ParsedUrl =
  | { dialect: 'postgres'; connectionString: string; description: string }
  | { dialect: 'mysql'; host: string; port: number; user?: string; password?: string; database: string; description: string }
  | { dialect: 'sqlite'; file: string; description: string };

export const ACCEPTED_URLS = 'postgres://user:password@host:5432/db (or postgresql://), mysql://user:password@host:3306/db (or mariadb://), or sqlite:<path> (relative to the working directory)';

function bad(url: string, why: string): Error {
  // Never echo the whole URL: it may hold a password.
  const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0] ?? '';
  return new Error(`sync database URL "${scheme ? `${scheme}…` : url.length > 12 ? `${url.slice(0, 12)}…` : url}" ${why}; accepted forms: ${ACCEPTED_URLS}`);
}

function withoutPassword(u: URL): string {
  const c = new URL(u.toString());
  if (c.password) c.password = '';
  c.search = '';
  return c.toString();
}

/**
 * Parses a sync target URL: `postgres://`/`postgresql://`, `mysql://`/`mariadb://`, `sqlite:<path>`.
 * Throws an Error naming the accepted forms for anything else.
 *
 * @example
 * parseTargetUrl('mysql://app:secret@db:3306/shop').description // 'mysql://app@db:3306/shop'
 */
export function parseTargetUrl(url: string): ParsedUrl {
  if (typeof url !== 'string' || url.trim() === '') throw bad('', 'is empty');
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).split('?')[0];
    if (path === '') throw bad(url, 'has no file path');
    if (path === ':memory:') return { dialect: 'sqlite', file: ':memory:', description: 'sqlite::memory:' };
    const file = resolve(path.replace(/^\/\/(?=\/)/, ''));
    return { dialect: 'sqlite', file, description: `sqlite:${file}` };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url)?.[1]?.toLowerCase();
  if (!scheme || !['postgres', 'postgresql', 'mysql', 'mariadb'].includes(scheme)) throw bad(url, 'is not supported');
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw bad(url, 'is not a valid URL');
  }
  if (!u.hostname) throw bad(url, 'has no host');
  if (scheme === 'postgres' || scheme === 'postgresql') {
    // Like libpq (psql): no user in the URL or PGUSER means the OS user (node-postgres reads $USER, often unset).
    if (!u.username && !process.env.PGUSER && !process.env.USER) u.username = userInfo().username;
    return { dialect: 'postgres', connectionString: u.toString(), description: withoutPassword(u) };
  }
  const database = decodeURIComponent(u.pathname.replace(/^\//, ''));
  if (!database || database.includes('/')) throw bad(url, 'names no database (mysql://user@host:3306/<database>)');
  const port = u.port ? Number(u.port) : 3306;
  return {
    dialect: 'mysql',
    host: u.hostname.replace(/^\[|\]$/g, ''),
    port,
    user: u.username ? decodeURIComponent(u.username) : undefined,
    password: u.password ? decodeURIComponent(u.password) : undefined,
    database,
    description: withoutPassword(u),
  };
}
