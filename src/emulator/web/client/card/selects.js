import { useRef } from 'preact/hooks';
import { html } from '../lib/html.js';
import { textOf } from '../lib/format.js';
import { actionOf, register } from './render.js';
import { Dropdown } from './dropdown.js';
import { useField, widthStyle } from './field.js';

/** Options of a select: static options, or people (given, or everyone in the directory). */
function optionsOf(el, cx) {
  if (el.tag === 'select_person' || el.tag === 'multi_select_person') {
    const ids = Array.isArray(el.options) && el.options.length ? el.options.map((o) => o.value) : cx.directory.users.filter((u) => !u.resigned).map((u) => u.open_id);
    return ids.map((id) => ({ value: id, label: cx.directory.nameOf(id) ?? id, avatar: `/__emulator/web/avatar/${encodeURIComponent(id)}` }));
  }
  return (el.options ?? []).map((o) => ({ value: String(o.value), label: textOf(o.text) || String(o.value) }));
}

function Trigger({ labels, placeholder }) {
  return html`<span class=${`select-value ${labels.length ? '' : 'placeholder'}`}>${labels.length ? labels.join(', ') : placeholder}</span>
    <svg class="select-arrow" viewBox="0 0 12 12" width="12" height="12" aria-hidden="true"><path d="M2.5 4.5L6 8l3.5-3.5" fill="none" stroke="currentColor" stroke-width="1.4" stroke-linecap="round"/></svg>`;
}

/** select_static / select_person: one choice; outside a form the choice calls back with `option`. */
function SingleSelect({ el, cx }) {
  const options = optionsOf(el, cx);
  // 2.0 may name the initial choice by 1-based position instead of value.
  const initial = el.initial_option ?? (el.initial_index > 0 ? options[el.initial_index - 1]?.value : undefined);
  const { value, change, invalid } = useField(el, cx, initial);
  const chosen = options.find((o) => o.value === value);
  return html`<${Dropdown}
    trigger=${html`<${Trigger} labels=${chosen ? [chosen.label] : []} placeholder=${textOf(el.placeholder) || 'Select'} />`}
    triggerClass=${`select ${el.type === 'text' ? 'select-text' : ''}`}
    options=${options}
    selected=${value ? [value] : []}
    disabled=${Boolean(el.disabled)}
    invalid=${invalid}
    style=${widthStyle(el.width)}
    onPick=${(o) => change(o.value, actionOf(el, { option: o.value }))}
    label=${textOf(el.placeholder) || el.name || el.tag}
  />`;
}

/** multi_select_static / multi_select_person: several choices; outside a form one callback with `options` on close. */
function MultiSelect({ el, cx }) {
  const options = optionsOf(el, cx);
  const initial = el.selected_values ?? el.initial_options ?? [];
  const { value = [], setValue, change, invalid, inForm } = useField(el, cx, initial);
  const opened = useRef(value);
  const labels = options.filter((o) => value.includes(o.value)).map((o) => o.label);
  const pick = (o) => {
    const next = value.includes(o.value) ? value.filter((v) => v !== o.value) : [...value, o.value];
    if (inForm) change(next);
    else setValue(next);
  };
  const onClose = () => {
    if (inForm || JSON.stringify(opened.current) === JSON.stringify(value)) return;
    opened.current = value;
    change(value, actionOf(el, { options: value }));
  };
  return html`<${Dropdown}
    trigger=${html`<${Trigger} labels=${labels} placeholder=${textOf(el.placeholder) || 'Select'} />`}
    triggerClass="select select-multi"
    options=${options}
    selected=${value}
    multi=${true}
    disabled=${Boolean(el.disabled)}
    invalid=${invalid}
    style=${widthStyle(el.width)}
    onPick=${pick}
    onClose=${onClose}
    label=${textOf(el.placeholder) || el.name || el.tag}
  />`;
}

register(['select_static', 'select_person'], SingleSelect);
register(['multi_select_static', 'multi_select_person'], MultiSelect);
