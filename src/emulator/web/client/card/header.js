import { html } from '../lib/html.js';
import { pickLocale, textOf } from '../lib/format.js';
import { inline } from '../lib/markdown.js';
import { resourceUrl } from '../lib/api.js';
import { HEADER_THEMES, TAG_COLORS } from './colors.js';

export function TextTag({ tag }) {
  const [bg, fg] = TAG_COLORS[tag?.color] ?? TAG_COLORS.neutral;
  return html`<span class="c-tag" style=${{ background: bg, color: fg }}>${textOf(tag?.text)}</span>`;
}

/** Card header: theme colour (`template`), title, subtitle, up to three text tags, icon. */
export function CardHeader({ header, cx }) {
  const theme = HEADER_THEMES[header.template] ? header.template : 'default';
  const [bg, fg] = HEADER_THEMES[theme];
  const tags = header.text_tag_list ?? pickLocale(header.i18n_text_tag_list) ?? [];
  const title = header.title ?? {};
  const icon = header.icon?.img_key;
  return html`<div class=${`c-header theme-${theme}`} style=${{ background: bg, color: fg }} data-template=${theme}>
    ${icon && html`<img class="c-header-icon" src=${resourceUrl(icon)} alt="" />`}
    <div class="c-header-text">
      <div class="c-header-title">
        <span class="c-header-title-text">${title.tag === 'lark_md' ? inline(textOf(title), cx.env) : textOf(title)}</span>
        ${(Array.isArray(tags) ? tags : []).slice(0, 3).map((t, i) => html`<${TextTag} key=${i} tag=${t} />`)}
      </div>
      ${header.subtitle && textOf(header.subtitle) && html`<div class="c-header-subtitle">${textOf(header.subtitle)}</div>`}
    </div>
  </div>`;
}
