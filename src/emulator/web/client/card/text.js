import { html } from '../lib/html.js';
import { textOf } from '../lib/format.js';
import { inline, markdown } from '../lib/markdown.js';
import { resourceUrl } from '../lib/api.js';
import { register, renderElements } from './render.js';
import { textStyle } from './colors.js';

/** A plain_text / lark_md object: Markdown for lark_md, literal text (line breaks kept) otherwise. */
export function CardText({ t, cx, block = true }) {
  if (t == null) return null;
  const content = textOf(t);
  const md = t.tag === 'lark_md' || t.tag === 'markdown';
  const style = textStyle(t);
  if (!block) return html`<span class="c-text" style=${style}>${md ? inline(content, cx.env) : content}</span>`;
  return html`<div class=${md ? 'c-text c-md' : 'c-text c-plain'} style=${style}>${md ? markdown(content, cx.env) : content}</div>`;
}

function Div({ el, cx }) {
  const fields = Array.isArray(el.fields) ? el.fields : [];
  const main = html`<div class="c-div-main">
    ${el.text && html`<${CardText} t=${el.text} cx=${cx} />`}
    ${fields.length > 0 &&
    html`<div class="c-fields">
      ${fields.map((f, i) => html`<div key=${i} class=${`c-field ${f?.is_short ? 'short' : ''}`}><${CardText} t=${f?.text} cx=${cx} /></div>`)}
    </div>`}
  </div>`;
  if (!el.extra) return main;
  return html`<div class="c-div-extra">${main}<div class="c-extra">${renderElements([el.extra], cx)}</div></div>`;
}

function Markdown({ el, cx }) {
  const hrefs = {};
  for (const [k, v] of Object.entries(el.href ?? {})) hrefs[k] = v?.pc_url ?? v?.url;
  const style = textStyle(el);
  return html`<div class="c-text c-md" style=${style}>${markdown(textOf(el), { ...cx.env, hrefs })}</div>`;
}

function PlainText({ el, cx }) {
  return html`<${CardText} t=${el} cx=${cx} />`;
}

function Hr() {
  return html`<hr class="c-hr" />`;
}

const SIZES = { large: 160, medium: 80, small: 40, tiny: 16 };

function Img({ el }) {
  const src = resourceUrl(el.img_key);
  const alt = textOf(el.alt);
  const mode = el.size ?? el.mode ?? 'fit_horizontal';
  const fixed = SIZES[mode] ?? (el.custom_width ? el.custom_width : undefined);
  const wh = typeof mode === 'string' ? /^(\d+)px\s+(\d+)px$/.exec(mode) : null;
  const style = {
    ...(fixed ? { width: `${fixed}px`, height: SIZES[mode] ? `${fixed}px` : undefined, objectFit: 'cover' } : {}),
    ...(wh ? { width: `${wh[1]}px`, height: `${wh[2]}px`, objectFit: 'cover' } : {}),
    ...((el.scale_type ?? el.mode) === 'crop_center' && !fixed && !wh ? { aspectRatio: '16 / 9', objectFit: 'cover' } : {}),
    ...(el.scale_type === 'crop_top' ? { aspectRatio: '4 / 3', objectFit: 'cover', objectPosition: 'top' } : {}),
    ...(el.corner_radius ? { borderRadius: el.corner_radius } : {}),
  };
  const img = html`<img class=${`c-img ${fixed || wh ? '' : 'c-img-full'}`} src=${src} alt=${alt} title=${textOf(el.hover_tips) || alt} style=${style} />`;
  return html`<figure class="c-figure">
    ${el.title && html`<figcaption class="c-img-title">${textOf(el.title)}</figcaption>`}
    ${el.preview === false ? img : html`<a href=${src} target="_blank" rel="noopener">${img}</a>`}
  </figure>`;
}

function Note({ el, cx }) {
  return html`<div class="c-note">
    ${(el.elements ?? []).map((n, i) =>
      n?.tag === 'img'
        ? html`<img key=${i} class="c-note-img" src=${resourceUrl(n.img_key)} alt=${textOf(n.alt)} />`
        : html`<${CardText} key=${i} t=${n} cx=${cx} block=${false} />`,
    )}
  </div>`;
}

function Person({ id, cx, size = 'small', showName = true, showAvatar = true }) {
  const name = cx.directory.nameOf(id) ?? id;
  return html`<span class=${`c-person c-person-${size}`} title=${id}>
    ${showAvatar && html`<img class="avatar" src=${`/__emulator/web/avatar/${encodeURIComponent(id)}?name=${encodeURIComponent(name)}`} alt="" />`}
    ${showName && html`<span>${name}</span>`}
  </span>`;
}

function PersonEl({ el, cx }) {
  return html`<${Person} id=${el.user_id} cx=${cx} size=${el.size} showName=${el.show_name !== false} showAvatar=${el.show_avatar !== false} />`;
}

function PersonList({ el, cx }) {
  return html`<div class="c-person-list">
    ${(el.persons ?? []).map((p, i) => html`<${Person} key=${i} id=${p.id} cx=${cx} size=${el.size} showName=${el.show_name !== false} showAvatar=${el.show_avatar !== false} />`)}
  </div>`;
}

function ImgCombination({ el }) {
  const list = el.img_list ?? [];
  const cols = { double: 2, triple: 3, bisect: 2, trisect: 3 }[el.combination_mode] ?? Math.min(list.length, 3);
  return html`<div class="c-img-combo" style=${{ gridTemplateColumns: `repeat(${cols}, 1fr)` }}>
    ${list.map((img, i) => html`<img key=${i} src=${resourceUrl(img.img_key)} alt="" />`)}
  </div>`;
}

function TextTagEl({ el }) {
  return html`<span class=${`text-tag tag-${el.color ?? 'neutral'}`}>${textOf(el.text)}</span>`;
}

register('div', Div);
register('markdown', Markdown);
register(['plain_text', 'lark_md'], PlainText);
register('hr', Hr);
register('img', Img);
register('note', Note);
register('person', PersonEl);
register('person_list', PersonList);
register('img_combination', ImgCombination);
register('text_tag', TextTagEl);

export { Person };
