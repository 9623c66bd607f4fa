import { fromZod, joinPath, type CardIssue } from './issues.js';
import { card1Schema, card2Schema, cardEntitySchema, templateSchema } from './top-level.js';
import { ElementWalker } from './walk.js';

/** Card message content limit: 30 KB of JSON (send, reply, PATCH; platform errors 230025 / 19036). */
export const MAX_CARD_BYTES = 30 * 1024;
/** Schema 2.0: at most 200 components and elements per card (230099, sub-code 11310). */
export const MAX_V2_ELEMENTS = 200;

export type CardValidationResult = { ok: true } | { ok: false; errors: CardIssue[] };

export interface ValidateOptions {
  /** Size limit in UTF-8 bytes of the JSON; default 30 KB (use 20 KB for group-bot webhooks). */
  maxBytes?: number;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Fields whose contents are the developer's data, not card structure. */
const DATA_FIELDS = new Set(['value', 'rows', 'chart_spec', 'behaviors', 'template_variable']);

/**
 * Checks a card against the platform's rules before it is sent: schema 1.0 and 2.0 card JSON,
 * `{type:'template'}` references (shape only), `{type:'card'}` entities and `{type:'raw', data}`
 * callback answers. Every problem is reported with its JSON path and rule.
 * @example validateCard({ schema: '2.0', body: { elements: [{ tag: 'hr' }] } }) // {ok:true}
 */
export function validateCard(card: unknown, options: ValidateOptions = {}): CardValidationResult {
  const issues: CardIssue[] = [];
  if (!isObj(card)) return fail([{ path: '', rule: 'type', message: `a card must be a JSON object, got ${Array.isArray(card) ? 'a list' : card === null ? 'null' : typeof card}` }]);

  const maxBytes = options.maxBytes ?? MAX_CARD_BYTES;
  const bytes = Buffer.byteLength(JSON.stringify(card), 'utf8');
  if (bytes > maxBytes) issues.push({ path: '', rule: 'max_size', message: `the card is ${bytes} bytes of JSON; the limit is ${maxBytes} (${Math.round(maxBytes / 1024)} KB)` });

  if (card.type === 'raw' && card.schema === undefined) {
    const inner = validateCard(card.data, options);
    const under = (path: string) => (path === '' ? 'data' : path.startsWith('[') ? `data${path}` : `data.${path}`);
    return inner.ok ? done(issues) : fail([...issues, ...inner.errors.map((e) => ({ ...e, path: under(e.path) }))]);
  }
  if (card.type === 'template' || card.type === 'card') {
    const schema = card.type === 'template' ? templateSchema() : cardEntitySchema();
    const parsed = schema.safeParse(card, { reportInput: true });
    if (!parsed.success) issues.push(...parsed.error.issues.map((i) => fromZod('', i)));
    return done(issues);
  }

  const schema = card.schema;
  if (schema !== undefined && schema !== '1.0' && schema !== '2.0') {
    issues.push({ path: 'schema', rule: 'enum', message: `schema must be "1.0" or "2.0" (or absent for 1.0); got ${JSON.stringify(schema)}` });
    return done(issues);
  }
  if (schema === '2.0') validate2(card, issues);
  else validate1(card, issues);
  return done(issues);
}

function validate2(card: Obj, issues: CardIssue[]): void {
  for (const k of ['i18n_elements', 'fallback'] as const) {
    if (k in card) issues.push({ path: k, rule: 'unsupported_in_v2', message: `${k} is not supported in schema 2.0${k === 'i18n_elements' ? ' (use i18n_content on each text)' : ''}` });
  }
  const { i18n_elements: _i, fallback: _f, ...rest } = card;
  const parsed = card2Schema().safeParse(rest, { reportInput: true });
  if (!parsed.success) issues.push(...parsed.error.issues.map((i) => fromZod('', i)));
  const body = card.body;
  if (!isObj(body)) return;
  new ElementWalker(2, issues).list(body.elements, 'body.elements');
  const count = countTagged(body);
  if (count > MAX_V2_ELEMENTS) {
    issues.push({ path: 'body.elements', rule: 'max_elements', message: `the card has ${count} components and text elements; schema 2.0 allows ${MAX_V2_ELEMENTS} (platform error 11310)` });
  }
  checkElementIds(card, issues);
}

function validate1(card: Obj, issues: CardIssue[]): void {
  const parsed = card1Schema().safeParse(card, { reportInput: true });
  if (!parsed.success) issues.push(...parsed.error.issues.map((i) => fromZod('', i)));
  const walker = new ElementWalker(1, issues);
  walker.list(card.elements, 'elements');
  if (isObj(card.i18n_elements)) {
    for (const [locale, els] of Object.entries(card.i18n_elements)) walker.list(els, joinPath('i18n_elements', [locale]));
  }
}

/** Every object with a `tag` counts toward the 2.0 limit, text elements included. */
function countTagged(v: unknown): number {
  if (Array.isArray(v)) return v.reduce((n: number, x) => n + countTagged(x), 0);
  if (!isObj(v)) return 0;
  let n = typeof v.tag === 'string' ? 1 : 0;
  for (const [k, x] of Object.entries(v)) if (!DATA_FIELDS.has(k)) n += countTagged(x);
  return n;
}

/** `element_id` values must be unique in the card (they address components in CardKit calls). */
function checkElementIds(card: Obj, issues: CardIssue[]): void {
  const seen = new Map<string, string>();
  const visit = (v: unknown, path: string): void => {
    if (Array.isArray(v)) return v.forEach((x, i) => visit(x, `${path}[${i}]`));
    if (!isObj(v)) return;
    if (typeof v.element_id === 'string') {
      const first = seen.get(v.element_id);
      if (first !== undefined) issues.push({ path: joinPath(path, ['element_id']), rule: 'duplicate_element_id', message: `element_id "${v.element_id}" is already used at ${first}; element_id must be unique in the card` });
      else seen.set(v.element_id, path);
    }
    for (const [k, x] of Object.entries(v)) if (!DATA_FIELDS.has(k) && k !== 'element_id') visit(x, joinPath(path, [k]));
  };
  visit(card.header, 'header');
  visit(card.body, 'body');
}

function done(issues: CardIssue[]): CardValidationResult {
  return issues.length ? fail(issues) : { ok: true };
}

function fail(issues: CardIssue[]): CardValidationResult {
  const seen = new Set<string>();
  const errors = issues.filter((i) => {
    const key = `${i.path}\u0000${i.rule}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  return { ok: false, errors };
}

/** Thrown by `assertValidCard`; `errors` lists every problem with its path and rule. @example if (err instanceof CardValidationError) console.error(err.errors) */
export class CardValidationError extends Error {
  override name = 'CardValidationError';
  constructor(readonly errors: CardIssue[]) {
    super(`invalid card (${errors.length} problem${errors.length === 1 ? '' : 's'}):\n${formatIssues(errors)}`);
  }
}

/**
 * One line per problem: `path  rule  message`.
 * @example formatIssues([{ path: 'header.title', rule: 'required', message: 'header.title is required' }])
 */
export function formatIssues(errors: CardIssue[]): string {
  return errors.map((e) => `  ${e.path || '(card)'}: ${e.rule} — ${e.message}`).join('\n');
}

/**
 * Throws a `CardValidationError` when the card breaks a platform rule; returns the card otherwise.
 * @example await reply.card(assertValidCard(myCard))
 */
export function assertValidCard<T>(card: T, options: ValidateOptions = {}): T {
  const result = validateCard(card, options);
  if (!result.ok) throw new CardValidationError(result.errors);
  return card;
}
