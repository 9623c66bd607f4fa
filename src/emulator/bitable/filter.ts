import type { EmulatorContext } from '../context.js';
import { DirectoryState } from '../directory/index.js';
import { bitableErrors } from './errors.js';
import { fieldByName } from './state.js';
import { FT, type BitableField, type BitableRecord, type BitableTable } from './types.js';
import { isObj, type IdType } from './values.js';

/**
 * The search filter (`{conjunction, conditions[], children?}`, reference §5.1 and 记录筛选参数填写说明),
 * the sort, and the legacy list's formula filter (`AND(CurrentValue.[a]>1, …)`).
 */

type Pred = (r: BitableRecord) => boolean;
const OPERATORS = new Set(['is', 'isNot', 'contains', 'doesNotContain', 'isEmpty', 'isNotEmpty', 'isGreater', 'isGreaterEqual', 'isLess', 'isLessEqual']);
const DATE_TYPES = new Set<number>([FT.date, FT.createdTime, FT.modifiedTime]);
const NUMBER_TYPES = new Set<number>([FT.number, FT.autoNumber]);
const DAY = 86_400_000;
/** The bases' time zone, Asia/Shanghai (dates compare by day there). */
const TZ_OFFSET = 8 * 3_600_000;

/** A cell as comparable values: strings (text, names, ids), numbers (numbers, dates) or booleans. */
function cellValues(f: BitableField, r: BitableRecord): (string | number | boolean)[] {
  switch (f.type) {
    case FT.createdTime:
      return [r.created_time];
    case FT.modifiedTime:
      return [r.last_modified_time];
    case FT.createdUser:
      return r.created_by ? [r.created_by] : [];
    case FT.modifiedUser:
      return r.last_modified_by ? [r.last_modified_by] : [];
    case FT.autoNumber:
      return [r.serial];
  }
  const v = r.fields[f.field_id];
  if (v === undefined) return [];
  if (Array.isArray(v)) return v.map((x) => (typeof x === 'object' ? (x as { name: string }).name : x));
  if (typeof v === 'object') return [(v as { text: string }).text, (v as { link: string }).link];
  return [v];
}

const dayStart = (ms: number) => Math.floor((ms + TZ_OFFSET) / DAY) * DAY - TZ_OFFSET;

/** A date condition's value → the [start, end) range it names. */
function dateRange(value: string[], now: number, op: string): [number, number] {
  const today = dayStart(now);
  const [kind, arg] = value;
  const weekStart = today - (((new Date(today + TZ_OFFSET).getUTCDay() + 6) % 7) * DAY);
  const month = (delta: number): [number, number] => {
    const d = new Date(today + TZ_OFFSET);
    const start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + delta, 1) - TZ_OFFSET;
    return [start, Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + delta + 1, 1) - TZ_OFFSET];
  };
  const relative: Record<string, () => [number, number]> = {
    Today: () => [today, today + DAY],
    Tomorrow: () => [today + DAY, today + 2 * DAY],
    Yesterday: () => [today - DAY, today],
    CurrentWeek: () => [weekStart, weekStart + 7 * DAY],
    LastWeek: () => [weekStart - 7 * DAY, weekStart],
    CurrentMonth: () => month(0),
    LastMonth: () => month(-1),
    TheLastWeek: () => [today - 7 * DAY, today + DAY],
    TheNextWeek: () => [today, today + 8 * DAY],
    TheLastMonth: () => [today - 30 * DAY, today + DAY],
    TheNextMonth: () => [today, today + 31 * DAY],
  };
  if (kind === 'ExactDate') {
    const ms = Number(arg);
    if (!Number.isFinite(ms)) throw bitableErrors.invalidFilter('ExactDate needs a millisecond timestamp');
    const d = dayStart(ms);
    return [d, d + DAY];
  }
  const f = relative[kind];
  if (!f) throw bitableErrors.invalidFilter(`unknown date value ${JSON.stringify(kind)}`);
  if (op !== 'is' && !['Today', 'Tomorrow', 'Yesterday'].includes(kind)) throw bitableErrors.invalidFilter(`${kind} works only with "is"`);
  return f();
}

function condition(ctx: EmulatorContext, table: BitableTable, c: unknown, idType: IdType): Pred {
  if (!isObj(c)) throw bitableErrors.invalidFilter('a condition is {field_name, operator, value}');
  const f = typeof c.field_name === 'string' ? fieldByName(table, c.field_name) : undefined;
  if (!f) throw bitableErrors.invalidFilter(`no field named ${JSON.stringify(c.field_name)}`);
  const op = c.operator;
  if (typeof op !== 'string' || !OPERATORS.has(op)) throw bitableErrors.invalidFilter(`operator ${JSON.stringify(op)} is not supported`);
  if (f.type === FT.formula || f.type === FT.lookup) throw bitableErrors.invalidFilter(`${f.field_name}: formula and lookup fields cannot be filtered`);
  const value = c.value === undefined ? [] : c.value;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) throw bitableErrors.invalidFilter('value is an array of strings');
  const vals = value as string[];
  if (op === 'isEmpty') return (r) => cellValues(f, r).length === 0;
  if (op === 'isNotEmpty') return (r) => cellValues(f, r).length > 0;
  if (vals.length === 0) throw bitableErrors.invalidFilter(`${op} needs a value`);
  if (f.type === FT.attachment) throw bitableErrors.invalidFilter('attachments take only isEmpty / isNotEmpty');
  if (f.type === FT.checkbox) {
    if (op !== 'is') throw bitableErrors.invalidFilter('a checkbox takes only "is"');
    const want = vals[0] === 'true';
    return (r) => (r.fields[f.field_id] === true) === want;
  }
  if (DATE_TYPES.has(f.type)) {
    if (!['is', 'isGreater', 'isLess'].includes(op)) throw bitableErrors.invalidFilter(`a date takes is, isGreater, isLess, isEmpty, isNotEmpty (not ${op})`);
    const [start, end] = dateRange(vals, ctx.clock.now(), op);
    return (r) => {
      const v = cellValues(f, r)[0] as number | undefined;
      if (v === undefined) return false;
      return op === 'is' ? v >= start && v < end : op === 'isGreater' ? v >= end : v < start;
    };
  }
  if (NUMBER_TYPES.has(f.type)) {
    const n = Number(vals[0]);
    if (!Number.isFinite(n)) throw bitableErrors.invalidFilter(`${f.field_name}: ${JSON.stringify(vals[0])} is not a number`);
    const cmp: Record<string, (a: number) => boolean> = {
      is: (a) => a === n, isNot: (a) => a !== n, isGreater: (a) => a > n, isGreaterEqual: (a) => a >= n, isLess: (a) => a < n, isLessEqual: (a) => a <= n,
    };
    if (!cmp[op]) throw bitableErrors.invalidFilter(`a number takes is, isNot, isGreater(Equal), isLess(Equal), isEmpty, isNotEmpty (not ${op})`);
    return (r) => {
      const v = cellValues(f, r)[0] as number | undefined;
      return v === undefined ? op === 'isNot' : cmp[op](v);
    };
  }
  if (op.startsWith('isGreater') || op.startsWith('isLess')) throw bitableErrors.invalidFilter(`${op} works on numbers and dates`);
  // People are compared by open_id; the condition names them in the request's id type.
  let wanted = vals;
  if (f.type === FT.user || f.type === FT.createdUser || f.type === FT.modifiedUser) {
    const dir = ctx.slice(DirectoryState);
    wanted = vals.map((id) => dir.findUser(id, idType)?.open_id ?? id);
  }
  const multi = [FT.multiSelect, FT.user, FT.link, FT.duplexLink, FT.group, FT.createdUser, FT.modifiedUser].includes(f.type as 4);
  if (multi) {
    const has = (r: BitableRecord) => new Set(cellValues(f, r).map(String));
    if (op === 'is') return (r) => { const s = has(r); return s.size === wanted.length && wanted.every((w) => s.has(w)); };
    if (op === 'isNot') return (r) => { const s = has(r); return !(s.size === wanted.length && wanted.every((w) => s.has(w))); };
    if (op === 'contains') return (r) => { const s = has(r); return wanted.some((w) => s.has(w)); };
    return (r) => { const s = has(r); return !wanted.some((w) => s.has(w)); };
  }
  // Text-like cells (text, single select, phone, URL, location): exact or substring, ignoring case.
  const want = wanted[0].toLowerCase();
  const text = (r: BitableRecord) => cellValues(f, r).map((v) => String(v).toLowerCase());
  const isText = f.type === FT.singleSelect ? (r: BitableRecord) => text(r)[0] === want : (r: BitableRecord) => (text(r)[0] ?? '') === want;
  if (op === 'is') return isText;
  if (op === 'isNot') return (r) => !isText(r);
  if (op === 'contains') return (r) => text(r).some((t) => t.includes(want));
  return (r) => !text(r).some((t) => t.includes(want));
}

function group(ctx: EmulatorContext, table: BitableTable, g: Record<string, unknown>, idType: IdType, depth: number): Pred {
  const conj = g.conjunction ?? 'and';
  if (conj !== 'and' && conj !== 'or') throw bitableErrors.invalidFilter('conjunction is "and" or "or"');
  const conds = g.conditions === undefined || g.conditions === null ? [] : g.conditions;
  if (!Array.isArray(conds)) throw bitableErrors.invalidFilter('conditions is an array');
  if (conds.length > 50) throw bitableErrors.invalidFilter('at most 50 conditions');
  const preds = conds.map((c) => condition(ctx, table, c, idType));
  const children = g.children === undefined || g.children === null ? [] : g.children;
  if (!Array.isArray(children)) throw bitableErrors.invalidFilter('children is an array');
  if (children.length && depth > 0) throw bitableErrors.invalidFilter('children nest one level only');
  for (const ch of children) {
    if (!isObj(ch)) throw bitableErrors.invalidFilter('a child is {conjunction, conditions}');
    preds.push(group(ctx, table, ch, idType, depth + 1));
  }
  if (preds.length === 0) return () => true;
  return conj === 'and' ? (r) => preds.every((p) => p(r)) : (r) => preds.some((p) => p(r));
}

export function searchFilter(ctx: EmulatorContext, table: BitableTable, filter: unknown, idType: IdType): Pred {
  if (filter === undefined || filter === null) return () => true;
  if (!isObj(filter)) throw bitableErrors.invalidFilter('filter is {conjunction, conditions}');
  return group(ctx, table, filter, idType, 0);
}

/** Sorts in place by `[{field_name, desc}]`; empty cells sort last ascending. */
export function sortRecords(table: BitableTable, records: BitableRecord[], sort: { field_name: string; desc: boolean }[]): void {
  if (sort.length > 100) throw bitableErrors.invalidSort('at most 100 sort keys');
  const keys = sort.map((s) => {
    const f = fieldByName(table, s.field_name);
    if (!f) throw bitableErrors.invalidSort(`no field named ${JSON.stringify(s.field_name)}`);
    return { f, dir: s.desc ? -1 : 1 };
  });
  if (!keys.length) return;
  const order = new Map(records.map((r, i) => [r, i]));
  records.sort((a, b) => {
    for (const { f, dir } of keys) {
      const va = cellValues(f, a)[0];
      const vb = cellValues(f, b)[0];
      if (va === undefined && vb === undefined) continue;
      if (va === undefined) return dir;
      if (vb === undefined) return -dir;
      const c = typeof va === 'number' && typeof vb === 'number' ? va - vb : String(va).localeCompare(String(vb));
      if (c !== 0) return c * dir;
    }
    return order.get(a)! - order.get(b)!;
  });
}

// ---- the legacy list's formula filter ----

type Tok = { k: 'id' | 'str' | 'num' | 'op' | 'ref' | 'p'; v: string };

function tokenize(s: string): Tok[] {
  const out: Tok[] = [];
  let i = 0;
  while (i < s.length) {
    const c = s[i];
    if (/\s/.test(c)) { i++; continue; }
    if (s.startsWith('CurrentValue.[', i)) {
      const end = s.indexOf(']', i);
      if (end < 0) throw bitableErrors.invalidFilter('unclosed CurrentValue.[');
      out.push({ k: 'ref', v: s.slice(i + 14, end) });
      i = end + 1;
      continue;
    }
    if (c === '"') {
      const end = s.indexOf('"', i + 1);
      if (end < 0) throw bitableErrors.invalidFilter('unclosed string');
      out.push({ k: 'str', v: s.slice(i + 1, end) });
      i = end + 1;
      continue;
    }
    const op = /^(>=|<=|!=|<>|=|>|<|&)/.exec(s.slice(i));
    if (op) { out.push({ k: 'op', v: op[1] }); i += op[1].length; continue; }
    if ('(),'.includes(c)) { out.push({ k: 'p', v: c }); i++; continue; }
    const n = /^-?\d+(\.\d+)?/.exec(s.slice(i));
    if (n) { out.push({ k: 'num', v: n[0] }); i += n[0].length; continue; }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i));
    if (id) { out.push({ k: 'id', v: id[0] }); i += id[0].length; continue; }
    throw bitableErrors.invalidFilter(`unexpected ${JSON.stringify(c)} in filter`);
  }
  return out;
}

type Expr = (r: BitableRecord) => unknown;

/** `AND(…)`, `OR(…)`, `NOT(…)`, comparisons of `CurrentValue.[field]` with strings, numbers, TRUE/FALSE. */
export function formulaFilter(table: BitableTable, formula: string): Pred {
  if (formula.length > 2000) throw bitableErrors.invalidFilter('a filter is at most 2,000 characters');
  const toks = tokenize(formula);
  let pos = 0;
  const peek = () => toks[pos];
  const expect = (v: string) => {
    if (toks[pos]?.v !== v) throw bitableErrors.invalidFilter(`expected ${v} in filter`);
    pos++;
  };
  const operand = (): Expr => {
    const t = toks[pos++];
    if (!t) throw bitableErrors.invalidFilter('filter ends early');
    if (t.k === 'str') return () => t.v;
    if (t.k === 'num') return () => Number(t.v);
    if (t.k === 'ref') {
      const f = fieldByName(table, t.v);
      if (!f) throw bitableErrors.invalidFilter(`no field named ${JSON.stringify(t.v)}`);
      return (r) => {
        const vs = cellValues(f, r);
        if (f.type === FT.checkbox) return vs[0] === true;
        return vs.length === 0 ? '' : vs.length === 1 ? vs[0] : vs.join(',');
      };
    }
    if (t.k === 'id') {
      const name = t.v.toUpperCase();
      if ((name === 'TRUE' || name === 'FALSE') && peek()?.v === '(') { pos++; expect(')'); }
      if (name === 'TRUE') return () => true;
      if (name === 'FALSE') return () => false;
      if (name === 'AND' || name === 'OR' || name === 'NOT') {
        expect('(');
        const args: Expr[] = [];
        if (peek()?.v !== ')') {
          args.push(comparison());
          while (peek()?.v === ',') { pos++; args.push(comparison()); }
        }
        expect(')');
        if (name === 'NOT') { if (args.length !== 1) throw bitableErrors.invalidFilter('NOT takes one argument'); return (r) => !args[0](r); }
        return name === 'AND' ? (r) => args.every((a) => Boolean(a(r))) : (r) => args.some((a) => Boolean(a(r)));
      }
      throw bitableErrors.invalidFilter(`function ${t.v} is not supported`);
    }
    if (t.v === '(') { const e = comparison(); expect(')'); return e; }
    throw bitableErrors.invalidFilter(`unexpected ${t.v} in filter`);
  };
  const comparison = (): Expr => {
    const left = operand();
    const t = peek();
    if (t?.k !== 'op') return left;
    pos++;
    const right = operand();
    return (r) => {
      const a = left(r);
      const b = right(r);
      if (t.v === '=' ) return loose(a) === loose(b);
      if (t.v === '!=' || t.v === '<>') return loose(a) !== loose(b);
      if (t.v === '&') return `${String(a)}${String(b)}`;
      if (a === '' || b === '') return false;
      const x = Number(a), y = Number(b);
      return t.v === '>' ? x > y : t.v === '<' ? x < y : t.v === '>=' ? x >= y : x <= y;
    };
  };
  const e = comparison();
  if (pos !== toks.length) throw bitableErrors.invalidFilter(`unexpected ${toks[pos].v} in filter`);
  return (r) => Boolean(e(r));
}
const loose = (v: unknown) => (typeof v === 'number' ? String(v) : v);

/** The legacy `sort` query: a JSON array string `["field DESC", "other ASC"]`. */
export function legacySort(raw: string): { field_name: string; desc: boolean }[] {
  if (raw.length > 1000) throw bitableErrors.invalidSort('a sort is at most 1,000 characters');
  let list: unknown;
  try { list = JSON.parse(raw); } catch { throw bitableErrors.invalidSort('sort is a JSON array of strings'); }
  if (!Array.isArray(list) || !list.every((s) => typeof s === 'string')) throw bitableErrors.invalidSort('sort is a JSON array of strings');
  return (list as string[]).map((s) => {
    const m = /^(.*?)(\s+(ASC|DESC))?$/i.exec(s.trim())!;
    return { field_name: m[1], desc: (m[3] ?? '').toUpperCase() === 'DESC' };
  });
}
