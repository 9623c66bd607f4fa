import type { CardElement, TextObject } from '../types.js';
import { plainText, toText, type TextInput } from './text.js';

/** Extra JSON fields of a component, by Feishu's own names (`element_id`, `margin`, `text_align`…). */
export type Fields = Record<string, unknown>;

/**
 * A rich-text (markdown) component.
 * @example markdown('**Reason**: quarterly offsite', { text_align: 'left' })
 */
export function markdown(content: string, fields: Fields = {}): CardElement {
  return { tag: 'markdown', content, ...fields };
}

/** One cell of a `div`'s fields grid: `is_short` cells share a row two by two. */
export interface DivField {
  is_short: boolean;
  text: TextObject;
}

/**
 * A `div` field; short fields sit side by side. Strings become lark_md.
 * @example field('**Applicant**\nAlice', true)
 */
export function field(text: TextInput, short = false): DivField {
  return { is_short: short, text: toText(text, 'lark_md') };
}

/**
 * A text block (`div`) with optional fields; a string text becomes plain_text.
 * @example div({ fields: [field('**Amount**\n¥300', true)] })
 */
export function div(options: { text?: TextInput; fields?: DivField[] } & Fields = {}): CardElement {
  const { text, fields, ...rest } = options;
  return {
    tag: 'div',
    ...(text !== undefined && { text: toText(text) }),
    ...(fields !== undefined && { fields }),
    ...rest,
  };
}

/**
 * A divider line.
 * @example hr() // {tag:'hr'}
 */
export function hr(fields: Fields = {}): CardElement {
  return { tag: 'hr', ...fields };
}

/**
 * An image by `img_key` (from the image upload API); `alt` is required by the platform.
 * @example img('img_v2_abc', 'Architecture diagram', { mode: 'fit_horizontal' })
 */
export function img(imgKey: string, alt: string, fields: Fields = {}): CardElement {
  return { tag: 'img', img_key: imgKey, alt: plainText(alt), ...fields };
}

/**
 * A note (schema 1.0 only): small grey texts and images under the content.
 * @example note(['Sent by feishu-hub']) // {tag:'note', elements:[{tag:'plain_text', content:'Sent by feishu-hub'}]}
 */
export function note(elements: (TextInput | CardElement)[]): CardElement {
  return { tag: 'note', elements: elements.map((e) => (typeof e === 'string' ? plainText(e) : e)) };
}

/** A table column: `name` keys the rows; `data_type` says how cells render. */
export interface TableColumn {
  name: string;
  display_name?: string;
  data_type: 'text' | 'lark_md' | 'options' | 'number' | 'persons' | 'date' | 'markdown';
  width?: string;
  [key: string]: unknown;
}

/**
 * A table: columns by name, rows as objects keyed by column name.
 * @example table([{ name: 'svc', display_name: 'Service', data_type: 'text' }], [{ svc: 'api' }])
 */
export function table(columns: TableColumn[], rows: Record<string, unknown>[], fields: Fields = {}): CardElement {
  return { tag: 'table', columns, rows, ...fields };
}

/**
 * A person (avatar and name) by open_id.
 * @example person('ou_123', { size: 'small' })
 */
export function person(userId: string, fields: Fields = {}): CardElement {
  return { tag: 'person', user_id: userId, ...fields };
}
