import type { CardElement, CardHeader, HeaderTemplate, TextTagColor } from '../types.js';
import { toText, type TextInput } from './text.js';

export interface HeaderOptions {
  subtitle?: TextInput;
  /** Theme colour of the header band (`header.template`). */
  template?: HeaderTemplate;
  /** Up to three tags after the title. */
  tags?: CardElement[];
  icon?: Record<string, unknown>;
  padding?: string;
}

/**
 * A card header: title, optional subtitle, theme colour and tags.
 * @example header('Deploy request', { template: 'orange', tags: [textTag('prod', 'red')] })
 */
export function header(title: TextInput, options: HeaderOptions = {}): CardHeader {
  const { subtitle, template, tags, icon, padding } = options;
  return {
    title: toText(title),
    ...(subtitle !== undefined && { subtitle: toText(subtitle) }),
    ...(template !== undefined && { template }),
    ...(tags !== undefined && { text_tag_list: tags }),
    ...(icon !== undefined && { icon }),
    ...(padding !== undefined && { padding }),
  };
}

/**
 * A header text tag (`text_tag`).
 * @example textTag('urgent', 'red') // {tag:'text_tag', text:{tag:'plain_text', content:'urgent'}, color:'red'}
 */
export function textTag(text: string, color: TextTagColor = 'neutral'): CardElement {
  return { tag: 'text_tag', text: { tag: 'plain_text', content: text }, color };
}
