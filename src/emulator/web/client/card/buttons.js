import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { safeUrl as safeUrlOf, textOf } from '../lib/format.js';
import { confirmDialog } from '../components/dialog.js';
import { actionOf, callsBack, multiUrl, openLink, register, urlOf } from './render.js';
import { Dropdown } from './dropdown.js';
import { widthStyle } from './field.js';

const TYPES = new Set(['default', 'primary', 'danger', 'text', 'primary_text', 'danger_text', 'primary_filled', 'danger_filled', 'laser']);

const confirmed = (el) => (el.confirm ? confirmDialog({ title: textOf(el.confirm.title), text: textOf(el.confirm.text) }) : Promise.resolve(true));

/** Form buttons: 1.0 `action_type: form_submit|form_reset`, 2.0 `form_action_type: submit|reset`. */
function formRole(el) {
  const t = el.form_action_type ?? el.action_type;
  if (t === 'submit' || t === 'form_submit') return 'submit';
  if (t === 'reset' || t === 'form_reset') return 'reset';
  return undefined;
}

/** button: types, sizes, fill width, links, confirm dialogs, disabled; a callback or a form submit. */
function Button({ el, cx }) {
  const [busy, setBusy] = useState(false);
  const type = TYPES.has(el.type) ? el.type : 'default';
  const size = ['tiny', 'small', 'medium', 'large'].includes(el.size) ? el.size : 'medium';
  const url = urlOf(el);
  const role = cx.form ? formRole(el) : undefined;

  const onClick = async () => {
    if (el.disabled || busy) return;
    if (!(await confirmed(el))) return;
    if (role === 'reset') return cx.form.reset();
    if (url) openLink(url);
    if (role !== 'submit' && !callsBack(el)) return;
    setBusy(true);
    try {
      await (role === 'submit' ? cx.form.submit(actionOf(el, { tag: 'button' })) : cx.act(actionOf(el, { tag: 'button' })));
    } finally {
      setBusy(false);
    }
  };

  return html`<button
    type="button"
    class=${`btn btn-${type} btn-${size} ${busy ? 'busy' : ''}`}
    style=${widthStyle(el.width)}
    disabled=${Boolean(el.disabled)}
    title=${el.disabled ? textOf(el.disabled_tips) || undefined : textOf(el.hover_tips) || url}
    data-url=${url}
    data-type=${type}
    onClick=${onClick}
  >
    ${busy && html`<span class="spinner"></span>`}
    <span class="btn-label">${textOf(el.text)}</span>
    ${url && html`<svg class="btn-link-icon" viewBox="0 0 16 16" width="12" height="12" aria-hidden="true"><path d="M6 3H3v10h10v-3M9 2h5v5M14 2L7 9" fill="none" stroke="currentColor" stroke-width="1.5" stroke-linecap="round" stroke-linejoin="round"/></svg>`}
  </button>`;
}

/** overflow: the "···" menu; a choice calls back with `option` or opens its link. */
function Overflow({ el, cx }) {
  const options = (el.options ?? []).map((o, i) => ({ value: o.value ?? String(i), label: textOf(o.text), url: multiUrl(o.multi_url) ?? safeUrlOf(o.url) }));
  const pick = async (o) => {
    if (!(await confirmed(el))) return;
    if (o.url) return openLink(o.url);
    await cx.act(actionOf(el, { option: o.value }));
  };
  return html`<${Dropdown}
    trigger=${html`<span class="overflow-dots">···</span>`}
    triggerClass="btn btn-default btn-overflow"
    options=${options}
    onPick=${pick}
    label="More"
  />`;
}

register('button', Button);
register('overflow', Overflow);
