/**
 * Approval form JSON, both ways. Instance create takes `form` as a JSON *string* of
 * `{id, type, value}` items whose value shape depends on the widget (feishu-api.md §4); people get
 * it wrong, and Feishu's answer is one opaque 1390001. So values are checked here, against the
 * definition's widget list, and every problem is reported at once with its widget id.
 */

export const FORM_WIDGET_TYPES = ['input', 'textarea', 'number', 'amount', 'date', 'dateInterval', 'radioV2', 'checkboxV2', 'contact', 'department', 'attachmentV2'] as const;
export type FormWidgetType = (typeof FORM_WIDGET_TYPES)[number];

/** A widget of an approval definition, as far as the form needs it. */
export interface WidgetDefinition {
  id: string;
  /** Other types (fieldList, image, …) pass through unchecked. */
  type: FormWidgetType | (string & {});
  name?: string;
  required?: boolean;
  /** radioV2 / checkboxV2: the allowed option values. */
  options?: { value: string; text?: string }[];
}

/** One item of the `form` string instance create takes. */
export interface FormItem {
  id: string;
  type: string;
  value: unknown;
  /** amount */
  currency?: string;
  /** contact, when given open ids */
  open_ids?: string[];
}

export interface DateInterval {
  /** RFC 3339, e.g. 2024-01-15T09:00:00+08:00 */
  start: string;
  end: string;
  /** Duration in days, as the client shows it. */
  interval: number;
}

export interface FormProblem {
  widgetId: string;
  message: string;
}

/** The form does not fit the definition; `problems` has one entry per widget and issue. */
export class ApprovalFormError extends Error {
  constructor(readonly problems: FormProblem[]) {
    super(`approval form is invalid: ${problems.map((p) => `${p.widgetId}: ${p.message}`).join('; ')}`);
    this.name = 'ApprovalFormError';
  }
}

/**
 * The widget list from a definition's `form` (the JSON string `definition get` returns).
 * Options come as `option: [{value, text}]` there; both spellings are read.
 */
export function parseDefinitionForm(form: string | unknown[]): WidgetDefinition[] {
  const items = (typeof form === 'string' ? JSON.parse(form) : form) as Record<string, unknown>[];
  return items.map((w) => {
    const rawOptions = (w.option ?? w.options) as { value?: unknown; key?: unknown; text?: unknown }[] | undefined;
    return {
      id: String(w.id),
      type: String(w.type),
      name: typeof w.name === 'string' ? w.name : undefined,
      required: w.required === true,
      options: Array.isArray(rawOptions) ? rawOptions.map((o) => ({ value: String(o.value ?? o.key), text: typeof o.text === 'string' ? o.text : undefined })) : undefined,
    };
  });
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((x) => typeof x === 'string' && x.length > 0);

/** What is wrong with one item's value for its widget (undefined when it fits). */
function valueProblem(widget: WidgetDefinition, item: FormItem): string | undefined {
  const v = item.value;
  const optionsOk = (values: string[]) => {
    if (!widget.options) return undefined;
    const bad = values.filter((x) => !widget.options!.some((o) => o.value === x));
    return bad.length ? `option ${bad.map((b) => `"${b}"`).join(', ')} is not one of ${widget.options.map((o) => o.value).join(', ')}` : undefined;
  };
  switch (widget.type) {
    case 'input':
    case 'textarea':
      return typeof v === 'string' ? undefined : `${widget.type} takes a string, got ${describe(v)}`;
    case 'number':
      return typeof v === 'number' && Number.isFinite(v) ? undefined : `number takes a finite number, got ${describe(v)}`;
    case 'amount':
      if (!(typeof v === 'number' && Number.isFinite(v))) return `amount takes a finite number, got ${describe(v)}`;
      return typeof item.currency === 'string' && /^[A-Z]{3}$/.test(item.currency) ? undefined : `amount needs a currency code like CNY, got ${describe(item.currency)}`;
    case 'date':
      return typeof v === 'string' && RFC3339.test(v) && !Number.isNaN(Date.parse(v)) ? undefined : `date takes an RFC 3339 time like 2024-01-15T09:00:00+08:00, got ${describe(v)}`;
    case 'dateInterval': {
      const d = v as Partial<DateInterval> | null;
      if (!d || typeof d !== 'object' || typeof d.start !== 'string' || typeof d.end !== 'string' || !RFC3339.test(d.start) || !RFC3339.test(d.end)) return `dateInterval takes {start, end, interval} with RFC 3339 times, got ${describe(v)}`;
      if (Date.parse(d.end) < Date.parse(d.start)) return 'dateInterval ends before it starts';
      return typeof d.interval === 'number' && d.interval >= 0 ? undefined : `dateInterval interval must be a number of days, got ${describe(d.interval)}`;
    }
    case 'radioV2':
      return typeof v === 'string' && v ? optionsOk([v]) : `radioV2 takes one option value, got ${describe(v)}`;
    case 'checkboxV2':
      return isStringArray(v) ? optionsOk(v) : `checkboxV2 takes a list of option values, got ${describe(v)}`;
    case 'contact': {
      const ids = item.open_ids ?? v;
      return isStringArray(ids) && ids.length > 0 ? undefined : `contact takes a non-empty list of user ids, got ${describe(ids)}`;
    }
    case 'department':
      return Array.isArray(v) && v.length > 0 && v.every((d) => d && typeof d === 'object' && typeof (d as { open_id?: unknown }).open_id === 'string') ? undefined : `department takes [{open_id: "od-…"}], got ${describe(v)}`;
    case 'attachmentV2':
      return isStringArray(v) ? undefined : `attachmentV2 takes a list of approval file codes, got ${describe(v)}`;
    default:
      return undefined;
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s && s.length > 60 ? `${s.slice(0, 57)}…` : String(s);
}

/** Every problem of `items` against `widgets`: unknown ids, type mismatches, bad values, missing required. */
export function validateForm(widgets: WidgetDefinition[], items: FormItem[]): FormProblem[] {
  const problems: FormProblem[] = [];
  const byId = new Map(widgets.map((w) => [w.id, w]));
  const seen = new Set<string>();
  for (const item of items) {
    const widget = byId.get(item.id);
    if (!widget) {
      problems.push({ widgetId: item.id, message: `no widget with this id in the definition (known: ${widgets.map((w) => w.id).join(', ')})` });
      continue;
    }
    if (seen.has(item.id)) problems.push({ widgetId: item.id, message: 'given more than once' });
    seen.add(item.id);
    if (item.type !== widget.type) {
      problems.push({ widgetId: item.id, message: `the definition says type ${widget.type}, the value is for ${item.type}` });
      continue;
    }
    const problem = valueProblem(widget, item);
    if (problem) problems.push({ widgetId: item.id, message: problem });
  }
  for (const w of widgets) if (w.required && !seen.has(w.id)) problems.push({ widgetId: w.id, message: `required${w.name ? ` (${w.name})` : ''} but not given` });
  return problems;
}

/**
 * Builds the `form` string for instance create.
 *
 * @example
 * const form = new ApprovalForm(parseDefinitionForm(definition.form))
 *   .input('reason', 'Team offsite')
 *   .amount('amount', 1200, 'CNY')
 *   .toString(); // throws ApprovalFormError listing every problem
 */
export class ApprovalForm {
  private readonly items: FormItem[] = [];

  /** Without a widget list nothing is checked against a definition (shapes still are, by type). */
  constructor(private readonly widgets?: WidgetDefinition[]) {}

  input(id: string, value: string): this { return this.add({ id, type: 'input', value }); }
  textarea(id: string, value: string): this { return this.add({ id, type: 'textarea', value }); }
  number(id: string, value: number): this { return this.add({ id, type: 'number', value }); }
  amount(id: string, value: number, currency: string): this { return this.add({ id, type: 'amount', value, currency }); }
  /** A Date is written in UTC (`…Z`); pass a string to keep a zone offset. */
  date(id: string, value: Date | string): this { return this.add({ id, type: 'date', value: rfc3339(value) }); }
  /** `interval` defaults to the whole days between start and end. */
  dateInterval(id: string, start: Date | string, end: Date | string, interval?: number): this {
    const s = rfc3339(start), e = rfc3339(end);
    return this.add({ id, type: 'dateInterval', value: { start: s, end: e, interval: interval ?? Math.round((Date.parse(e) - Date.parse(s)) / 86_400_000) } });
  }
  radio(id: string, option: string): this { return this.add({ id, type: 'radioV2', value: option }); }
  checkbox(id: string, options: string[]): this { return this.add({ id, type: 'checkboxV2', value: options }); }
  /** Open ids (`ou_…`) go in `open_ids`, which Feishu prefers; other ids are user ids in `value`. */
  contact(id: string, userIds: string[]): this {
    return this.add(userIds.every((u) => u.startsWith('ou_')) ? { id, type: 'contact', value: userIds, open_ids: userIds } : { id, type: 'contact', value: userIds });
  }
  department(id: string, openDepartmentIds: string[]): this { return this.add({ id, type: 'department', value: openDepartmentIds.map((open_id) => ({ open_id })) }); }
  attachment(id: string, fileCodes: string[]): this { return this.add({ id, type: 'attachmentV2', value: fileCodes }); }

  /** An item as is (a widget type this builder has no method for). */
  add(item: FormItem): this {
    this.items.push(item);
    return this;
  }

  problems(): FormProblem[] {
    if (this.widgets) return validateForm(this.widgets, this.items);
    // No definition: take each item's own type as its widget, so value shapes are still checked.
    return validateForm(this.items.map((i) => ({ id: i.id, type: i.type })), this.items);
  }

  toItems(): FormItem[] {
    const problems = this.problems();
    if (problems.length) throw new ApprovalFormError(problems);
    return this.items.map((i) => ({ ...i }));
  }

  /** The `form` parameter of instance create. */
  toString(): string {
    return JSON.stringify(this.toItems());
  }
}

function rfc3339(value: Date | string): string {
  return typeof value === 'string' ? value : value.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * Fills a form from plain values keyed by widget id or name (config templates, `--field name=value`):
 * each value is coerced to its widget's shape (numbers from strings, a comma list for checkboxes, …).
 */
export function buildForm(widgets: WidgetDefinition[], values: Record<string, unknown>): string {
  const form = new ApprovalForm(widgets);
  const problems: FormProblem[] = [];
  for (const [key, raw] of Object.entries(values)) {
    const widget = widgets.find((w) => w.id === key) ?? widgets.find((w) => w.name === key);
    if (!widget) {
      problems.push({ widgetId: key, message: 'no widget with this id or name in the definition' });
      continue;
    }
    form.add(coerce(widget, raw));
  }
  if (problems.length) throw new ApprovalFormError([...problems, ...form.problems()]);
  return form.toString();
}

function coerce(widget: WidgetDefinition, raw: unknown): FormItem {
  const item: FormItem = { id: widget.id, type: widget.type, value: raw };
  const list = (v: unknown) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : v);
  const num = (v: unknown) => (typeof v === 'string' && v.trim() !== '' && !Number.isNaN(Number(v)) ? Number(v) : v);
  switch (widget.type) {
    case 'number':
      return { ...item, value: num(raw) };
    case 'amount': {
      // "1200 CNY", {value, currency} or a bare number (currency then missing, reported).
      if (typeof raw === 'string') {
        const m = /^\s*([-\d.]+)\s*([A-Za-z]{3})?\s*$/.exec(raw);
        return m ? { ...item, value: num(m[1]), currency: m[2]?.toUpperCase() } : item;
      }
      if (raw && typeof raw === 'object') {
        const a = raw as { value?: unknown; currency?: unknown };
        return { ...item, value: num(a.value), currency: typeof a.currency === 'string' ? a.currency : undefined };
      }
      return item;
    }
    case 'date':
      return { ...item, value: raw instanceof Date ? rfc3339(raw) : raw };
    case 'checkboxV2':
    case 'attachmentV2':
      return { ...item, value: list(raw) };
    case 'contact': {
      const ids = list(raw);
      return isStringArray(ids) && ids.every((u) => u.startsWith('ou_')) ? { ...item, value: ids, open_ids: ids } : { ...item, value: ids };
    }
    case 'department': {
      const ids = list(raw);
      return { ...item, value: isStringArray(ids) ? ids.map((open_id) => ({ open_id })) : ids };
    }
    default:
      return item;
  }
}

/** One widget's value read back from an instance. */
export interface FormValue {
  id: string;
  name: string;
  type: string;
  /** Normalised: numbers as numbers, contacts as open ids (or user ids), radio as one option, … */
  value: unknown;
  /** amount only */
  currency?: string;
  /** The item as `instance get` returned it. */
  raw: Record<string, unknown>;
}

export interface InstanceFormValues {
  items: FormValue[];
  byId: Record<string, FormValue>;
  /** Keyed by widget name; a name used twice keeps the first. */
  byName: Record<string, FormValue>;
}

/** Reads the `form` of `instance get` (a JSON string; items carry `name`, `open_ids`, `ext`). */
export function readInstanceForm(form: string | unknown[]): InstanceFormValues {
  const raw = (typeof form === 'string' ? (form ? JSON.parse(form) : []) : form) as Record<string, unknown>[];
  const items = raw.map((r): FormValue => {
    const type = String(r.type);
    const base = { id: String(r.id), name: typeof r.name === 'string' ? r.name : '', type, raw: r };
    return { ...base, ...normalise(type, r) };
  });
  const byId: Record<string, FormValue> = {};
  const byName: Record<string, FormValue> = {};
  for (const v of items) {
    byId[v.id] ??= v;
    if (v.name) byName[v.name] ??= v;
  }
  return { items, byId, byName };
}

function normalise(type: string, r: Record<string, unknown>): { value: unknown; currency?: string } {
  const v = r.value;
  const asNumber = (x: unknown) => (typeof x === 'string' && x.trim() !== '' && !Number.isNaN(Number(x)) ? Number(x) : x);
  // instance get sometimes serialises structured values again as a string.
  const parsed = typeof v === 'string' && /^[[{]/.test(v) ? safeParse(v) : v;
  switch (type) {
    case 'number':
      return { value: asNumber(v) };
    case 'amount':
      return { value: asNumber(v), currency: typeof r.currency === 'string' ? r.currency : undefined };
    case 'radioV2':
    case 'radio':
      return { value: Array.isArray(parsed) ? parsed[0] : parsed };
    case 'contact':
      return { value: isStringArray(r.open_ids) ? r.open_ids : parsed };
    case 'department':
      return { value: Array.isArray(parsed) ? parsed.map((d) => (d && typeof d === 'object' ? (d as { open_id?: string }).open_id : d)) : parsed };
    case 'checkboxV2':
    case 'attachmentV2':
    case 'dateInterval':
      return { value: parsed };
    default:
      return { value: v };
  }
}

function safeParse(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return s;
  }
}
