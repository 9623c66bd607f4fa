/**
 * Bitable cell values, both ways: the read format the platform answers (text segments, user
 * objects, `{link_record_ids}`, `{type, value}` for formulas…) to plain JS, and plain JS to the
 * write format each field type takes (reference §5.2/§5.3). Types we do not know stay raw.
 */

/** Field types (`type` of a field), from the field guide. */
export const FieldType = {
  Text: 1,
  Number: 2,
  SingleSelect: 3,
  MultiSelect: 4,
  DateTime: 5,
  Checkbox: 7,
  User: 11,
  Phone: 13,
  Url: 15,
  Attachment: 17,
  SingleLink: 18,
  Lookup: 19,
  Formula: 20,
  DuplexLink: 21,
  Location: 22,
  GroupChat: 23,
  Stage: 24,
  CreatedTime: 1001,
  ModifiedTime: 1002,
  CreatedUser: 1003,
  ModifiedUser: 1004,
  AutoNumber: 1005,
  Button: 3001,
} as const;

export type FieldTypeName = keyof typeof FieldType;

/** Types the API computes or fills itself: never written (a write names them in an error). */
export const READ_ONLY_TYPES: ReadonlySet<number> = new Set([
  FieldType.Lookup,
  FieldType.Formula,
  FieldType.Stage,
  FieldType.CreatedTime,
  FieldType.ModifiedTime,
  FieldType.CreatedUser,
  FieldType.ModifiedUser,
  FieldType.AutoNumber,
  FieldType.Button,
]);

/** A URL cell: the text shown and the link. */
export interface UrlValue {
  text: string;
  link: string;
}

/** An attachment as read (write needs only `file_token`). */
export interface Attachment {
  file_token: string;
  name?: string;
  /** MIME type. */
  type?: string;
  size?: number;
  url?: string;
  tmp_url?: string;
}

/** A location cell: `location` is "longitude,latitude"; the rest is what the platform resolved. */
export interface LocationValue {
  location: string;
  pname?: string;
  cityname?: string;
  adname?: string;
  address?: string;
  name?: string;
  full_address?: string;
}

/**
 * The plain JS value of a cell, by field type: text/phone/single select/auto number → string;
 * number → number; multi select → string[]; dates → Date; checkbox → boolean; users and group
 * chats → ids (string[]); links → record ids (string[]); URL → {text, link}; attachments →
 * Attachment[]; location → LocationValue; formula/lookup → the plain value of their inner type.
 */
export type PlainValue = string | number | boolean | Date | string[] | UrlValue | Attachment[] | LocationValue | null | unknown;

/** What a field is, as far as conversion goes. */
export interface FieldShape {
  field_name: string;
  type: number;
  ui_type?: string;
  field_id?: string;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined);

/** A text cell's segments (`[{type:"text",text}]`, mentions, urls) as one string. */
export function textOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(textOf).join('');
  if (isObj(value)) return str(value.text) ?? str(value.name) ?? str(value.link) ?? '';
  return String(value);
}

function idsOf(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  return list.map((v) => (isObj(v) ? str(v.id) : str(v))).filter((v): v is string => Boolean(v));
}

function linkIdsOf(value: unknown): string[] {
  if (isObj(value) && Array.isArray(value.link_record_ids)) return value.link_record_ids.map(String);
  // The legacy list API answers `[{record_ids:[…], table_id, text, type}]`.
  if (Array.isArray(value)) {
    return value.flatMap((v) => (isObj(v) ? (Array.isArray(v.record_ids) ? v.record_ids.map(String) : str(v.record_id) ? [str(v.record_id)!] : []) : str(v) ? [str(v)!] : []));
  }
  return typeof value === 'string' ? [value] : [];
}

function numberOf(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value))) return Number(value);
  if (Array.isArray(value) && value.length === 1) return numberOf(value[0]);
  if (isObj(value) && 'text' in value) return numberOf(value.text);
  return null;
}

/**
 * A read cell to plain JS (null for an empty cell).
 *
 * @example
 * fromReadValue(FieldType.Text, [{ type: 'text', text: 'Hello ' }, { type: 'url', text: 'docs', link: 'https://x' }]) // 'Hello docs'
 * fromReadValue(FieldType.User, [{ id: 'ou_1', name: 'Ann' }]) // ['ou_1']
 * fromReadValue(FieldType.Formula, { type: 1, value: [{ type: 'text', text: '✅ 正常' }] }) // '✅ 正常'
 */
export function fromReadValue(type: number, value: unknown): PlainValue {
  if (value === null || value === undefined) return null;
  switch (type) {
    case FieldType.Text:
    case FieldType.Phone:
    case FieldType.AutoNumber:
      return textOf(value);
    case FieldType.Number:
      return numberOf(value);
    case FieldType.SingleSelect:
      return Array.isArray(value) ? (value.length ? textOf(value[0]) : null) : textOf(value);
    case FieldType.MultiSelect:
      return (Array.isArray(value) ? value : [value]).map(textOf);
    case FieldType.DateTime:
    case FieldType.CreatedTime:
    case FieldType.ModifiedTime: {
      const ms = numberOf(value);
      return ms === null ? null : new Date(ms);
    }
    case FieldType.Checkbox:
      return value === true || value === 'true';
    case FieldType.User:
    case FieldType.CreatedUser:
    case FieldType.ModifiedUser:
    case FieldType.GroupChat:
      return idsOf(value);
    case FieldType.Url: {
      const seg = Array.isArray(value) ? value[0] : value;
      if (isObj(seg)) return { text: textOf(seg.text ?? seg.link), link: str(seg.link) ?? '' };
      return typeof seg === 'string' ? { text: seg, link: seg } : null;
    }
    case FieldType.Attachment:
      return (Array.isArray(value) ? value : [value]).filter(isObj).map((a) => ({ ...a, file_token: String(a.file_token ?? '') }) as Attachment);
    case FieldType.SingleLink:
    case FieldType.DuplexLink:
      return linkIdsOf(value);
    case FieldType.Location:
      if (isObj(value)) return { ...value, location: String(value.location ?? '') } as LocationValue;
      return typeof value === 'string' ? { location: value } : value;
    case FieldType.Lookup:
    case FieldType.Formula: {
      if (!isObj(value) || typeof value.type !== 'number') return value;
      const inner = value.value;
      if (inner === null || inner === undefined) return null;
      // A scalar type's value comes as a list (one per linked record for a lookup): one is the value, more a list.
      if (SCALAR_TYPES.has(value.type) && Array.isArray(inner)) {
        return inner.length === 1 ? fromReadValue(value.type, inner[0]) : inner.map((v) => fromReadValue(value.type as number, v));
      }
      return fromReadValue(value.type, inner);
    }
    default:
      return value;
  }
}

/** Types whose cell is one value (not a list of segments, ids or options). */
const SCALAR_TYPES: ReadonlySet<number> = new Set([
  FieldType.Number,
  FieldType.SingleSelect,
  FieldType.DateTime,
  FieldType.CreatedTime,
  FieldType.ModifiedTime,
  FieldType.Checkbox,
  FieldType.Phone,
  FieldType.AutoNumber,
  FieldType.Location,
]);

/** A value that cannot be written to a field of that type. */
export class BitableValueError extends TypeError {
  constructor(
    readonly field: string,
    readonly fieldType: number,
    message: string,
  ) {
    super(`field "${field}" (type ${fieldType}): ${message}`);
    this.name = 'BitableValueError';
  }
}

function toMs(field: string, type: number, value: unknown): number {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new BitableValueError(field, type, 'an invalid Date');
    return value.getTime();
  }
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof value === 'string') {
    const n = /^\d+$/.test(value) ? Number(value) : Date.parse(value);
    if (Number.isFinite(n)) return n;
  }
  throw new BitableValueError(field, type, `a date must be a Date, ms since the epoch or an ISO string (got ${JSON.stringify(value)})`);
}

function toIdObjects(value: unknown): { id: string }[] {
  return idsOf(value).map((id) => ({ id }));
}

/**
 * A plain JS value to what a write of that field type takes (null clears the cell).
 *
 * @example
 * toWriteValue(FieldType.DateTime, new Date('2024-01-02T00:00:00Z')) // 1704153600000
 * toWriteValue(FieldType.User, ['ou_1']) // [{ id: 'ou_1' }]
 * toWriteValue(FieldType.SingleLink, 'recA') // ['recA']
 */
export function toWriteValue(type: number, value: unknown, field = '?'): unknown {
  if (value === null || value === undefined) return null;
  if (READ_ONLY_TYPES.has(type)) throw new BitableValueError(field, type, 'is computed by Bitable and cannot be written');
  switch (type) {
    case FieldType.Text:
    case FieldType.Phone:
      return typeof value === 'string' ? value : textOf(value);
    case FieldType.Number: {
      const n = numberOf(value);
      if (n === null) throw new BitableValueError(field, type, `not a number: ${JSON.stringify(value)}`);
      return n;
    }
    case FieldType.SingleSelect:
      if (Array.isArray(value)) {
        if (value.length > 1) throw new BitableValueError(field, type, 'a single select takes one option');
        return value.length ? textOf(value[0]) : null;
      }
      return textOf(value);
    case FieldType.MultiSelect:
      return (Array.isArray(value) ? value : [value]).map(textOf);
    case FieldType.DateTime:
      return toMs(field, type, value);
    case FieldType.Checkbox:
      if (typeof value === 'boolean') return value;
      if (value === 'true' || value === 'false') return value === 'true';
      throw new BitableValueError(field, type, `a checkbox takes true or false (got ${JSON.stringify(value)})`);
    case FieldType.User:
    case FieldType.GroupChat:
      return toIdObjects(value);
    case FieldType.Url:
      if (typeof value === 'string') return { text: value, link: value };
      if (isObj(value) && typeof value.link === 'string') return { text: textOf(value.text ?? value.link), link: value.link };
      throw new BitableValueError(field, type, 'a URL is a string or {text, link}');
    case FieldType.Attachment:
      return (Array.isArray(value) ? value : [value]).map((a) => {
        const token = isObj(a) ? str(a.file_token) : str(a);
        if (!token) throw new BitableValueError(field, type, 'an attachment is a file_token (upload it with drive/v1/medias/upload_all first)');
        return { file_token: token };
      });
    case FieldType.SingleLink:
    case FieldType.DuplexLink:
      return linkIdsOf(value);
    case FieldType.Location: {
      if (typeof value === 'string') return value;
      if (isObj(value) && typeof value.location === 'string') return value.location;
      throw new BitableValueError(field, type, 'a location is "longitude,latitude"');
    }
    default:
      return value;
  }
}

/**
 * A record's read `fields` (keyed by field name) to plain values, by the table's fields; a name
 * the schema does not know is kept raw.
 */
export function fieldsFromRead(fields: Record<string, unknown> | undefined, schema: FieldShape[]): Record<string, PlainValue> {
  const byName = new Map(schema.map((f) => [f.field_name, f.type]));
  const out: Record<string, PlainValue> = {};
  for (const [name, value] of Object.entries(fields ?? {})) {
    const type = byName.get(name);
    out[name] = type === undefined ? value : fromReadValue(type, value);
  }
  return out;
}

/**
 * Plain values (keyed by field name) to a write's `fields`; a name the schema does not know is sent
 * as given (the platform answers FieldNameNotFound), `undefined` is left out, `null` clears.
 */
export function fieldsToWrite(fields: Record<string, unknown>, schema: FieldShape[]): Record<string, unknown> {
  const byName = new Map(schema.map((f) => [f.field_name, f.type]));
  const out: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    const type = byName.get(name);
    out[name] = type === undefined ? value : toWriteValue(type, value, name);
  }
  return out;
}
