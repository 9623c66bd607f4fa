import { html } from '../lib/html.js';

/**
 * The rail's icon set, drawn like Feishu's (24px, 1.8px strokes). A product page names one with
 * `icon: 'contacts'`; an unknown name falls back to the page title's first letter.
 */
const stroke = (d) => html`<svg viewBox="0 0 24 24" width="22" height="22" fill="none" stroke="currentColor" stroke-width="1.8" stroke-linecap="round" stroke-linejoin="round" aria-hidden="true">${d}</svg>`;

export const ICONS = {
  messenger: stroke(html`<path d="M12 3.5c-4.97 0-9 3.5-9 7.8 0 2.4 1.25 4.55 3.2 5.98L5.6 20.5l3.55-1.8c.9.24 1.86.37 2.85.37 4.97 0 9-3.5 9-7.77S16.97 3.5 12 3.5z"/><path d="M8.2 11.4h.01M12 11.4h.01M15.8 11.4h.01" stroke-width="2.4"/>`),
  contacts: stroke(html`<rect x="4" y="3" width="16" height="18" rx="3"/><circle cx="12" cy="10" r="2.8"/><path d="M7.6 17.2c.8-1.9 2.5-3 4.4-3s3.6 1.1 4.4 3"/>`),
  approval: stroke(html`<path d="M9 3.5h6l.8 2.5H19a1 1 0 0 1 1 1v12.5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h3.2z"/><path d="M8.5 13.2l2.3 2.3 4.7-4.7"/>`),
  base: stroke(html`<rect x="3.5" y="4" width="17" height="16" rx="2.5"/><path d="M3.5 9.5h17M3.5 15h17M9.5 9.5V20"/>`),
  calendar: stroke(html`<rect x="3.5" y="5" width="17" height="15.5" rx="2.5"/><path d="M3.5 10h17M8 3v4M16 3v4"/><path d="M8 14h2M14 14h2M8 17h2" stroke-width="2"/>`),
  docs: stroke(html`<path d="M6 3.5h8l4.5 4.5v11.5a1 1 0 0 1-1 1H6a1 1 0 0 1-1-1v-15a1 1 0 0 1 1-1z"/><path d="M13.5 3.5V8.5h5M8.5 12.5h7M8.5 16h5"/>`),
  tasks: stroke(html`<rect x="4" y="4" width="16" height="16" rx="3"/><path d="M8.2 12.2l2.6 2.6 5-5.2"/>`),
  workbench: stroke(html`<rect x="4" y="4" width="6.5" height="6.5" rx="1.8"/><rect x="13.5" y="4" width="6.5" height="6.5" rx="1.8"/><rect x="4" y="13.5" width="6.5" height="6.5" rx="1.8"/><rect x="13.5" y="13.5" width="6.5" height="6.5" rx="3.25"/>`),
  mail: stroke(html`<rect x="3.5" y="5.5" width="17" height="13" rx="2.5"/><path d="M4.5 7l7.5 5.5L19.5 7"/>`),
  meetings: stroke(html`<rect x="3" y="6" width="12.5" height="12" rx="2.5"/><path d="M15.5 10.5l5-3v9l-5-3"/>`),
  wiki: stroke(html`<path d="M4 5.5c2.8-1.3 5.5-1.1 8 .7v13.3c-2.5-1.8-5.2-2-8-.7zM20 5.5c-2.8-1.3-5.5-1.1-8 .7v13.3c2.5-1.8 5.2-2 8-.7z"/>`),
  bot: stroke(html`<rect x="4" y="7.5" width="16" height="12" rx="3.5"/><path d="M12 4v3.5"/><path d="M9 13h.01M15 13h.01" stroke-width="2.6"/>`),
  console: stroke(html`<rect x="3.5" y="4.5" width="17" height="15" rx="2.5"/><path d="M3.5 8.5h17M8 12.5l-2 2 2 2M16 12.5l2 2-2 2M13 12l-2 5"/>`),
  log: stroke(html`<path d="M5 6h14M5 12h14M5 18h9"/>`),
};

/** A rail icon: a name of the set, an image URL, or the title's first letter in a tile. */
export function RailIcon({ icon, title }) {
  if (icon && ICONS[icon]) return ICONS[icon];
  if (icon && /^(\/|https?:)/.test(icon)) return html`<img class="rail-icon-img" src=${icon} alt="" />`;
  return html`<span class="rail-icon-letter" aria-hidden="true">${[...(title || '?')][0].toUpperCase()}</span>`;
}
