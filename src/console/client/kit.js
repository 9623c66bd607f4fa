// @console/kit: what panel modules import besides preact, preact/hooks and htm.
import { h } from 'preact';
import htm from 'htm';

/** JSX-like templates without a build step. */
export const html = htm.bind(h);

/** "12:03:04" today, else "2024-05-01 12:03". */
export function time(ms) {
  if (!ms) return '';
  const d = new Date(ms);
  const pad = (n) => String(n).padStart(2, '0');
  const hms = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
  const today = new Date();
  if (d.toDateString() === today.toDateString()) return hms;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${hms.slice(0, 5)}`;
}

/** "3 s ago", "5 min ago", "in 2 min". */
export function ago(ms, now = Date.now()) {
  if (!ms) return '';
  const s = Math.round((now - ms) / 1000);
  const abs = Math.abs(s);
  const text = abs < 60 ? `${abs} s` : abs < 3600 ? `${Math.round(abs / 60)} min` : abs < 86400 ? `${Math.round(abs / 3600)} h` : `${Math.round(abs / 86400)} d`;
  return s >= 0 ? `${text} ago` : `in ${text}`;
}

/** A coloured tag: blue, green, red, orange, grey. */
export function Tag({ color = 'grey', children, testid }) {
  return html`<span class=${`text-tag tag-${color}`} data-testid=${testid}>${children}</span>`;
}

/** A figure with its label. */
export function Stat({ label, value, tone, testid }) {
  return html`<div class="stat" data-testid=${testid}><div class="stat-label">${label}</div><div class=${`stat-value ${tone ?? ''}`}>${value}</div></div>`;
}

/** A centred message for an empty list. */
export function Empty({ title, children }) {
  return html`<div class="status"><div class="status-title">${title}</div><div>${children}</div></div>`;
}

/** Shows a short message at the top of the page (kind: 'ok' | 'error'). */
export function toast(text, kind = 'ok') {
  window.dispatchEvent(new CustomEvent('console-toast', { detail: { text, kind } }));
}
