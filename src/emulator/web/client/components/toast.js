import { useEffect, useState } from 'preact/hooks';
import { html } from '../lib/html.js';

/** Feishu-like toasts (success/info/warning/error/loading), shown top-centre for 3 s. */

let listener = () => {};
let nextId = 1;

export function showToast(toast) {
  listener({ id: nextId++, type: toast.type ?? 'info', content: String(toast.content ?? '') });
}

const ICONS = {
  success: html`<svg viewBox="0 0 20 20" width="18" height="18"><circle cx="10" cy="10" r="9" fill="#34c724"/><path d="M5.8 10.2l2.7 2.7 5.7-5.7" stroke="#fff" stroke-width="1.8" fill="none" stroke-linecap="round" stroke-linejoin="round"/></svg>`,
  info: html`<svg viewBox="0 0 20 20" width="18" height="18"><circle cx="10" cy="10" r="9" fill="#3370ff"/><path d="M10 9v5.2M10 5.8v.2" stroke="#fff" stroke-width="2" stroke-linecap="round"/></svg>`,
  warning: html`<svg viewBox="0 0 20 20" width="18" height="18"><circle cx="10" cy="10" r="9" fill="#ff8800"/><path d="M10 5.5v5.5M10 14v.2" stroke="#fff" stroke-width="2" stroke-linecap="round"/></svg>`,
  error: html`<svg viewBox="0 0 20 20" width="18" height="18"><circle cx="10" cy="10" r="9" fill="#f54a45"/><path d="M7 7l6 6M13 7l-6 6" stroke="#fff" stroke-width="1.8" stroke-linecap="round"/></svg>`,
  loading: html`<span class="spinner"></span>`,
};

export function ToastHost() {
  const [toasts, setToasts] = useState([]);
  useEffect(() => {
    listener = (t) => {
      // Like Feishu, a new toast replaces the one on screen.
      setToasts([t]);
      setTimeout(() => setToasts((prev) => prev.filter((x) => x.id !== t.id)), 3000);
    };
    return () => (listener = () => {});
  }, []);
  return html`<div class="toasts" aria-live="polite">
    ${toasts.map(
      (t) => html`<div key=${t.id} class=${`toast toast-${t.type}`} role="status" data-toast-type=${t.type}>
        ${ICONS[t.type] ?? ICONS.info}<span class="toast-text">${t.content}</span>
      </div>`,
    )}
  </div>`;
}
