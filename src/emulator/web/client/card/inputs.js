import { html } from '../lib/html.js';
import { textOf, timezone, utcOffset } from '../lib/format.js';
import { actionOf, register } from './render.js';
import { useField, widthStyle } from './field.js';

/** Pickers answer like Feishu: "2024-01-01 +0800", "10:30 +0800", "2024-01-01 10:30 +0800". */
const PICKERS = {
  date_picker: { type: 'date', initial: (el) => el.initial_date, toWire: (v) => v },
  picker_time: { type: 'time', initial: (el) => el.initial_time, toWire: (v) => v },
  picker_datetime: { type: 'datetime-local', initial: (el) => el.initial_datetime?.replace(' ', 'T'), toWire: (v) => v.replace('T', ' ') },
};

function Picker({ el, cx }) {
  const p = PICKERS[el.tag];
  const wire = (v) => `${p.toWire(v)} ${utcOffset()}`;
  const { value, change, invalid } = useField(el, cx, p.initial(el), wire);
  const onChange = (e) => {
    const v = e.currentTarget.value;
    if (v) change(v, actionOf(el, { option: wire(v), timezone: timezone() }));
  };
  return html`<label class=${`picker ${invalid ? 'invalid' : ''}`} style=${widthStyle(el.width)}>
    <input
      type=${p.type}
      value=${value ?? ''}
      disabled=${Boolean(el.disabled)}
      aria-label=${textOf(el.placeholder) || el.name || el.tag}
      data-tag=${el.tag}
      onChange=${onChange}
    />
  </label>`;
}

/** input: single or multi-line text with label; in a form it reports, outside Enter calls back. */
function Input({ el, cx }) {
  const { value, setValue, change, invalid, inForm } = useField(el, cx, el.default_value ?? undefined);
  const multiline = el.input_type === 'multiline_text';
  const label = textOf(el.label);
  const common = {
    class: `text-input ${invalid ? 'invalid' : ''}`,
    placeholder: textOf(el.placeholder),
    value: value ?? '',
    maxLength: el.max_length,
    disabled: Boolean(el.disabled),
    'aria-label': label || textOf(el.placeholder) || el.name,
    onInput: (e) => (inForm ? change(e.currentTarget.value) : setValue(e.currentTarget.value)),
    onKeyDown: (e) => {
      if (inForm || e.key !== 'Enter' || e.shiftKey || (multiline && !e.ctrlKey && !e.metaKey)) return;
      e.preventDefault();
      const v = e.currentTarget.value;
      change(v, actionOf(el, { input_value: v }));
    },
  };
  const field = multiline ? html`<textarea rows=${el.rows ?? 3} ...${common}></textarea>` : html`<input type=${el.input_type === 'password' ? 'password' : 'text'} ...${common} />`;
  return html`<div class=${`c-input label-${el.label_position ?? 'top'}`} style=${widthStyle(el.width)}>
    ${label && html`<label class="c-input-label">${el.required && html`<span class="req">*</span>`}${label}</label>`}
    ${field}
    ${invalid && html`<div class="c-input-error">Required</div>`}
  </div>`;
}

/** checker: a checkbox line; toggling calls back with `checked` (or reports to the form). */
function Checker({ el, cx }) {
  const { value, change } = useField(el, cx, Boolean(el.checked));
  const strike = value && el.checked_style?.show_strikethrough;
  return html`<label class=${`c-checker ${value ? 'on' : ''}`}>
    <input type="checkbox" checked=${value} disabled=${Boolean(el.disabled)} onChange=${(e) => change(e.currentTarget.checked, actionOf(el, { checked: e.currentTarget.checked }))} />
    <span class="c-checker-box"></span>
    <span class="c-checker-text" style=${strike ? { textDecoration: 'line-through', opacity: el.checked_style?.opacity ?? 0.6 } : undefined}>${textOf(el.text)}</span>
  </label>`;
}

register(Object.keys(PICKERS), Picker);
register('input', Input);
register('checker', Checker);
