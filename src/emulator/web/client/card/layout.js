import { useRef, useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { textOf } from '../lib/format.js';
import { inline } from '../lib/markdown.js';
import { showToast } from '../components/toast.js';
import { actionOf, callsBack, multiUrl, openLink, register, renderElements, urlOf } from './render.js';
import { backgroundColor } from './colors.js';

const SPACING = { small: '4px', medium: '8px', default: '8px', large: '12px', extra_large: '16px' };
const spacing = (v, fallback) => SPACING[v] ?? (typeof v === 'string' && /^\d+px$/.test(v) ? v : fallback);

function columnStyle(col, mode) {
  const width = col.width ?? 'auto';
  const style = {};
  if (mode === 'bisect') style.flex = '0 0 calc(50% - 4px)';
  else if (mode === 'trisect') style.flex = '0 0 calc(33.333% - 6px)';
  else if (width === 'weighted') style.flex = `${Math.min(Math.max(Number(col.weight) || 1, 1), 5)} 1 0`;
  else if (/^\d+px$/.test(width)) style.flex = `0 0 ${width}`;
  else style.flex = '0 1 auto'; // auto: as wide as the content
  const bg = backgroundColor(col.background_style);
  if (bg) Object.assign(style, { background: bg, borderRadius: '6px', padding: '8px 10px' });
  if (typeof col.padding === 'string') style.padding = col.padding;
  style.alignSelf = { top: 'flex-start', center: 'center', bottom: 'flex-end' }[col.vertical_align] ?? 'stretch';
  return style;
}

/** column_set: a row of columns (weighted, auto or px widths), grey backgrounds, bisect/trisect wraps. */
function ColumnSet({ el, cx }) {
  const mode = el.flex_mode ?? 'none';
  const bg = backgroundColor(el.background_style);
  const style = {
    gap: spacing(el.horizontal_spacing, '8px'),
    flexWrap: mode === 'none' ? 'nowrap' : 'wrap',
    justifyContent: { left: 'flex-start', center: 'center', right: 'flex-end' }[el.horizontal_align],
    ...(bg ? { background: bg, padding: '8px', borderRadius: '6px' } : {}),
  };
  const url = multiUrl(el.action?.multi_url);
  return html`<div class=${`c-colset ${url ? 'clickable' : ''}`} style=${style} onClick=${url ? () => openLink(url) : undefined}>
    ${(el.columns ?? []).map((col, i) => html`<${Column} key=${i} el=${col} cx=${cx} mode=${mode} />`)}
  </div>`;
}

function Column({ el, cx, mode }) {
  const url = multiUrl(el.action?.multi_url);
  return html`<div
    class=${`c-col ${url ? 'clickable' : ''}`}
    style=${{ ...columnStyle(el, mode), gap: spacing(el.vertical_spacing, '8px') }}
    onClick=${url ? (e) => (e.stopPropagation(), openLink(url)) : undefined}
  >${renderElements(el.elements, cx)}</div>`;
}

/** The 1.0 action module: buttons, selects, pickers and overflow in a row (flow, bisected, trisection). */
function ActionModule({ el, cx }) {
  const layout = el.layout ?? 'flow';
  return html`<div class=${`c-actions layout-${layout}`}>${renderElements(el.actions, cx)}</div>`;
}

const isEmpty = (v) => v === undefined || v === null || v === '' || (Array.isArray(v) && v.length === 0);

/**
 * form: fields inside report to the form instead of calling back; a form_submit button sends
 * every named field as `form_value`, after checking the required ones.
 */
function Form({ el, cx }) {
  const values = useRef({});
  const fields = useRef(new Map());
  const [errors, setErrors] = useState({});
  const [generation, setGeneration] = useState(0);
  const form = {
    name: el.name,
    errors,
    register(name, initial, required) {
      fields.current.set(name, { required: Boolean(required) });
      if (!(name in values.current) && !isEmpty(initial)) values.current[name] = initial;
    },
    set(name, value) {
      values.current[name] = value;
      if (errors[name]) setErrors({ ...errors, [name]: false });
    },
    async submit(action) {
      const missing = [...fields.current].filter(([n, f]) => f.required && isEmpty(values.current[n])).map(([n]) => n);
      if (missing.length) {
        setErrors(Object.fromEntries(missing.map((n) => [n, true])));
        showToast({ type: 'warning', content: 'Please fill in the required fields' });
        return undefined;
      }
      const formValue = Object.fromEntries(Object.entries(values.current).filter(([n, v]) => fields.current.has(n) && v !== undefined));
      return cx.act({ ...action, form_value: formValue });
    },
    reset() {
      values.current = {};
      setErrors({});
      setGeneration(generation + 1);
    },
  };
  return html`<form class="c-form" name=${el.name} onSubmit=${(e) => e.preventDefault()} data-form=${el.name}>
    <div key=${generation} class="c-form-body">${renderElements(el.elements, { ...cx, form })}</div>
  </form>`;
}

/** collapsible_panel: a header that folds its elements away (expanded by default when asked). */
function CollapsiblePanel({ el, cx }) {
  const [open, setOpen] = useState(Boolean(el.expanded));
  const header = el.header ?? {};
  const title = header.title ?? {};
  const border = el.border;
  const style = border ? { border: `1px solid ${border.color === 'grey' || !border.color ? '#dee0e3' : border.color}`, borderRadius: border.corner_radius ?? '6px' } : undefined;
  const bg = backgroundColor(header.background_color);
  return html`<div class=${`c-panel ${open ? 'open' : ''} ${border ? 'bordered' : ''}`} style=${style}>
    <button type="button" class="c-panel-head" style=${bg ? { background: bg } : undefined} onClick=${() => setOpen(!open)} aria-expanded=${open}>
      <span class="c-panel-title">${title.tag === 'markdown' || title.tag === 'lark_md' ? inline(textOf(title), cx.env) : textOf(title)}</span>
      <span class="c-panel-arrow" aria-hidden="true">›</span>
    </button>
    ${open && html`<div class="c-panel-body" style=${{ gap: spacing(el.vertical_spacing, '8px') }}>${renderElements(el.elements, cx)}</div>`}
  </div>`;
}

/** interactive_container: a framed area that calls back (or opens a link) when clicked. */
function InteractiveContainer({ el, cx }) {
  const url = urlOf(el);
  const bg = backgroundColor(el.background_style);
  const style = {
    ...(bg ? { background: bg } : {}),
    ...(el.has_border ? { border: `1px solid ${el.border_color && el.border_color !== 'grey' ? el.border_color : '#dee0e3'}` } : {}),
    ...(el.corner_radius ? { borderRadius: el.corner_radius } : {}),
    ...(typeof el.padding === 'string' ? { padding: el.padding } : {}),
  };
  const onClick = async (e) => {
    if (e.target.closest('button, a, input, select, textarea, .dropdown')) return;
    if (el.disabled) return;
    if (url) openLink(url);
    if (callsBack(el)) await cx.act(actionOf(el));
  };
  return html`<div class="c-container" style=${style} onClick=${onClick} role="button" tabindex="0">${renderElements(el.elements, cx)}</div>`;
}

register('column_set', ColumnSet);
register('column', (p) => html`<${Column} ...${p} mode="none" />`);
register('action', ActionModule);
register('form', Form);
register('collapsible_panel', CollapsiblePanel);
register('interactive_container', InteractiveContainer);
