import { html } from '../lib/html.js';
import { safeUrl } from '../lib/format.js';

/**
 * Element tag → component. Each element family registers itself (text.js, layout.js, …) so
 * this dispatcher knows none of them; an unknown tag shows a visible placeholder, never breaks.
 */
const registry = new Map();

export function register(tags, Component) {
  for (const tag of [].concat(tags)) registry.set(tag, Component);
}

function Unsupported({ tag }) {
  return html`<div class="c-unsupported" data-unsupported=${tag}>unsupported element: <code>${tag || '(no tag)'}</code></div>`;
}

/** 2.0 `margin` ("8px 0px" etc.) on any element. */
const marginOf = (el) => (typeof el.margin === 'string' && /^(-?\d+px\s*){1,4}$/.test(el.margin.trim()) ? { margin: el.margin } : undefined);

export function Element({ el, cx }) {
  if (!el || typeof el !== 'object') return html`<${Unsupported} tag=${typeof el} />`;
  const Component = registry.get(el.tag);
  if (!Component) return html`<${Unsupported} tag=${el.tag} />`;
  return html`<div class=${`c-el c-el-${el.tag}`} style=${marginOf(el)} data-element-id=${el.element_id}>
    <${Component} el=${el} cx=${cx} />
  </div>`;
}

export function renderElements(elements, cx) {
  return (Array.isArray(elements) ? elements : []).map((el, i) => html`<${Element} key=${el?.element_id ?? i} el=${el} cx=${cx} />`);
}

/** What a callback carries for an element: its tag, value (or 2.0 callback behavior), name. */
export function actionOf(el, extra = {}) {
  const behavior = Array.isArray(el.behaviors) ? el.behaviors.find((b) => b?.type === 'callback') : undefined;
  const value = el.value ?? behavior?.value ?? {};
  return { tag: el.tag, value, ...(el.name ? { name: el.name } : {}), ...extra };
}

/** Where a link element points: url, multi_url, or a 2.0 open_url behavior (desktop URL first). */
export function urlOf(el) {
  const behavior = Array.isArray(el.behaviors) ? el.behaviors.find((b) => b?.type === 'open_url') : undefined;
  const m = el.multi_url ?? {};
  return safeUrl(el.url || m.pc_url || m.url || behavior?.pc_url || behavior?.default_url);
}

/** `multi_url` of columns and overflow options (desktop URL first), if it is a link one may follow. */
export const multiUrl = (m) => safeUrl(m?.pc_url ?? m?.url);

/** Opens a card's link in a new tab; javascript: and other schemes never run. */
export function openLink(url) {
  const safe = safeUrl(url);
  if (safe) window.open(safe, '_blank', 'noopener');
}

/** Whether clicking calls the app back (pure link buttons of 1.0 do not). */
export function callsBack(el) {
  if (Array.isArray(el.behaviors)) return el.behaviors.some((b) => b?.type === 'callback');
  return !urlOf(el) || el.value !== undefined;
}
