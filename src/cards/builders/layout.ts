import type { CardElement } from '../types.js';
import type { Fields } from './content.js';
import { interaction, type InteractionOptions } from './interaction.js';
import { toText, type TextInput } from './text.js';

/**
 * A row of columns.
 * @example columnSet([column([markdown('left')]), column([markdown('right')])], { flex_mode: 'bisect' })
 */
export function columnSet(columns: CardElement[], fields: Fields = {}): CardElement {
  return { tag: 'column_set', columns, ...fields };
}

/**
 * A column of a `column_set`: `width` is `auto`, `weighted` (with `weight` 1–5) or `Npx`.
 * @example column([markdown('**CPU** 93%')], { width: 'weighted', weight: 2 })
 */
export function column(elements: CardElement[], fields: Fields = {}): CardElement {
  return { tag: 'column', elements, ...fields };
}

/**
 * A panel that expands on click (schema 2.0; 1.0 on clients ≥ 7.9).
 * @example collapsiblePanel('**Logs**', [markdown('```\nOOMKilled\n```')], { expanded: false })
 */
export function collapsiblePanel(title: TextInput, elements: CardElement[], fields: Fields = {}): CardElement {
  const t = typeof title === 'string' ? { tag: 'markdown', content: title } : toText(title);
  return { tag: 'collapsible_panel', header: { title: t }, elements, ...fields };
}

/**
 * A form: its inputs are sent together when a submit button inside it is clicked
 * (`action.form_value`). Every interactive child needs a unique `name`.
 * @example form('leave', [input({ name: 'reason' }), submitButton('Send', { name: 'send', action: 'leave.submit' })])
 */
export function form(name: string, elements: CardElement[], fields: Fields = {}): CardElement {
  return { tag: 'form', name, elements, ...fields };
}

/**
 * A clickable container: the whole area sends one callback or opens a link.
 * @example interactiveContainer([markdown('Open incident #12')], { url: 'https://status.example.com/12' })
 */
export function interactiveContainer(elements: CardElement[], options: InteractionOptions & Fields = {}): CardElement {
  const { action, value, url, multi_url, legacy, ...rest } = options;
  return { tag: 'interactive_container', elements, ...rest, ...interaction({ action, value, url, multi_url, legacy }) };
}
