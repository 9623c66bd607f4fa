import type { EmulatorContext } from '../context.js';
import { DirectoryState } from '../directory/index.js';
import { ImState } from '../im/index.js';
import { bitableErrors } from './errors.js';
import { bitableIds } from './state.js';
import { FT, READ_ONLY_TYPES, type BitableApp, type BitableAttachment, type BitableField, type BitableRecord, type BitableTable, type StoredValue } from './types.js';

/**
 * Cell values: what a write takes and what a read answers, per field type (reference §5.3). Cells
 * are keyed by field name on the wire and by field id in the state.
 */

export type IdType = 'open_id' | 'union_id' | 'user_id';
type Body = Record<string, unknown>;
const isObj = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

export function idTypeOf(query: Record<string, unknown>): IdType {
  const t = query.user_id_type;
  if (t === undefined || t === '') return 'open_id';
  if (t === 'open_id' || t === 'union_id' || t === 'user_id') return t;
  throw bitableErrors.wrongBody(`user_id_type must be open_id, union_id or user_id (got ${String(t)})`);
}

/** Options a write would add to select fields; applied only when the whole write is accepted. */
export type NewOptions = Map<BitableField, Set<string>>;

export interface WriteCtx {
  ctx: EmulatorContext;
  app: BitableApp;
  table: BitableTable;
  idType: IdType;
  newOptions: NewOptions;
}

const LOCATION = /^\s*(-?\d+(\.\d+)?)\s*,\s*(-?\d+(\.\d+)?)\s*$/;

/** A written value → the stored one (`undefined` = the cell is emptied), or the type's conv error. */
export function toStored(w: WriteCtx, f: BitableField, v: unknown): StoredValue | undefined {
  if (READ_ONLY_TYPES.has(f.type)) throw bitableErrors.wrongBody(`${f.field_name}: a field of type ${f.type} is read-only (computed by the base)`);
  if (v === null) return undefined;
  const fail = (why: string) => bitableErrors.conv(f.type, f.field_name, why);
  switch (f.type) {
    case FT.text: {
      if (typeof v === 'string') return v === '' ? undefined : v;
      if (Array.isArray(v) && v.every((s) => isObj(s) && typeof s.text === 'string')) {
        const text = v.map((s) => (s as Body).text as string).join('');
        return text === '' ? undefined : text;
      }
      throw fail('a text cell takes a string');
    }
    case FT.number:
      if (typeof v !== 'number' || !Number.isFinite(v)) throw fail('a number cell takes a number');
      return v;
    case FT.singleSelect: {
      if (typeof v !== 'string') throw fail('a single select cell takes an option name');
      if (v === '') return undefined;
      noteOption(w, f, v);
      return v;
    }
    case FT.multiSelect: {
      if (!Array.isArray(v) || !v.every((s) => typeof s === 'string' && s !== '')) throw fail('a multi select cell takes an array of option names');
      if (v.length > 1000) throw fail('at most 1,000 options per cell');
      const names = [...new Set(v as string[])];
      for (const n of names) noteOption(w, f, n);
      return names.length ? names : undefined;
    }
    case FT.date:
      if (typeof v !== 'number' || !Number.isInteger(v)) throw fail('a date cell takes a millisecond timestamp');
      return v;
    case FT.checkbox:
      if (typeof v !== 'boolean') throw fail('a checkbox cell takes true or false');
      return v ? true : undefined;
    case FT.user: {
      if (!Array.isArray(v)) throw fail('a user cell takes [{"id": …}]');
      if (v.length > 1000) throw fail('at most 1,000 people per cell');
      const dir = w.ctx.slice(DirectoryState);
      const ids = v.map((u) => {
        const id = isObj(u) ? u.id : undefined;
        const found = typeof id === 'string' ? dir.findUser(id, w.idType) : undefined;
        if (!found) throw fail(`no user ${JSON.stringify(id)} (${w.idType})`);
        return found.open_id;
      });
      const unique = [...new Set(ids)];
      if (f.property?.multiple === false && unique.length > 1) throw fail('this field takes one person');
      return unique.length ? unique : undefined;
    }
    case FT.phone:
      if (typeof v !== 'string' || !/^\+?\d*$/.test(v) || v.length > 64) throw fail('a phone cell takes digits with an optional leading +, at most 64');
      return v === '' ? undefined : v;
    case FT.url: {
      if (!isObj(v) || typeof v.link !== 'string') throw fail('a URL cell takes {"text", "link"}');
      if (v.link === '') return undefined;
      return { text: typeof v.text === 'string' && v.text !== '' ? v.text : v.link, link: v.link };
    }
    case FT.attachment: {
      if (!Array.isArray(v) || !v.every((a) => isObj(a) && typeof a.file_token === 'string' && a.file_token !== '')) throw fail('an attachment cell takes [{"file_token": …}]');
      if (v.length > 100) throw fail('at most 100 attachments per cell');
      const list = (v as Body[]).map(
        (a): BitableAttachment => ({
          file_token: a.file_token as string,
          name: typeof a.name === 'string' ? a.name : (a.file_token as string),
          type: typeof a.type === 'string' ? a.type : 'application/octet-stream',
          size: typeof a.size === 'number' ? a.size : 0,
        }),
      );
      return list.length ? list : undefined;
    }
    case FT.link:
    case FT.duplexLink: {
      if (!Array.isArray(v) || !v.every((id) => typeof id === 'string')) throw fail('a link cell takes an array of record ids');
      if (v.length > 500) throw fail('at most 500 links per cell');
      const target = w.app.tables.find((t) => t.table_id === f.property?.table_id);
      const ids = [...new Set(v as string[])];
      for (const id of ids) if (!target?.records.some((r) => r.record_id === id)) throw fail(`no record ${id} in the linked table`);
      if (f.property?.multiple === false && ids.length > 1) throw fail('this field links one record');
      return ids.length ? ids : undefined;
    }
    case FT.location: {
      if (typeof v !== 'string') throw fail('a location cell takes "longitude,latitude"');
      if (v === '') return undefined;
      const m = LOCATION.exec(v);
      if (!m || Math.abs(Number(m[1])) > 180 || Math.abs(Number(m[3])) > 90) throw fail('a location cell takes "longitude,latitude"');
      return `${m[1]},${m[3]}`;
    }
    case FT.group: {
      if (!Array.isArray(v)) throw fail('a group cell takes [{"id": "oc_…"}]');
      if (v.length > 10) throw fail('at most 10 groups per cell');
      const chats = w.ctx.slice(ImState).chats;
      const ids = v.map((c) => {
        const id = isObj(c) ? c.id : undefined;
        if (typeof id !== 'string' || !chats.has(id)) throw fail(`no chat ${JSON.stringify(id)}`);
        return id;
      });
      return ids.length ? [...new Set(ids)] : undefined;
    }
    default:
      throw fail(`type ${f.type} cannot be written`);
  }
}

function noteOption(w: WriteCtx, f: BitableField, name: string): void {
  const options = (f.property?.options ?? []) as { name: string }[];
  if (options.some((o) => o.name === name)) return;
  let set = w.newOptions.get(f);
  if (!set) w.newOptions.set(f, (set = new Set()));
  set.add(name);
  if (options.length + set.size > 20_000) throw bitableErrors.conv(f.type, f.field_name, 'at most 20,000 options');
}

/** Unknown option names a write used become options of their field (the platform does the same). */
export function commitOptions(newOptions: NewOptions): void {
  for (const [f, names] of newOptions) {
    const options = ((f.property ??= { options: [] }).options ??= []) as { id: string; name: string; color: number }[];
    for (const name of names) options.push({ id: bitableIds.option(), name, color: options.length % 55 });
  }
}

export interface ReadCtx {
  ctx: EmulatorContext;
  idType: IdType;
  /** Legacy list/get without text_field_as_array: a plain text cell reads as a string. */
  textAsString?: boolean;
}

export function userView(r: ReadCtx, openId: string): Record<string, string> {
  const u = r.ctx.slice(DirectoryState).findUser(openId, 'open_id');
  if (!u) return { id: openId, name: '', en_name: '', email: '' };
  const id = r.idType === 'user_id' ? u.user_id : r.idType === 'union_id' ? u.union_id : u.open_id;
  return { id, name: u.name, en_name: u.en_name, email: u.email, avatar_url: `https://s1-imfile.feishucdn.com/avatar/${u.open_id}` };
}

/** A cell as reads answer it, or `undefined` when empty (empty cells are left out of `fields`). */
export function readValue(r: ReadCtx, f: BitableField, rec: BitableRecord): unknown {
  switch (f.type) {
    case FT.createdTime:
      return rec.created_time;
    case FT.modifiedTime:
      return rec.last_modified_time;
    case FT.createdUser:
      return rec.created_by ? [userView(r, rec.created_by)] : undefined;
    case FT.modifiedUser:
      return rec.last_modified_by ? [userView(r, rec.last_modified_by)] : undefined;
    case FT.autoNumber:
      return String(rec.serial);
  }
  const v = rec.fields[f.field_id];
  if (v === undefined) return undefined;
  switch (f.type) {
    case FT.text:
      if (f.ui_type === 'Email') return [{ type: 'url', text: v, link: `mailto:${v as string}` }];
      return r.textAsString ? v : [{ type: 'text', text: v }];
    case FT.user:
      return (v as string[]).map((id) => userView(r, id));
    case FT.url:
      return { link: (v as { link: string }).link, text: (v as { text: string }).text };
    case FT.attachment:
      return (v as BitableAttachment[]).map((a) => ({ ...a, url: `https://open.feishu.cn/open-apis/drive/v1/medias/${a.file_token}/download`, tmp_url: `https://open.feishu.cn/open-apis/drive/v1/medias/batch_get_tmp_download_url?file_tokens=${a.file_token}` }));
    case FT.link:
    case FT.duplexLink:
      return { link_record_ids: v };
    case FT.location:
      return { location: v, pname: '', cityname: '', adname: '', address: '', name: v, full_address: v };
    case FT.group: {
      const chats = r.ctx.slice(ImState).chats;
      return (v as string[]).map((id) => ({ id, name: chats.get(id)?.name ?? '', avatar_url: chats.get(id)?.avatar ?? '' }));
    }
    default:
      return v;
  }
}

/** A record's `fields` keyed by name (only the named fields when given). */
export function readFields(r: ReadCtx, table: BitableTable, rec: BitableRecord, only?: BitableField[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of only ?? table.fields) {
    const v = readValue(r, f, rec);
    if (v !== undefined) out[f.field_name] = v;
  }
  return out;
}

/** The record as reads answer it; `automatic` adds created_by, created_time, last_modified_*. */
export function recordView(r: ReadCtx, table: BitableTable, rec: BitableRecord, opts: { automatic?: boolean; only?: BitableField[] } = {}): Record<string, unknown> {
  const out: Record<string, unknown> = { record_id: rec.record_id, fields: readFields(r, table, rec, opts.only) };
  if (opts.automatic) {
    if (rec.created_by) out.created_by = userView(r, rec.created_by);
    out.created_time = rec.created_time;
    if (rec.last_modified_by) out.last_modified_by = userView(r, rec.last_modified_by);
    out.last_modified_time = rec.last_modified_time;
  }
  return out;
}

/** What a write answers: `{record_id, id, fields}` with the fields read back. */
export function writtenView(r: ReadCtx, table: BitableTable, rec: BitableRecord): Record<string, unknown> {
  return { record_id: rec.record_id, id: rec.record_id, fields: readFields(r, table, rec) };
}

export { isObj };
