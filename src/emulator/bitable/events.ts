import type { EmulatorContext } from '../context.js';
import { AuthState } from '../auth/index.js';
import { DirectoryState } from '../directory/index.js';
import { BitableState } from './state.js';
import { FT, type BitableApp, type BitableRecord, type BitableTable, type StoredValue } from './types.js';
import { readValue, type ReadCtx } from './values.js';

/**
 * `drive.file.bitable_record_changed_v1` (reference §3.4): pushed through the bus to the apps that
 * subscribed the base (`drive/v1/files/:file_token/subscribe?file_type=bitable`), one event per
 * write, with each record's action and the changed fields' values before and after.
 */

export interface RecordChange {
  action: 'record_added' | 'record_deleted' | 'record_edited';
  record_id: string;
  before?: BitableRecord;
  after?: BitableRecord;
}

/** A copy of a record before a write changes it. */
export const copyRecord = (r: BitableRecord): BitableRecord => structuredClone(r);

function fieldValues(ctx: EmulatorContext, table: BitableTable, rec: BitableRecord | undefined, ids: string[]) {
  if (!rec) return [];
  const read: ReadCtx = { ctx, idType: 'open_id' };
  const dir = ctx.slice(DirectoryState);
  const out: Record<string, unknown>[] = [];
  for (const id of ids) {
    const f = table.fields.find((x) => x.field_id === id);
    if (!f || f.type === FT.formula || f.type === FT.lookup) continue;
    const v = readValue(read, f, rec);
    if (v === undefined) continue;
    const entry: Record<string, unknown> = { field_id: id, field_value: JSON.stringify(v) };
    if (f.type === FT.user) {
      entry.field_identity_value = {
        users: (rec.fields[id] as string[]).map((openId) => {
          const u = dir.findUser(openId, 'open_id');
          return { user_id: { open_id: openId, union_id: u?.union_id ?? '', user_id: u?.user_id ?? '' }, name: u?.name ?? '', en_name: u?.en_name ?? '', avatar_url: `https://s1-imfile.feishucdn.com/avatar/${openId}` };
        }),
      };
    }
    out.push(entry);
  }
  return out;
}

const same = (a: StoredValue | undefined, b: StoredValue | undefined) => JSON.stringify(a) === JSON.stringify(b);

export function recordChangedEvent(ctx: EmulatorContext, app: BitableApp, table: BitableTable, changes: RecordChange[], operator: string): void {
  const state = ctx.slice(BitableState);
  const apps = ctx.slice(AuthState).apps;
  const subscribers = [...state.subscriptions].filter(([appId, tokens]) => tokens.has(app.app_token) && apps.has(appId)).map(([appId]) => appId);
  if (!subscribers.length || !changes.length) return;
  const dir = ctx.slice(DirectoryState);
  const op = operator ? dir.findUser(operator, 'open_id') : undefined;
  const action_list = changes.map((c) => {
    const ids =
      c.action === 'record_edited'
        ? [...new Set([...Object.keys(c.before!.fields), ...Object.keys(c.after!.fields)])].filter((id) => !same(c.before!.fields[id], c.after!.fields[id]))
        : Object.keys((c.after ?? c.before)!.fields);
    return { record_id: c.record_id, action: c.action, before_value: fieldValues(ctx, table, c.before, ids), after_value: fieldValues(ctx, table, c.after, ids) };
  });
  const event = {
    file_type: 'bitable',
    file_token: app.app_token,
    table_id: table.table_id,
    revision: app.revision,
    operator_id: { open_id: op?.open_id ?? '', union_id: op?.union_id ?? '', user_id: op?.user_id ?? '' },
    action_list,
    subscriber_id_list: [],
    update_time: Math.floor(ctx.clock.now() / 1000),
  };
  for (const appId of subscribers) ctx.events.publish(appId, 'drive.file.bitable_record_changed_v1', event);
}
