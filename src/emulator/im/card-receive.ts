import { mdToParagraphs, type MentionCollector, type RichNode } from './rich-text.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What get/list show for JSON 2.0 cards: the platform does not return their content. */
export const CARD_V2_PLACEHOLDER = '请升级至最新版本客户端，以查看内容';

/**
 * The simplified form in which get/list return a card (`{title, elements:[[node…]…]}`),
 * per the receive-side content reference: one row per card element, text as `text`/`a`/`at`
 * nodes, interactive components reduced to their tag and labels. The original card stays
 * in the message record for the web client.
 */
export function cardReceiveContent(card: Obj, mentions: MentionCollector): { title: string; elements: RichNode[][] } {
  if (card.type === 'template' || card.type === 'card') return { title: '', elements: [] };
  const title = textOf((card.header as Obj | undefined)?.title);
  if (card.schema === '2.0') return { title, elements: [[{ tag: 'text', text: CARD_V2_PLACEHOLDER }]] };
  let elements = card.elements;
  if (!Array.isArray(elements) && isObj(card.i18n_elements)) {
    const i18n = card.i18n_elements;
    elements = i18n.zh_cn ?? i18n.en_us ?? Object.values(i18n)[0];
  }
  const rows: RichNode[][] = [];
  for (const el of Array.isArray(elements) ? elements : []) if (isObj(el)) rows.push(...elementRows(el, mentions));
  return { title, elements: rows };
}

/** The content of a card text object (`{tag:"plain_text"|"lark_md", content, i18n}`) or a plain string. */
function textOf(t: unknown): string {
  if (typeof t === 'string') return t;
  if (!isObj(t)) return '';
  if (typeof t.content === 'string') return t.content;
  if (isObj(t.i18n)) {
    const v = t.i18n.zh_cn ?? t.i18n.en_us ?? Object.values(t.i18n)[0];
    if (typeof v === 'string') return v;
  }
  return '';
}

function textNodes(t: unknown, mentions: MentionCollector): RichNode[] {
  if (isObj(t) && t.tag === 'lark_md') return mdToParagraphs(textOf(t), mentions).flat();
  const s = textOf(t);
  return s ? [{ tag: 'text', text: s }] : [];
}

function elementRows(el: Obj, mentions: MentionCollector): RichNode[][] {
  switch (el.tag) {
    case 'div': {
      const row = textNodes(el.text, mentions);
      for (const f of Array.isArray(el.fields) ? el.fields : []) if (isObj(f)) row.push(...textNodes(f.text, mentions));
      if (isObj(el.extra)) row.push(...inlineNodes(el.extra, mentions));
      return row.length ? [row] : [];
    }
    case 'markdown':
      return mdToParagraphs(typeof el.content === 'string' ? el.content : '', mentions);
    case 'hr':
      return [[{ tag: 'hr' }]];
    case 'img': {
      const label = textOf(el.title) || textOf(el.alt);
      return [[...(label ? [{ tag: 'text', text: label }] : []), { tag: 'img', image_key: String(el.img_key ?? '') }]];
    }
    case 'note':
      return [[{ tag: 'note', elements: (Array.isArray(el.elements) ? el.elements : []).filter(isObj).flatMap((e) => inlineNodes(e, mentions)) }]];
    case 'action':
      return [(Array.isArray(el.actions) ? el.actions : []).filter(isObj).flatMap((a) => inlineNodes(a, mentions))];
    case 'column_set':
      return (Array.isArray(el.columns) ? el.columns : []).filter(isObj).flatMap((c) => containerRows(c, mentions));
    case 'form':
    case 'collapsible_panel':
    case 'interactive_container':
      return containerRows(el, mentions);
    default: {
      const nodes = inlineNodes(el, mentions);
      return nodes.length ? [nodes] : [];
    }
  }
}

function containerRows(el: Obj, mentions: MentionCollector): RichNode[][] {
  return (Array.isArray(el.elements) ? el.elements : []).filter(isObj).flatMap((e) => elementRows(e, mentions));
}

const optionTexts = (el: Obj) => (Array.isArray(el.options) ? el.options : []).filter(isObj).map((o) => textOf(o.text));

/** Components as they appear inside a row. */
function inlineNodes(el: Obj, mentions: MentionCollector): RichNode[] {
  switch (el.tag) {
    case 'button':
      return [{ tag: 'button', text: textOf(el.text), type: typeof el.type === 'string' ? el.type : 'default' }];
    case 'select_static':
    case 'multi_select_static':
    case 'select_person':
    case 'multi_select_person':
      return [{ tag: el.tag, options: optionTexts(el), placeholder: textOf(el.placeholder) }];
    case 'overflow':
      return [{ tag: 'overflow', options: optionTexts(el) }];
    case 'date_picker':
    case 'picker_time':
    case 'picker_datetime': {
      const initial = el.initial_date ?? el.initial_time ?? el.initial_datetime;
      return [{ tag: el.tag, placeholder: textOf(el.placeholder), ...(typeof initial === 'string' ? { [el.tag === 'date_picker' ? 'initial_date' : el.tag === 'picker_time' ? 'initial_time' : 'initial_datetime']: initial } : {}) }];
    }
    case 'img':
      return [{ tag: 'img', image_key: String(el.img_key ?? '') }];
    case 'plain_text':
    case 'lark_md':
      return textNodes(el, mentions);
    case 'markdown':
      return mdToParagraphs(typeof el.content === 'string' ? el.content : '', mentions).flat();
    default:
      return typeof el.tag === 'string' && el.tag !== '' ? [{ tag: el.tag }] : [];
  }
}
