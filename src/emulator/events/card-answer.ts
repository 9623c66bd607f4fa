/** How the Feishu client reads an app's answer to a card callback (new and old formats). */

export interface Toast {
  type: string;
  content: string;
  i18n?: Record<string, string>;
}

export type CardAnswer = { toast?: Toast; content?: string } | { error: { code: number; msg: string } };

const TOAST_TYPES = new Set(['info', 'success', 'error', 'warning', 'loading']);
/** Top-level keys that make an old-style answer a card to show instead. */
const OLD_CARD_KEYS = ['config', 'header', 'elements', 'i18n_elements', 'i18n_header', 'card_link', 'body', 'schema'];

const badBody = (msg: string) => ({ error: { code: 200672, msg } });
const badCard = (msg: string) => ({ error: { code: 200673, msg } });
const isObject = (v: unknown): v is Record<string, unknown> => Boolean(v) && typeof v === 'object' && !Array.isArray(v);

function parseToast(t: unknown): Toast | { error: { code: number; msg: string } } {
  if (!isObject(t) || !TOAST_TYPES.has(String(t.type))) return badBody('toast must be {type: info|success|error|warning, content}');
  const i18n = isObject(t.i18n) ? (t.i18n as Record<string, string>) : undefined;
  const content = typeof t.content === 'string' ? t.content : (i18n?.zh_cn ?? i18n?.en_us ?? Object.values(i18n ?? {})[0]);
  if (typeof content !== 'string') return badBody('toast needs content or i18n');
  return { type: String(t.type), content, ...(i18n ? { i18n } : {}) };
}

const isV2 = (card: unknown) => isObject(card) && card.schema === '2.0';

/**
 * Reads the answer body. `{}` or an empty body changes nothing. New format:
 * `{toast?, card?: {type:"raw", data} | {type:"template", data}}`; old format: a card
 * JSON (or template) at the top level, optionally with a toast. A JSON 2.0 card may not
 * be replaced by a 1.0 card (200830).
 */
export function interpretCardAnswer(body: string, currentContent: string): CardAnswer {
  if (body.trim() === '') return {};
  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    return badBody('the answer is not JSON');
  }
  if (answer === null) return {};
  if (!isObject(answer)) return badBody('the answer must be a JSON object');
  const out: { toast?: Toast; content?: string } = {};
  if (answer.toast !== undefined) {
    const t = parseToast(answer.toast);
    if ('error' in t) return t;
    out.toast = t;
  }
  let next: Record<string, unknown> | undefined;
  if (answer.card !== undefined) {
    const c = answer.card;
    if (!isObject(c)) return badCard('card must be {type, data}');
    if (c.type === 'raw' && isObject(c.data)) next = c.data;
    else if (c.type === 'template' && isObject(c.data) && typeof c.data.template_id === 'string') next = { type: 'template', data: c.data };
    else return badCard('card must be {type:"raw", data:{…}} or {type:"template", data:{template_id,…}}');
  } else if (answer.type === 'template' && isObject(answer.data)) {
    next = { type: 'template', data: answer.data };
  } else if (OLD_CARD_KEYS.some((k) => k in answer)) {
    const { toast: _t, ...card } = answer;
    next = card;
  }
  if (next) {
    let current: unknown;
    try {
      current = JSON.parse(currentContent);
    } catch {
      current = undefined;
    }
    if (isV2(current) && next.type !== 'template' && !isV2(next)) return { error: { code: 200830, msg: 'a JSON 2.0 card cannot be updated to a JSON 1.0 card' } };
    out.content = JSON.stringify(next);
  }
  return out;
}
