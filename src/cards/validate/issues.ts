import type { core } from 'zod';

/** The rule a card broke; stable names, safe to match on in tests and CI scripts. */
export type CardRule =
  | 'required'
  | 'type'
  | 'enum'
  | 'pattern'
  | 'range'
  | 'min_items'
  | 'max_items'
  | 'max_length'
  | 'unknown_field'
  | 'unknown_tag'
  | 'invalid_value'
  | 'conflict'
  | 'invalid_nesting'
  | 'max_depth'
  | 'max_elements'
  | 'max_size'
  | 'unsupported_in_v2'
  | 'duplicate_name'
  | 'duplicate_element_id'
  | 'missing_submit';

/** One problem: where (JSON path like `body.elements[2].text.tag`), which rule, and what to do. */
export interface CardIssue {
  path: string;
  rule: CardRule;
  message: string;
}

export type PathSegment = string | number | symbol;

/**
 * Joins path segments the way the issues print them.
 * @example joinPath('body', ['elements', 2, 'text']) // 'body.elements[2].text'
 */
export function joinPath(base: string, segments: readonly PathSegment[]): string {
  let out = base;
  for (const s of segments) {
    if (typeof s === 'number') out += `[${s}]`;
    else {
      const key = String(s);
      out += /^[A-Za-z_][\w-]*$/.test(key) ? (out ? `.${key}` : key) : `[${JSON.stringify(key)}]`;
    }
  }
  return out;
}

const show = (v: unknown) => (typeof v === 'string' ? JSON.stringify(v) : typeof v === 'object' ? (Array.isArray(v) ? 'a list' : v === null ? 'null' : 'an object') : String(v));
const typeOf = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

/** Turns a zod issue (from a parse with `reportInput`) into a card issue under `base`. @example fromZod('body.elements[0]', issue) // {path:'body.elements[0].alt', rule:'required', …} */
export function fromZod(base: string, issue: core.$ZodIssue): CardIssue {
  const path = joinPath(base, issue.path);
  const field = path || 'the card';
  const input = (issue as { input?: unknown }).input;
  switch (issue.code) {
    case 'invalid_type':
      if (input === undefined) return { path, rule: 'required', message: `${field} is required` };
      if (issue.expected === 'int') return { path, rule: 'type', message: `${field} must be an integer, got ${show(input)}` };
      return { path, rule: 'type', message: `${field} must be ${issue.expected === 'array' ? 'a list' : `a ${issue.expected}`}, got ${typeOf(input)}` };
    case 'invalid_value':
      return { path, rule: 'enum', message: `${field} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}; got ${show(input)}` };
    case 'invalid_format':
      return { path, rule: 'pattern', message: `${field} has the wrong format${issue.message.startsWith('Invalid') ? '' : `: ${issue.message}`}; got ${show(input)}` };
    case 'too_small':
    case 'too_big': {
      const small = issue.code === 'too_small';
      const limit = small ? (issue as core.$ZodIssueTooSmall).minimum : (issue as core.$ZodIssueTooBig).maximum;
      if (issue.origin === 'array') return { path, rule: small ? 'min_items' : 'max_items', message: `${field} must have ${small ? 'at least' : 'at most'} ${String(limit)} item(s)` };
      if (issue.origin === 'string') {
        if (small) return { path, rule: 'required', message: `${field} must not be empty` };
        return { path, rule: 'max_length', message: `${field} must be at most ${String(limit)} characters` };
      }
      return { path, rule: 'range', message: `${field} must be ${small ? '≥' : '≤'} ${String(limit)}; got ${show(input)}` };
    }
    case 'custom': {
      const params = (issue.params ?? {}) as { rule?: CardRule };
      return { path, rule: params.rule ?? 'invalid_value', message: issue.message.replace('{field}', field) };
    }
    default:
      return { path, rule: 'invalid_value', message: `${field}: ${issue.message}` };
  }
}
