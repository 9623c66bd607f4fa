import { bitableErrors } from './errors.js';
import { bitableIds, BitableState } from './state.js';
import { EXTRA_UI_TYPES, FT, PRIMARY_TYPES, UI_TYPES, type BitableApp, type BitableField, type BitableTable } from './types.js';

/**
 * Tables and fields: what create/update/delete check and store (reference §5.1, §5.2). Shared by
 * the API and the control route that creates a base.
 */

type Body = Record<string, unknown>;
const isObj = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

export const MAX_TABLES = 100;
export const MAX_FIELDS = 300;
const CREATABLE = new Set(Object.keys(UI_TYPES).map(Number).filter((t) => ![FT.lookup, FT.stage, FT.button].includes(t as 19)));

export function checkTableName(app: BitableApp, name: unknown, except?: BitableTable): string {
  if (typeof name !== 'string' || name.trim() === '') throw bitableErrors.wrongBody('table name is required');
  if (/[/\\?*:[\]]/.test(name)) throw bitableErrors.wrongBody('a table name cannot hold / \\ ? * : [ ]');
  if (name.length > 100) throw bitableErrors.wrongBody('a table name is at most 100 characters');
  if (app.tables.some((t) => t !== except && t.name === name)) throw bitableErrors.wrongBody(`a table named ${JSON.stringify(name)} exists`);
  return name;
}

/** The property a field keeps: the documented shape of its type, with defaults filled in. */
function normalizeProperty(app: BitableApp, table: BitableTable, type: number, ui: string, raw: unknown, previous?: BitableField): Record<string, unknown> | null {
  const p = isObj(raw) ? raw : {};
  switch (type) {
    case FT.number:
      if (ui === 'Currency') return { formatter: typeof p.formatter === 'string' ? p.formatter : '0.00', currency_code: typeof p.currency_code === 'string' ? p.currency_code : 'CNY' };
      if (ui === 'Progress') return { formatter: typeof p.formatter === 'string' ? p.formatter : '0%', min: num(p.min, 0), max: num(p.max, 1), range_customize: p.range_customize === true };
      if (ui === 'Rating') return { formatter: '0', min: num(p.min, 0), max: num(p.max, 5), rating: { symbol: isObj(p.rating) && typeof p.rating.symbol === 'string' ? p.rating.symbol : 'star' } };
      return { formatter: typeof p.formatter === 'string' ? p.formatter : '0' };
    case FT.singleSelect:
    case FT.multiSelect: {
      const given = Array.isArray(p.options) ? p.options : [];
      const names = new Set<string>();
      const options = given.map((o, i) => {
        if (!isObj(o) || typeof o.name !== 'string' || o.name === '') throw bitableErrors.wrongBody(`property.options[${i}].name is required`);
        if (names.has(o.name)) throw bitableErrors.wrongBody(`option ${JSON.stringify(o.name)} is given twice`);
        names.add(o.name);
        const kept = previous ? (previous.property?.options as { id: string; name: string }[] | undefined)?.find((x) => x.id === o.id || x.name === o.name) : undefined;
        const color = Number.isInteger(o.color) && (o.color as number) >= 0 && (o.color as number) <= 54 ? (o.color as number) : i % 55;
        return { id: kept?.id ?? (typeof o.id === 'string' && o.id ? o.id : bitableIds.option()), name: o.name, color };
      });
      return { options };
    }
    case FT.date:
    case FT.createdTime:
    case FT.modifiedTime:
      return { date_formatter: typeof p.date_formatter === 'string' ? p.date_formatter : 'yyyy/MM/dd', auto_fill: p.auto_fill === true };
    case FT.user:
    case FT.group:
      return { multiple: p.multiple !== false };
    case FT.link:
    case FT.duplexLink: {
      if (typeof p.table_id !== 'string' || !app.tables.some((t) => t.table_id === p.table_id)) {
        throw bitableErrors.wrongBody(`property.table_id must name a table of this base (got ${JSON.stringify(p.table_id)})`);
      }
      if (type === FT.link) return { table_id: p.table_id, multiple: p.multiple !== false };
      if (previous?.type === FT.duplexLink && previous.property?.table_id === p.table_id) return { ...previous.property, multiple: p.multiple !== false };
      const back = typeof p.back_field_name === 'string' && p.back_field_name !== '' ? p.back_field_name : `${table.name}`;
      return { table_id: p.table_id, back_field_name: back, multiple: p.multiple !== false };
    }
    case FT.formula:
      return { formatter: typeof p.formatter === 'string' ? p.formatter : '', formula_expression: typeof p.formula_expression === 'string' ? p.formula_expression : '' };
    case FT.location:
      return { location: { input_type: isObj(p.location) && p.location.input_type === 'only_mobile' ? 'only_mobile' : 'not_limit' } };
    case FT.autoNumber:
      return { auto_serial: isObj(p.auto_serial) ? p.auto_serial : { type: 'auto_increment_number' } };
    default:
      return null;
  }
}
const num = (v: unknown, d: number) => (typeof v === 'number' && Number.isFinite(v) ? v : d);

/** Checks a field body (create or full-replace update) and builds the field. */
export function buildField(app: BitableApp, table: BitableTable, body: unknown, opts: { primary: boolean; previous?: BitableField }): BitableField {
  if (!isObj(body)) throw bitableErrors.wrongBody('a field needs field_name and type');
  const name = body.field_name;
  if (typeof name !== 'string' || name.trim() === '') throw bitableErrors.wrongBody('field_name is required');
  if (table.fields.some((f) => f !== opts.previous && f.field_name === name)) throw bitableErrors.wrongBody(`a field named ${JSON.stringify(name)} exists`);
  const type = body.type;
  if (typeof type !== 'number' || !CREATABLE.has(type)) throw bitableErrors.wrongBody(`type ${JSON.stringify(type)} cannot be created through the API`);
  if (opts.primary && !PRIMARY_TYPES.has(type)) throw bitableErrors.wrongBody(`the primary field cannot be of type ${type} (only ${[...PRIMARY_TYPES].join(', ')})`);
  let ui = UI_TYPES[type];
  if (body.ui_type !== undefined && body.ui_type !== null && body.ui_type !== '') {
    if (body.ui_type !== ui && !(EXTRA_UI_TYPES[type] ?? []).includes(body.ui_type as string)) throw bitableErrors.wrongBody(`ui_type ${JSON.stringify(body.ui_type)} does not fit type ${type}`);
    ui = body.ui_type as string;
  }
  const field: BitableField = {
    field_id: opts.previous?.field_id ?? bitableIds.field(),
    field_name: name,
    type,
    ui_type: ui,
    property: normalizeProperty(app, table, type, ui, body.property, opts.previous),
  };
  if (isObj(body.description)) field.description = { disable_sync: body.description.disable_sync !== false, text: typeof body.description.text === 'string' ? body.description.text : '' };
  return field;
}

/** A two-way link's other side: a DuplexLink field in the linked table, named back_field_name. */
function addBackField(app: BitableApp, table: BitableTable, field: BitableField): void {
  const p = field.property as { table_id: string; back_field_name: string; multiple: boolean };
  const target = app.tables.find((t) => t.table_id === p.table_id)!;
  let backName = p.back_field_name;
  for (let i = 1; target.fields.some((f) => f.field_name === backName); i++) backName = `${p.back_field_name} ${i}`;
  const back: BitableField = {
    field_id: bitableIds.field(),
    field_name: backName,
    type: FT.duplexLink,
    ui_type: 'DuplexLink',
    property: { table_id: table.table_id, back_field_id: field.field_id, back_field_name: field.field_name, multiple: true },
  };
  if (target.fields.length >= MAX_FIELDS) throw bitableErrors.columnLimit();
  target.fields.push(back);
  field.property = { ...p, back_field_name: backName, back_field_id: back.field_id };
}

export function addField(app: BitableApp, table: BitableTable, body: unknown): BitableField {
  if (table.fields.length >= MAX_FIELDS) throw bitableErrors.columnLimit();
  const field = buildField(app, table, body, { primary: table.fields.length === 0 });
  if (field.type === FT.duplexLink) addBackField(app, table, field);
  table.fields.push(field);
  bump(app, table);
  return field;
}

/** PUT a field: a full replace (name, type, property); cells that do not fit a new type are cleared. */
export function updateField(app: BitableApp, table: BitableTable, fieldId: string, body: unknown): BitableField {
  const i = table.fields.findIndex((f) => f.field_id === fieldId);
  if (i < 0) throw bitableErrors.fieldIdNotFound(fieldId);
  const previous = table.fields[i];
  const next = buildField(app, table, body, { primary: i === 0, previous });
  if (previous.type === FT.duplexLink && (next.type !== FT.duplexLink || next.property?.table_id !== previous.property?.table_id)) removeBackField(app, previous);
  if (next.type === FT.duplexLink && next.property?.back_field_id === undefined) addBackField(app, table, next);
  if (next.type !== previous.type) {
    for (const r of table.records) delete r.fields[fieldId];
  } else if (next.type === FT.singleSelect || next.type === FT.multiSelect) {
    // Cells keep only options that still exist.
    const names = new Set((next.property!.options as { name: string }[]).map((o) => o.name));
    for (const r of table.records) {
      const v = r.fields[fieldId];
      if (typeof v === 'string' && !names.has(v)) delete r.fields[fieldId];
      if (Array.isArray(v)) {
        const kept = (v as string[]).filter((n) => names.has(n));
        if (kept.length) r.fields[fieldId] = kept;
        else delete r.fields[fieldId];
      }
    }
  }
  table.fields[i] = next;
  bump(app, table);
  return next;
}

function removeBackField(app: BitableApp, field: BitableField): void {
  const p = field.property as { table_id?: string; back_field_id?: string };
  const target = app.tables.find((t) => t.table_id === p.table_id);
  if (!target || !p.back_field_id) return;
  target.fields = target.fields.filter((f) => f.field_id !== p.back_field_id);
  for (const r of target.records) delete r.fields[p.back_field_id];
}

export function deleteField(app: BitableApp, table: BitableTable, fieldId: string): void {
  const i = table.fields.findIndex((f) => f.field_id === fieldId);
  if (i < 0) throw bitableErrors.fieldIdNotFound(fieldId);
  if (i === 0) throw bitableErrors.wrongBody('the primary field cannot be deleted');
  const f = table.fields[i];
  if (f.type === FT.duplexLink) removeBackField(app, f);
  table.fields.splice(i, 1);
  for (const r of table.records) delete r.fields[fieldId];
  bump(app, table);
}

export function addTable(state: BitableState, app: BitableApp, body: unknown): BitableTable {
  if (!isObj(body)) throw bitableErrors.wrongBody('table is required');
  if (app.tables.length >= MAX_TABLES) throw bitableErrors.tableLimit();
  const table: BitableTable = {
    table_id: bitableIds.table(),
    name: checkTableName(app, body.name),
    revision: 1,
    fields: [],
    views: [{ view_id: bitableIds.view(), view_name: typeof body.default_view_name === 'string' && body.default_view_name ? body.default_view_name : '表格', view_type: 'grid' }],
    records: [],
    next_serial: 1,
  };
  const fields = Array.isArray(body.fields) && body.fields.length > 0 ? body.fields : [{ field_name: '多行文本', type: FT.text }];
  if (fields.length > MAX_FIELDS) throw bitableErrors.columnLimit();
  // A link may point at the table itself: it is in the base while its fields are built.
  app.tables.push(table);
  try {
    for (const f of fields) addField(app, table, f);
  } catch (err) {
    for (const f of table.fields) if (f.type === FT.duplexLink) removeBackField(app, f);
    app.tables.splice(app.tables.indexOf(table), 1);
    throw err;
  }
  app.revision++;
  return table;
}

export function deleteTable(app: BitableApp, tableId: string): void {
  const i = app.tables.findIndex((t) => t.table_id === tableId);
  if (i < 0) throw bitableErrors.tableNotFound(tableId);
  if (app.tables.length === 1) throw bitableErrors.wrongBody('the last table of a base cannot be deleted');
  app.tables.splice(i, 1);
  // Links into the deleted table go with it.
  for (const t of app.tables) {
    const gone = t.fields.filter((f, j) => j > 0 && (f.type === FT.link || f.type === FT.duplexLink) && f.property?.table_id === tableId).map((f) => f.field_id);
    t.fields = t.fields.filter((f) => !gone.includes(f.field_id));
    for (const r of t.records) for (const id of gone) delete r.fields[id];
  }
  app.revision++;
}

export function bump(app: BitableApp, table: BitableTable): void {
  table.revision++;
  app.revision++;
}
