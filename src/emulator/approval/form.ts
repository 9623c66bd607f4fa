import { approvalErrors } from './errors.js';
import type { ApprovalInstance, Widget } from './types.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
// RFC 3339, e.g. 2026-12-01T09:00:00+08:00 (what the form control page documents for date widgets).
const isDate = (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v));
const isNumeric = (v: unknown) => typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)));

/** Per widget type, whether a value is acceptable; types not listed take any value. */
const checks: Record<string, (v: unknown, w: Widget) => boolean> = {
  input: (v) => typeof v === 'string',
  textarea: (v) => typeof v === 'string',
  telephone: (v) => typeof v === 'string' || isObj(v),
  number: isNumeric,
  amount: isNumeric,
  formula: isNumeric,
  date: isDate,
  dateInterval: (v) => isObj(v) && isDate(v.start) && isDate(v.end) && Date.parse(v.start as string) <= Date.parse(v.end as string),
  radioV2: (v, w) => typeof v === 'string' && (!w.option?.length || w.option.some((o) => o.value === v)),
  checkboxV2: (v, w) => Array.isArray(v) && v.every((x) => typeof x === 'string' && (!w.option?.length || w.option.some((o) => o.value === x))),
  contact: (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
  department: (v) => Array.isArray(v),
  attachmentV2: (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
  image: (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
  fieldList: (v) => Array.isArray(v),
};

/**
 * The instance `form`: a JSON string of `[{id, type, value}]` whose ids are the definition's
 * widgets, with the widget's type and a value of that type; required widgets must be there.
 * Errors are 1390001 naming the widget, like the platform's "控件=<id>" hints.
 */
export function parseForm(raw: unknown, widgets: Widget[]): ApprovalInstance['form'] {
  if (typeof raw !== 'string' || raw === '') throw approvalErrors.param('form', 'form is required (a JSON array serialized to a string)');
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    throw approvalErrors.param('form', 'form is not valid JSON');
  }
  if (!Array.isArray(list)) throw approvalErrors.param('form', 'form must be a JSON array of {id, type, value}');
  const byId = new Map(widgets.map((w) => [w.id, w]));
  const seen = new Set<string>();
  const items = list.map((item, i) => {
    if (!isObj(item) || typeof item.id !== 'string') throw approvalErrors.param(`form[${i}].id`, 'each form item needs a widget id');
    const w = byId.get(item.id);
    if (!w) throw approvalErrors.param(`form[${i}].id`, `控件=${item.id}: the definition has no such widget`);
    if (seen.has(w.id)) throw approvalErrors.param(`form[${i}].id`, `控件=${w.id}: given twice`);
    seen.add(w.id);
    if (item.type !== undefined && item.type !== w.type) throw approvalErrors.param(`form[${i}].type`, `控件=${w.id}: the widget is ${w.type}, not ${String(item.type)}`);
    const check = checks[w.type];
    if (check && !check(item.value, w)) throw approvalErrors.param(`form[${i}].value`, `控件=${w.id}: not a valid ${w.type} value`);
    return { id: w.id, type: w.type, name: w.name, value: item.value };
  });
  for (const w of widgets) {
    if (w.required && !seen.has(w.id)) throw approvalErrors.param('form', `控件=${w.id}: the widget is required`);
  }
  return items;
}
