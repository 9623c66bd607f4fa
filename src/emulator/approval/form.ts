import { approvalErrors } from './errors.js';
import type { ApprovalInstance, Widget } from './types.js';

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isDate = (v: unknown) => typeof v === 'string' && !Number.isNaN(Date.parse(v));

/** Per widget type, whether a value is acceptable; types not listed take any value. */
const checks: Record<string, (v: unknown) => boolean> = {
  input: (v) => typeof v === 'string',
  textarea: (v) => typeof v === 'string',
  number: (v) => typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))),
  amount: (v) => typeof v === 'number' || (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))),
  // RFC 3339, e.g. 2026-12-01T09:00:00+08:00.
  date: isDate,
  dateInterval: (v) => isObj(v) && isDate(v.start) && isDate(v.end) && Date.parse(v.start as string) <= Date.parse(v.end as string),
  radioV2: (v) => typeof v === 'string',
  checkboxV2: (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
  contact: (v) => Array.isArray(v) && v.every((x) => typeof x === 'string'),
};

/**
 * The instance `form`: a JSON string of `[{id, type, value}]` whose ids are the definition's
 * widgets, with the widget's type and a value of that type; required widgets must be there.
 */
export function parseForm(raw: unknown, widgets: Widget[]): ApprovalInstance['form'] {
  if (typeof raw !== 'string' || raw === '') throw approvalErrors.param('form is required');
  let list: unknown;
  try {
    list = JSON.parse(raw);
  } catch {
    throw approvalErrors.param('form is not JSON');
  }
  if (!Array.isArray(list)) throw approvalErrors.param('form must be a JSON array');
  const byId = new Map(widgets.map((w) => [w.id, w]));
  const items = list.map((item, i) => {
    if (!isObj(item) || typeof item.id !== 'string') throw approvalErrors.param(`form[${i}].id is required`);
    const w = byId.get(item.id);
    if (!w) throw approvalErrors.param(`form[${i}]: no widget ${item.id} in the definition`);
    if (item.type !== undefined && item.type !== w.type) throw approvalErrors.param(`form[${i}]: widget ${w.id} is ${w.type}, not ${String(item.type)}`);
    const check = checks[w.type];
    if (check && !check(item.value)) throw approvalErrors.param(`form[${i}]: invalid value for ${w.type} widget ${w.id}`);
    return { id: w.id, type: w.type, name: w.name, value: item.value };
  });
  for (const w of widgets) {
    if (w.required && !items.some((it) => it.id === w.id)) throw approvalErrors.param(`form: widget ${w.id} is required`);
  }
  return items;
}
