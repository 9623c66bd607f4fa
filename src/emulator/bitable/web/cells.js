/**
 * What the Base grid shows in a cell and a header: field type icons, a value in the API's read
 * format (reference §5.3) as text, tags or people, which types the grid can edit, and the read
 * value a write will become (shown while the write is in flight).
 */
import { html } from '@emulator/page-kit';

/** Types the page never edits: computed by the base (formula, lookup, created/modified, auto number, stage, button). */
export const READ_ONLY = new Set([19, 20, 24, 1001, 1002, 1003, 1004, 1005, 3001]);
/** Types with an editor in the grid (attachments, links, location and groups are shown only). */
export const EDITABLE = new Set([1, 2, 3, 4, 5, 7, 11, 13, 15]);
export const isEditable = (field) => EDITABLE.has(field.type) && !READ_ONLY.has(field.type);

const TYPE_NAMES = {
  1: 'Text', 2: 'Number', 3: 'Single option', 4: 'Multiple options', 5: 'Date', 7: 'Checkbox', 11: 'Person', 13: 'Phone', 15: 'Link',
  17: 'Attachment', 18: 'One-way link', 19: 'Lookup', 20: 'Formula', 21: 'Two-way link', 22: 'Location', 23: 'Group', 24: 'Stage',
  1001: 'Created time', 1002: 'Modified time', 1003: 'Created by', 1004: 'Modified by', 1005: 'Auto number', 3001: 'Button',
};
export const typeName = (field) => (field.ui_type === 'Email' ? 'Email' : field.ui_type === 'Barcode' ? 'Barcode' : TYPE_NAMES[field.type] ?? field.ui_type);

// 16×16 line icons in the style of Feishu's field icons.
const P = {
  text: 'M3 4h10M3 8h10M3 12h6',
  number: 'M6 2.5 4.8 13.5M11.2 2.5 10 13.5M2.5 5.8h11M2 10.2h11',
  single: 'M8 14A6 6 0 1 0 8 2a6 6 0 0 0 0 12ZM5.5 7l2.5 2.5L10.5 7',
  multi: 'M2.5 4h1M2.5 8h1M2.5 12h1M6 4h7.5M6 8h7.5M6 12h7.5',
  date: 'M2.5 4.5a1 1 0 0 1 1-1h9a1 1 0 0 1 1 1v8a1 1 0 0 1-1 1h-9a1 1 0 0 1-1-1v-8ZM2.5 7h11M5.5 2v3M10.5 2v3',
  checkbox: 'M3 3.5a.5.5 0 0 1 .5-.5h9a.5.5 0 0 1 .5.5v9a.5.5 0 0 1-.5.5h-9a.5.5 0 0 1-.5-.5v-9ZM5.5 8l2 2 3.5-4',
  person: 'M8 8a2.75 2.75 0 1 0 0-5.5A2.75 2.75 0 0 0 8 8ZM2.75 14c.5-2.9 2.6-4.5 5.25-4.5s4.75 1.6 5.25 4.5',
  phone: 'M4.5 2h7a1 1 0 0 1 1 1v10a1 1 0 0 1-1 1h-7a1 1 0 0 1-1-1V3a1 1 0 0 1 1-1ZM7 11.75h2',
  url: 'M6.8 9.2a2.5 2.5 0 0 0 3.5 0l2.5-2.5a2.5 2.5 0 0 0-3.5-3.5l-.9.9M9.2 6.8a2.5 2.5 0 0 0-3.5 0L3.2 9.3a2.5 2.5 0 0 0 3.5 3.5l.9-.9',
  attachment: 'M13 7.5 8 12.5a3.2 3.2 0 0 1-4.5-4.5L8.8 2.7a2.1 2.1 0 0 1 3 3L6.6 10.9a1 1 0 0 1-1.5-1.5L9.8 4.7',
  link: 'M2.5 5.5h9m0 0-2.5-2.5m2.5 2.5L9 8M13.5 10.5h-9m0 0L7 8m-2.5 2.5L7 13',
  lookup: 'M7 12.5a5.5 5.5 0 1 0 0-11 5.5 5.5 0 0 0 0 11ZM11 11l3 3',
  formula: 'M10.5 2.5H8.2a1.5 1.5 0 0 0-1.5 1.3L5.3 12.2A1.5 1.5 0 0 1 3.8 13.5H3M4.5 6.5h5M9 9l3.5 3.5M12.5 9 9 12.5',
  location: 'M8 14s4.5-4 4.5-7.5a4.5 4.5 0 0 0-9 0C3.5 10 8 14 8 14ZM8 8a1.5 1.5 0 1 0 0-3 1.5 1.5 0 0 0 0 3Z',
  group: 'M6 7.5a2.25 2.25 0 1 0 0-4.5 2.25 2.25 0 0 0 0 4.5ZM1.75 13c.4-2.4 2-3.75 4.25-3.75S9.85 10.6 10.25 13M10.5 3.2a2.25 2.25 0 0 1 0 4.1M12 9.5c1.2.5 2 1.7 2.25 3.5',
  clock: 'M8 14A6 6 0 1 0 8 2a6 6 0 0 0 0 12ZM8 4.8V8l2.2 1.4',
  auto: 'M2.5 6h11M2.5 10h11M6 3 5 13M11 3l-1 10',
  email: 'M2.5 4h11v8h-11V4ZM2.5 4.5 8 9l5.5-4.5',
  stage: 'M2 5h8l2.5 3L10 11H2l2.5-3L2 5Z',
  button: 'M2.5 5h11v6h-11V5Z',
  trash: 'M2.5 4.5h11M6.5 4.5V2.75h3V4.5M4 4.5l.6 8.6a1 1 0 0 0 1 .9h4.8a1 1 0 0 0 1-.9l.6-8.6M6.75 7v4.5M9.25 7v4.5',
  grid: 'M2.5 3.5h11v9h-11v-9ZM2.5 6.5h11M2.5 9.5h11M6.5 6.5v6',
  kanban: 'M2.5 3h3v10h-3V3ZM6.5 3h3v6h-3V3ZM10.5 3h3v8h-3V3Z',
  gallery: 'M2.5 2.5h4.5V7H2.5V2.5ZM9 2.5h4.5V7H9V2.5ZM2.5 9h4.5v4.5H2.5V9ZM9 9h4.5v4.5H9V9Z',
  gantt: 'M2.5 3v10.5h11M4.5 5h5M6.5 8h6M5 11h4',
  form: 'M3.5 2.5h9v11h-9v-11ZM5.5 5.5h5M5.5 8h5M5.5 10.5h3',
  table: 'M2.5 3h11v10h-11V3ZM2.5 6.5h11M6 6.5V13',
};
const ICON_OF = {
  1: 'text', 2: 'number', 3: 'single', 4: 'multi', 5: 'date', 7: 'checkbox', 11: 'person', 13: 'phone', 15: 'url', 17: 'attachment', 18: 'link',
  19: 'lookup', 20: 'formula', 21: 'link', 22: 'location', 23: 'group', 24: 'stage', 1001: 'clock', 1002: 'clock', 1003: 'person', 1004: 'person', 1005: 'auto', 3001: 'button',
};

export function Icon({ name, size = 16, cls = '' }) {
  return html`<svg class=${`bt-icon ${cls}`} width=${size} height=${size} viewBox="0 0 16 16" fill="none" stroke="currentColor" stroke-width="1.3" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true"><path d=${P[name] ?? P.text} /></svg>`;
}

export function TypeIcon({ field }) {
  const name = field.ui_type === 'Email' ? 'email' : ICON_OF[field.type];
  return html`<span class="bt-type" title=${typeName(field)}><${Icon} name=${name} size=${14} /></span>`;
}

// Feishu's option colours (light background, darker text), by the option's `color` (0–54).
const COLORS = [
  ['#e1eaff', '#245bdb'], ['#d9f5d6', '#237b19'], ['#feead2', '#b26206'], ['#fde2e2', '#d83931'], ['#ece2fe', '#6425d0'],
  ['#d5f6f2', '#078372'], ['#faf1d1', '#946404'], ['#f8def8', '#a41ea4'], ['#d9f3fd', '#037eaa'], ['#eef6c6', '#667901'], ['#e0e2fa', '#3c46c2'],
];
export function optionStyle(field, name) {
  const o = (field.property?.options ?? []).find((x) => x.name === name);
  const [bg, fg] = COLORS[(o?.color ?? 0) % COLORS.length];
  return `background:${bg};color:${fg}`;
}

export function Tag({ field, name }) {
  return html`<span class="bt-tag" style=${optionStyle(field, name)}>${name}</span>`;
}

const pad = (n) => String(n).padStart(2, '0');
/** ms → "2026/01/02 15:04" (or the date only when the field's formatter has no time). */
export function formatDate(ms, field) {
  const d = new Date(ms);
  const day = `${d.getFullYear()}/${pad(d.getMonth() + 1)}/${pad(d.getDate())}`;
  const withTime = field.type !== 5 || /H|h/.test(field.property?.date_formatter ?? '') || d.getHours() !== 0 || d.getMinutes() !== 0;
  return withTime ? `${day} ${pad(d.getHours())}:${pad(d.getMinutes())}` : day;
}
/** ms → the value of an `<input type=datetime-local>`. */
export const toLocalInput = (ms) => {
  if (ms === undefined || ms === null) return '';
  const d = new Date(ms);
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
};

/** Plain text of a text cell (a string, or segments as search answers them). */
export const plainText = (v) => (v === undefined || v === null ? '' : Array.isArray(v) ? v.map((s) => s.text ?? '').join('') : typeof v === 'object' ? (v.text ?? '') : String(v));

function People({ list }) {
  return html`<span class="bt-people">${list.map(
    (u) => html`<span class="bt-person" key=${u.id}>${u.avatar_url || u.id ? html`<img class="avatar avatar-20" src=${`/__emulator/avatars/${encodeURIComponent(u.id)}`} alt="" />` : ''}<span>${u.name || u.en_name || u.id}</span></span>`,
  )}</span>`;
}

/** A cell's value in the read format, as the grid shows it. */
export function CellValue({ field, value }) {
  if (value === undefined || value === null || (Array.isArray(value) && value.length === 0)) return field.type === 7 ? html`<${Check} on=${false} />` : '';
  switch (field.type) {
    case 1:
      if (field.ui_type === 'Email') return html`<span class="bt-link">${plainText(value)}</span>`;
      return plainText(value);
    case 2:
      return html`<span class="bt-number">${typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: 10 }) : String(value)}</span>`;
    case 3:
      return html`<${Tag} field=${field} name=${value} />`;
    case 4:
      return value.map((v) => html`<${Tag} field=${field} name=${v} key=${v} />`);
    case 5:
    case 1001:
    case 1002:
      return formatDate(value, field);
    case 7:
      return html`<${Check} on=${value === true} />`;
    case 11:
    case 1003:
    case 1004:
      return html`<${People} list=${value} />`;
    case 23:
      return value.map((g) => html`<span class="bt-tag bt-tag-grey" key=${g.id}>${g.name || g.id}</span>`);
    case 13:
      return html`<span class="bt-number">${value}</span>`;
    case 15:
      return html`<a class="bt-link" href=${value.link} target="_blank" rel="noreferrer" onClick=${(e) => e.stopPropagation()}>${value.text || value.link}</a>`;
    case 17:
      return value.map((a) => html`<span class="bt-tag bt-tag-grey" key=${a.file_token}><${Icon} name="attachment" size=${12} /> ${a.name}</span>`);
    case 18:
    case 21:
      return (value.link_record_ids ?? []).map((id) => html`<span class="bt-tag bt-tag-link" key=${id}>${id}</span>`);
    case 22:
      return value.full_address || value.location;
    case 1005:
      return html`<span class="bt-number">${value}</span>`;
    default:
      return typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
}

export function Check({ on }) {
  return html`<span class=${`bt-check ${on ? 'on' : ''}`}>${on ? html`<svg width="12" height="12" viewBox="0 0 12 12" fill="none" stroke="#fff" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round"><path d="M2.5 6.2 5 8.6l4.5-5" /></svg>` : ''}</span>`;
}

/** The read value a write value will become (shown while the write is in flight). */
export function readOf(field, v, people) {
  if (v === null || v === undefined) return undefined;
  switch (field.type) {
    case 1:
      return [{ type: field.ui_type === 'Email' ? 'url' : 'text', text: v }];
    case 11:
      return v.map(({ id }) => {
        const p = people.find((x) => x.open_id === id);
        return { id, name: p?.name ?? id, en_name: p?.en_name ?? '', email: p?.email ?? '' };
      });
    case 7:
      return v ? true : undefined;
    default:
      return v;
  }
}
