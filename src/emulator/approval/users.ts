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
  throw approvalErrors.param(`user_id_type ${String(t)}`);
}

/** A user of the directory by an id of that type, or 1390004. */
export function resolveUser(ctx: EmulatorContext, id: unknown, type: IdType, field = 'user_id'): UserRecord {
  if (typeof id !== 'string' || id === '') throw approvalErrors.param(`${field} is required`);
  const u = ctx.slice(DirectoryState).findUser(id, type);
  if (!u || u.resigned) throw approvalErrors.userNotFound(id);
  return u;
}

/** `{user_id, open_id}` of a stored open_id, as instance details show people. */
export function userIds(ctx: EmulatorContext, openId: string): { user_id: string; open_id: string } {
  const u = ctx.slice(DirectoryState).findUser(openId, 'open_id');
  return { user_id: u?.user_id ?? '', open_id: openId };
}
