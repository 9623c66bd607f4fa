import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { textOf } from '../lib/format.js';
import { inline } from '../lib/markdown.js';
import { register } from './render.js';
import { TAG_COLORS } from './colors.js';
import { Person } from './text.js';

function formatNumber(v, format = {}) {
  const n = Number(v);
  if (!Number.isFinite(n)) return String(v ?? '');
  const s = n.toLocaleString('en-US', {
    minimumFractionDigits: format.precision ?? 0,
    maximumFractionDigits: format.precision ?? 2,
    useGrouping: format.separator !== false,
  });
  return `${format.symbol ?? ''}${s}`;
}

function formatDate(v, pattern = 'YYYY/MM/DD') {
  const d = new Date(typeof v === 'number' ? v : Number(v) || v);
  if (Number.isNaN(d.getTime())) return String(v ?? '');
  const pad = (n) => String(n).padStart(2, '0');
  return pattern
    .replace('YYYY', d.getFullYear())
    .replace('MM', pad(d.getMonth() + 1))
    .replace('DD', pad(d.getDate()))
    .replace('HH', pad(d.getHours()))
    .replace('mm', pad(d.getMinutes()));
}

function Cell({ col, value, cx }) {
  switch (col.data_type) {
    case 'number':
      return formatNumber(value, col.format);
    case 'date':
      return formatDate(value, col.date_format);
    case 'options':
      return (Array.isArray(value) ? value : []).map((o, i) => {
        const [bg, fg] = TAG_COLORS[o.color] ?? TAG_COLORS.neutral;
        return html`<span key=${i} class="c-tag" style=${{ background: bg, color: fg }}>${o.text}</span>`;
      });
    case 'persons':
      return (Array.isArray(value) ? value : [value]).filter(Boolean).map((id, i) => html`<${Person} key=${i} id=${id} cx=${cx} />`);
    case 'lark_md':
    case 'markdown':
      return inline(String(value ?? ''), cx.env);
    default:
      return textOf(value);
  }
}

/** table: typed columns (text, markdown, number, options, persons, date), header style, paging. */
function Table({ el, cx }) {
  const [page, setPage] = useState(0);
  const cols = el.columns ?? [];
  const rows = el.rows ?? [];
  const size = Math.min(Math.max(Number(el.page_size) || 5, 1), 10);
  const pages = Math.max(1, Math.ceil(rows.length / size));
  const hs = el.header_style ?? {};
  const headStyle = { textAlign: hs.text_align, background: hs.background_style === 'none' ? 'transparent' : undefined, fontWeight: hs.bold === false ? 400 : undefined };
  return html`<div class="c-table-wrap">
    <table class="c-table">
      <thead><tr>${cols.map((c) => html`<th key=${c.name} style=${{ ...headStyle, width: c.width !== 'auto' ? c.width : undefined }}>${c.display_name ?? c.name}</th>`)}</tr></thead>
      <tbody>
        ${rows.slice(page * size, page * size + size).map(
          (r, i) => html`<tr key=${i}>${cols.map((c) => html`<td key=${c.name} style=${{ textAlign: c.horizontal_align }}><${Cell} col=${c} value=${r[c.name]} cx=${cx} /></td>`)}</tr>`,
        )}
      </tbody>
    </table>
    ${pages > 1 &&
    html`<div class="c-table-pager">
      <button type="button" disabled=${page === 0} onClick=${() => setPage(page - 1)}>‹</button>
      <span>${page + 1} / ${pages}</span>
      <button type="button" disabled=${page >= pages - 1} onClick=${() => setPage(page + 1)}>›</button>
    </div>`}
  </div>`;
}

register('table', Table);
