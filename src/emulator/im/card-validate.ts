import type { EmulatorContext } from '../context.js';
import { imErrors } from './errors.js';
import { ImState } from './state.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

const PARSE_ERR = 200621;
const V2_TOP_LEVEL = new Set(['schema', 'config', 'card_link', 'header', 'body']);
/** Schema 2.0 allows at most 200 components per card. */
const V2_MAX_ELEMENTS = 200;

/** Required fields of schema 1.0 components (reference §9.1). */
const REQUIRED_1_0: Record<string, (el: Obj) => string | undefined> = {
  div: (el) => (el.text === undefined && el.fields === undefined ? 'div needs text or fields' : undefined),
  markdown: (el) => (typeof el.content !== 'string' ? 'markdown needs content' : undefined),
  img: (el) => (typeof el.img_key !== 'string' ? 'img needs img_key' : !isObj(el.alt) ? 'img needs alt' : undefined),
  action: (el) => (!Array.isArray(el.actions) ? 'action needs actions' : undefined),
  note: (el) => (!Array.isArray(el.elements) ? 'note needs elements' : undefined),
  column_set: (el) => (el.columns !== undefined && !Array.isArray(el.columns) ? 'column_set columns must be a list' : undefined),
  button: (el) => (!isObj(el.text) ? 'button needs text' : undefined),
  select_static: (el) => (el.options !== undefined && !Array.isArray(el.options) ? 'select_static options must be a list' : undefined),
  overflow: (el) => (!Array.isArray(el.options) ? 'overflow needs options' : undefined),
};

/**
 * Checks a card (`interactive` content, or a PATCH body) the way the card service does:
 * errors are 230099 with the card sub-code in `msg`. Templates are accepted on trust
 * (the emulator has no template builder); CardKit card entities are not emulated.
 */
export function validateCard(ctx: EmulatorContext, card: Obj): void {
  if (card.type === 'template') {
    const data = card.data;
    if (!isObj(data) || typeof data.template_id !== 'string' || data.template_id === '') {
      throw imErrors.card(200380, 'template not found: data.template_id is required', 'data.template_id');
    }
    return;
  }
  if (card.type === 'card') throw imErrors.card(200380, 'card entity not found (CardKit card entities are not emulated)', 'data.card_id');
  if (card.header !== undefined) {
    const h = card.header;
    const t = isObj(h) ? h.title : undefined;
    if (!isObj(t) || (typeof t.content !== 'string' && !isObj(t.i18n))) throw imErrors.card(PARSE_ERR, 'parse card json err: header.title is required', 'header.title');
  }
  if (card.schema === '2.0') return validateV2(ctx, card);
  if (card.schema !== undefined && card.schema !== '1.0') throw imErrors.card(PARSE_ERR, `parse card json err: unknown schema ${JSON.stringify(card.schema)}`, 'schema');
  if (card.elements !== undefined) walk1(ctx, card.elements, 'elements');
  if (card.i18n_elements !== undefined) {
    if (!isObj(card.i18n_elements)) throw imErrors.card(PARSE_ERR, 'parse card json err: i18n_elements must be an object', 'i18n_elements');
    for (const [locale, els] of Object.entries(card.i18n_elements)) walk1(ctx, els, `i18n_elements.${locale}`);
  }
}

function walk1(ctx: EmulatorContext, els: unknown, path: string): void {
  if (!Array.isArray(els)) throw imErrors.card(PARSE_ERR, `parse card json err: ${path} must be a list`, path);
  els.forEach((el, i) => {
    const where = `${path}[${i}]`;
    if (!isObj(el) || typeof el.tag !== 'string') throw imErrors.card(PARSE_ERR, `parse card json err: ${where} needs a tag`, where);
    const problem = REQUIRED_1_0[el.tag]?.(el);
    if (problem) throw imErrors.card(PARSE_ERR, `parse card json err: ${problem}`, where);
    if (el.tag === 'img') checkImage(ctx, el.img_key, `${where}.img_key`);
    if (el.tag === 'action') walk1(ctx, el.actions, `${where}.actions`);
    if (el.tag === 'column_set') {
      (Array.isArray(el.columns) ? el.columns : []).forEach((col, j) => {
        if (isObj(col) && col.elements !== undefined) walk1(ctx, col.elements, `${where}.columns[${j}].elements`);
      });
    }
    if (['form', 'collapsible_panel', 'interactive_container'].includes(el.tag) && el.elements !== undefined) walk1(ctx, el.elements, `${where}.elements`);
  });
}

function validateV2(ctx: EmulatorContext, card: Obj): void {
  for (const k of Object.keys(card)) {
    if (!V2_TOP_LEVEL.has(k)) throw imErrors.card(PARSE_ERR, `parse card json err: unknown property ${k} in a schema 2.0 card`, k);
  }
  if (isObj(card.config) && card.config.update_multi === false) {
    throw imErrors.card(PARSE_ERR, 'parse card json err: schema 2.0 cards are always shared (update_multi must be true)', 'config.update_multi');
  }
  if (card.body === undefined) return;
  if (!isObj(card.body)) throw imErrors.card(PARSE_ERR, 'parse card json err: body must be an object', 'body');
  let count = 0;
  const walk = (els: unknown, path: string) => {
    if (!Array.isArray(els)) throw imErrors.card(PARSE_ERR, `parse card json err: ${path} must be a list`, path);
    els.forEach((el, i) => {
      const where = `${path}[${i}]`;
      if (!isObj(el) || typeof el.tag !== 'string') throw imErrors.card(PARSE_ERR, `parse card json err: ${where} needs a tag`, where);
      if (el.tag === 'note' || el.tag === 'action') throw imErrors.card(200861, 'cards of schema V2 no longer support this capability', `${where}.tag=${el.tag}`);
      if (++count > V2_MAX_ELEMENTS) throw imErrors.card(11310, 'element exceeds the limit', String(V2_MAX_ELEMENTS));
      if (el.tag === 'img') checkImage(ctx, el.img_key, `${where}.img_key`);
      if (Array.isArray(el.elements)) walk(el.elements, `${where}.elements`);
      if (Array.isArray(el.columns)) el.columns.forEach((c, j) => isObj(c) && c.elements !== undefined && walk(c.elements, `${where}.columns[${j}].elements`));
    });
  };
  if (card.body.elements !== undefined) walk(card.body.elements, 'body.elements');
}

function checkImage(ctx: EmulatorContext, key: unknown, where: string): void {
  const u = typeof key === 'string' ? ctx.slice(ImState).uploads.get(key) : undefined;
  if (!u || u.kind !== 'image') throw imErrors.card(200570, 'invalid image key', `${where}=${String(key)}`);
}

/** Whether a card may be updated by PATCH: 2.0 cards always, templates on trust, 1.0 only with config.update_multi. */
export function isSharedCard(card: unknown): boolean {
  if (!isObj(card)) return false;
  if (card.schema === '2.0' || card.type === 'template') return true;
  return isObj(card.config) && card.config.update_multi === true;
}
