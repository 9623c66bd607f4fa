import type { EmulatorContext } from '../context.js';
import { DirectoryState } from '../directory/index.js';
import type { UserRecord } from '../types.js';
import { approvalErrors } from './errors.js';

export type IdType = 'open_id' | 'user_id' | 'union_id';

/** `user_id_type` of a query; open_id when absent, as the approval v4 pages document. */
export function idTypeOf(query: Record<string, unknown>): IdType {
  const t = query.user_id_type;
  if (t === undefined || t === '') return 'open_id';
  if (t === 'open_id' || t === 'user_id' || t === 'union_id') return t;
  throw approvalErrors.param('user_id_type', `user_id_type must be open_id, user_id or union_id (got ${String(t)})`);
}

/** An active user of the directory by an id of that type, else 1390001 (missing) or 1390004 (unknown). */
export function resolveUser(ctx: EmulatorContext, id: unknown, type: IdType, field = 'user_id'): UserRecord {
  if (typeof id !== 'string' || id === '') throw approvalErrors.param(field, `${field} is required`);
  const u = ctx.slice(DirectoryState).findUser(id, type);
  if (!u || u.resigned) throw approvalErrors.userNotFound(field, id);
  return u;
}

/** A user by any of their ids (open_id, user_id, union_id, email), for the control routes. */
export function findUserAnyId(ctx: EmulatorContext, id: unknown): UserRecord | undefined {
  if (typeof id !== 'string' || id === '') return undefined;
  for (const type of ['open_id', 'user_id', 'union_id', 'email'] as const) {
    const u = ctx.slice(DirectoryState).findUser(id, type);
    if (u) return u;
  }
  return undefined;
}

/** `{user_id, open_id}` of a stored open_id, as instance details show people. */
export function userIds(ctx: EmulatorContext, openId: string): { user_id: string; open_id: string } {
  const u = ctx.slice(DirectoryState).findUser(openId, 'open_id');
  return { user_id: u?.user_id ?? '', open_id: openId };
}

/** The id of the requested type of a stored open_id (for fields typed by `user_id_type`). */
export function idAs(ctx: EmulatorContext, openId: string, type: IdType): string {
  const u = ctx.slice(DirectoryState).findUser(openId, 'open_id');
  if (!u) return openId;
  return type === 'user_id' ? u.user_id : type === 'union_id' ? u.union_id : u.open_id;
}

/** A person's display name (English first, as the en_us client shows it). */
export function nameOf(ctx: EmulatorContext, openId: string): string {
  const u = ctx.slice(DirectoryState).findUser(openId, 'open_id');
  return u ? u.en_name || u.name : openId;
}
