import { html } from './html.js';
import { safeUrl } from './format.js';
import { resourceUrl } from './api.js';

/**
 * A small Markdown renderer for lark_md / card markdown and message text. It builds vnodes,
 * never HTML strings, so any markup it does not know is shown as text (safe by construction).
 * env: { nameOf(id) → display name, hrefs?: {name: url} for `[text]($name)` }.
 */

const EMOJI = { OK: '👌', THUMBSUP: '👍', DONE: '✅', SMILE: '😊', LAUGH: '😄', JIAYI: '+1', HEART: '❤️', FIRE: '🔥', CLAP: '👏', THINKING: '🤔', WAVE: '👋', PARTY: '🎉', CROSSMARK: '❌', WARNING: '⚠️', ROCKET: '🚀', EYES: '👀' };
const FONT_COLORS = { red: '#f54a45', green: '#2ea121', blue: '#3370ff', grey: '#8f959e', gray: '#8f959e', orange: '#ff8800', yellow: '#dc9b04', purple: '#7f3bf5', violet: '#d136d1', indigo: '#4954e6', wathet: '#14c0ff', turquoise: '#04b49c', carmine: '#f01d94', 'default': 'inherit' };

const INLINE = new RegExp(
  [
    /```([^`]+?)```/, // 1 inline fenced code
    /`([^`\n]+)`/, // 2 code
    /\*\*\*(.+?)\*\*\*/, // 3 bold italic
    /\*\*(.+?)\*\*/, // 4 bold
    /~~(.+?)~~/, // 5 strike
    /(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?!\w)/, // 6 italic
    /!\[([^\]]*)\]\(([^)\s]+)\)/, // 7, 8 image (img_key)
    /\[([^\]]+)\]\(([^)\s]+)\)/, // 9, 10 link
    /<at\s+(?:user_)?(id|email)\s*=\s*["']?([^"'\s>]+)["']?\s*>([^<]*)<\/at>/, // 11, 12, 13 mention
    /<at\s+user_id\s*=\s*["']?([^"'\s>]+)["']?\s*>([^<]*)<\/at>/, // 14, 15 text-message mention
    /<font\s+color\s*=\s*["']?([\w#-]+)["']?\s*>(.*?)<\/font>/, // 16, 17
    /<text_tag\s+color\s*=\s*["']?([\w-]+)["']?\s*>(.*?)<\/text_tag>/, // 18, 19
    /<a\s+href\s*=\s*["']([^"']+)["']\s*>(.*?)<\/a>/, // 20, 21
    /<(b|i|u|s)>(.*?)<\/\22>/, // 22, 23 text-message styles
    /<br\s*\/?>|\n/, // line break
    /:([A-Z][A-Z_]+):/, // 24 emoji
    /\bhttps?:\/\/[^\s<>()"'\u3000-\u303f\uff00-\uffef]+[^\s<>()"'.,;:!?\u3000-\u303f\uff00-\uffef]/, // bare URL
  ]
    .map((r) => r.source)
    .join('|'),
  'g',
);

function link(href, children, env) {
  const resolved = href.startsWith('$') && env.hrefs ? env.hrefs[href.slice(1)] : href;
  const url = safeUrl(resolved);
  if (!url) return children;
  return html`<a class="md-link" href=${url} target="_blank" rel="noopener noreferrer">${children}</a>`;
}

function mention(kind, id, label, env) {
  if (id === 'all') return html`<span class="mention mention-all">@All</span>`;
  const name = (kind === 'email' ? env.nameByEmail?.(id) : env.nameOf?.(id)) ?? (label || id);
  const self = env.selfId && env.selfId === id;
  return html`<span class=${`mention${self ? ' mention-self' : ''}`} title=${id}>@${name}</span>`;
}

/** Inline Markdown of one line or paragraph (`\n` and `<br>` become line breaks). */
export function inline(text, env = {}) {
  const out = [];
  let last = 0;
  const src = String(text ?? '');
  for (const m of src.matchAll(INLINE)) {
    if (m.index > last) out.push(src.slice(last, m.index));
    last = m.index + m[0].length;
    const g = m;
    if (g[1] !== undefined || g[2] !== undefined) out.push(html`<code class="md-code">${g[1] ?? g[2]}</code>`);
    else if (g[3] !== undefined) out.push(html`<strong><em>${inline(g[3], env)}</em></strong>`);
    else if (g[4] !== undefined) out.push(html`<strong>${inline(g[4], env)}</strong>`);
    else if (g[5] !== undefined) out.push(html`<s>${inline(g[5], env)}</s>`);
    else if (g[6] !== undefined) out.push(html`<em>${inline(g[6], env)}</em>`);
    else if (g[8] !== undefined) out.push(html`<img class="md-img" src=${resourceUrl(g[8])} alt=${g[7]} title=${g[7]} />`);
    else if (g[10] !== undefined) out.push(link(g[10], inline(g[9], env), env));
    else if (g[12] !== undefined) out.push(mention(g[11], g[12], g[13], env));
    else if (g[14] !== undefined) out.push(mention('id', g[14], g[15], env));
    else if (g[16] !== undefined) out.push(html`<span style=${{ color: FONT_COLORS[g[16]] ?? (/^#[0-9a-f]{3,8}$/i.test(g[16]) ? g[16] : undefined) }}>${inline(g[17], env)}</span>`);
    else if (g[18] !== undefined) out.push(html`<span class=${`text-tag tag-${g[18]}`}>${inline(g[19], env)}</span>`);
    else if (g[20] !== undefined) out.push(link(g[20], inline(g[21], env), env));
    else if (g[22] !== undefined) {
      const Tag = g[22] === 'b' ? 'strong' : g[22] === 'i' ? 'em' : g[22];
      out.push(html`<${Tag}>${inline(g[23], env)}</${Tag}>`);
    } else if (g[24] !== undefined) out.push(EMOJI[g[24]] ?? g[0]);
    else if (/^(<br|\n)/.test(g[0])) out.push(html`<br />`);
    else out.push(link(g[0], g[0], env));
  }
  if (last < src.length) out.push(src.slice(last));
  return out;
}

const isHr = (l) => /^\s*(-{3,}|\*{3,}|_{3,})\s*$/.test(l);
const listItem = (l) => /^(\s*)([-*+]|\d+\.)\s+(.*)$/.exec(l);

/** Block Markdown: headings, lists, quotes, code blocks, rules and paragraphs (single newlines break lines). */
export function markdown(text, env = {}) {
  const lines = String(text ?? '').replace(/\r\n?/g, '\n').split('\n');
  const blocks = [];
  let para = [];
  const flush = () => {
    if (para.length) blocks.push(html`<p class="md-p">${inline(para.join('\n'), env)}</p>`);
    para = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i];
    const fence = /^\s*```(\w*)\s*$/.exec(l);
    if (fence) {
      flush();
      const body = [];
      for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]); i++) body.push(lines[i]);
      blocks.push(html`<pre class="md-pre" data-lang=${fence[1] || undefined}><code>${body.join('\n')}</code></pre>`);
      continue;
    }
    if (isHr(l)) {
      flush();
      blocks.push(html`<hr class="md-hr" />`);
      continue;
    }
    const heading = /^(#{1,6})\s+(.*)$/.exec(l);
    if (heading) {
      flush();
      const level = Math.min(heading[1].length, 4);
      blocks.push(html`<div class=${`md-h md-h${level}`}>${inline(heading[2], env)}</div>`);
      continue;
    }
    if (/^\s*>\s?/.test(l)) {
      flush();
      const quote = [];
      for (; i < lines.length && /^\s*>\s?/.test(lines[i]); i++) quote.push(lines[i].replace(/^\s*>\s?/, ''));
      i--;
      blocks.push(html`<blockquote class="md-quote">${inline(quote.join('\n'), env)}</blockquote>`);
      continue;
    }
    if (listItem(l)) {
      flush();
      const items = [];
      for (; i < lines.length && listItem(lines[i]); i++) {
        const [, indent, marker, body] = listItem(lines[i]);
        items.push({ depth: Math.floor(indent.replace(/\t/g, '    ').length / 2), ordered: /\d/.test(marker), n: parseInt(marker, 10), body });
      }
      i--;
      blocks.push(list(items, env));
      continue;
    }
    if (l.trim() === '') {
      flush();
      continue;
    }
    para.push(l);
  }
  flush();
  return blocks;
}

/** Nested lists from items with depths (two spaces per level). */
function list(items, env) {
  const build = (start, depth) => {
    const children = [];
    let i = start;
    const ordered = items[start].ordered;
    while (i < items.length && items[i].depth >= depth) {
      const it = items[i];
      if (it.depth > depth) {
        const [sub, next] = build(i, it.depth);
        children.push(sub);
        i = next;
        continue;
      }
      children.push(html`<li>${inline(it.body, env)}</li>`);
      i++;
    }
    const node = ordered ? html`<ol class="md-list" start=${items[start].n || 1}>${children}</ol>` : html`<ul class="md-list">${children}</ul>`;
    return [node, i];
  };
  return build(0, items[0].depth)[0];
}
