/**
 * The Base grid's inline editors, one per field type: an input (text, number, phone, URL, email,
 * date), a dropdown of the options (single / multi select) and a person picker. Each gets the
 * cell's read value and calls `onCommit(writeValue, move?)` (Enter, Tab, blur or a click outside)
 * or `onCancel()` (Esc); a value equal to the cell's commits nothing (`onCancel`).
 * `writeValue` is in the API's write format (`null` clears the cell).
 */
import { html, useEffect, useMemo, useRef, useState } from '@emulator/page-kit';
import { Icon, optionStyle, plainText, toLocalInput } from './cells.js';

/** Calls `fn` on a mousedown outside `ref`'s element (capture: before the grid selects another cell). */
function useOutside(ref, fn) {
  const cb = useRef(fn);
  cb.current = fn;
  useEffect(() => {
    const onDown = (e) => {
      if (ref.current && !ref.current.contains(e.target)) cb.current();
    };
    document.addEventListener('mousedown', onDown, true);
    return () => document.removeEventListener('mousedown', onDown, true);
  }, []);
}

/** What an input's text becomes for the field, or `undefined` when it is the cell's value unchanged. */
function fromInput(field, text, value) {
  const t = text.trim();
  switch (field.type) {
    case 2: {
      if (t === '') return value === undefined || value === null ? undefined : null;
      const n = Number(t.replace(/,/g, ''));
      // Not a number: sent as typed, so the base answers why (and the cell shows it).
      const out = Number.isFinite(n) ? n : t;
      return out === value ? undefined : out;
    }
    case 5: {
      if (t === '') return value === undefined || value === null ? undefined : null;
      const ms = new Date(t).getTime();
      return toLocalInput(value) === t ? undefined : Number.isFinite(ms) ? ms : t;
    }
    case 15: {
      if (t === '') return value ? null : undefined;
      return value?.link === t ? undefined : { text: t, link: t };
    }
    default: {
      const before = field.type === 1 ? plainText(value) : (value ?? '');
      if (text === before) return undefined;
      return text === '' ? null : text;
    }
  }
}

function initialText(field, value) {
  if (field.type === 5) return toLocalInput(value);
  if (field.type === 15) return value?.link ?? '';
  if (field.type === 1) return plainText(value);
  return value === undefined || value === null ? '' : String(value);
}

export function InputEditor({ field, value, initial, onCommit, onCancel }) {
  const input = useRef();
  const done = useRef(false);
  const [text, setText] = useState(initial ?? initialText(field, value));
  const finish = (move) => {
    if (done.current) return;
    done.current = true;
    const v = fromInput(field, input.current?.value ?? text, value);
    if (v === undefined) onCancel(move);
    else onCommit(v, move);
  };
  // Focused as it mounts (a ref callback runs in the commit), so keys typed right after go into it.
  const mount = (el) => {
    input.current = el;
    if (!el || el.dataset.focused) return;
    el.dataset.focused = '1';
    el.focus();
    if (field.type === 5) return;
    if (initial === undefined) el.select();
    else el.setSelectionRange(el.value.length, el.value.length);
  };
  const type = field.type === 5 ? 'datetime-local' : field.type === 13 ? 'tel' : field.ui_type === 'Email' ? 'email' : 'text';
  return html`<input
    ref=${mount}
    class=${`bt-input ${field.type === 2 || field.type === 13 ? 'bt-input-num' : ''}`}
    type=${type}
    inputmode=${field.type === 2 ? 'decimal' : undefined}
    placeholder=${field.type === 15 ? 'https://' : ''}
    data-testid="base-cell-editor"
    value=${text}
    onInput=${(e) => setText(e.currentTarget.value)}
    onBlur=${() => finish()}
    onKeyDown=${(e) => {
      e.stopPropagation();
      if (e.key === 'Enter' && !e.isComposing) {
        e.preventDefault();
        finish();
      } else if (e.key === 'Tab') {
        e.preventDefault();
        finish(e.shiftKey ? 'left' : 'right');
      } else if (e.key === 'Escape') {
        e.preventDefault();
        done.current = true;
        onCancel();
      }
    }}
  />`;
}

/**
 * A dropdown list with a search box: `items` `{key, label, node}`; `picked` a Set of keys. Single:
 * a pick commits; multi: picks toggle, Enter or a click outside commits. `onCreate(text)` adds an
 * item not in the list (a new select option).
 */
function Picker({ items, picked, multi, placeholder, testid, onPick, onDone, onCancel, onCreate }) {
  const box = useRef();
  const search = useRef();
  const [q, setQ] = useState('');
  const [hi, setHi] = useState(0);
  const shown = useMemo(() => items.filter((i) => i.label.toLowerCase().includes(q.trim().toLowerCase())), [items, q]);
  const exact = items.some((i) => i.label === q.trim());
  const canCreate = onCreate && q.trim() !== '' && !exact;
  useOutside(box, () => onDone());
  const mountSearch = (el) => {
    search.current = el;
    if (el && !el.dataset.focused) {
      el.dataset.focused = '1';
      el.focus();
    }
  };
  useEffect(() => setHi(0), [q]);
  useEffect(() => box.current?.querySelector('.bt-pick-item.hi')?.scrollIntoView({ block: 'nearest' }), [hi]);
  return html`<div class="bt-pop" ref=${box} data-testid=${testid} onMouseDown=${(e) => e.stopPropagation()} onDblClick=${(e) => e.stopPropagation()} onClick=${(e) => e.stopPropagation()}>
    <div class="bt-pop-search">
      <${Icon} name="lookup" size=${14} />
      <input
        ref=${mountSearch}
        placeholder=${placeholder}
        value=${q}
        data-testid="base-picker-search"
        onInput=${(e) => setQ(e.currentTarget.value)}
        onKeyDown=${(e) => {
          e.stopPropagation();
          if (e.key === 'ArrowDown') {
            e.preventDefault();
            setHi((h) => Math.min(h + 1, shown.length - 1 + (canCreate ? 1 : 0)));
          } else if (e.key === 'ArrowUp') {
            e.preventDefault();
            setHi((h) => Math.max(h - 1, 0));
          } else if (e.key === 'Enter' && !e.isComposing) {
            e.preventDefault();
            if (hi < shown.length && (q.trim() !== '' || !multi)) {
              if (shown[hi]) onPick(shown[hi].key);
              if (multi) setQ('');
            } else if (canCreate) {
              onCreate(q.trim());
              setQ('');
            } else onDone();
          } else if (e.key === 'Escape') {
            e.preventDefault();
            onCancel();
          } else if (e.key === 'Tab') {
            e.preventDefault();
            onDone(e.shiftKey ? 'left' : 'right');
          }
        }}
      />
    </div>
    <div class="bt-pick-list">
      ${shown.map(
        (i, n) => html`<div
          key=${i.key}
          class=${`bt-pick-item ${n === hi ? 'hi' : ''} ${picked.has(i.key) ? 'picked' : ''}`}
          data-testid="base-option"
          data-option=${i.label}
          onMouseEnter=${() => setHi(n)}
          onClick=${() => onPick(i.key)}
        >
          ${multi ? html`<span class=${`bt-pick-box ${picked.has(i.key) ? 'on' : ''}`}></span>` : ''}
          ${i.node}
          ${!multi && picked.has(i.key) ? html`<svg class="bt-pick-tick" width="14" height="14" viewBox="0 0 16 16" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round" stroke-linejoin="round"><path d="M3 8.5 6.5 12 13 4.5" /></svg>` : ''}
        </div>`,
      )}
      ${canCreate
        ? html`<div class=${`bt-pick-item bt-pick-new ${hi === shown.length ? 'hi' : ''}`} data-testid="base-option-create" onMouseEnter=${() => setHi(shown.length)} onClick=${() => { onCreate(q.trim()); setQ(''); }}>
            <span>Add option</span><span class="bt-tag" style="background:#eff0f1;color:#1f2329">${q.trim()}</span>
          </div>`
        : ''}
      ${shown.length === 0 && !canCreate ? html`<div class="bt-pick-empty">No matches</div>` : ''}
    </div>
    ${multi ? html`<div class="bt-pop-foot"><span>${picked.size} selected</span><button type="button" class="btn btn-primary-filled btn-tiny" data-testid="base-picker-done" onClick=${() => onDone()}>Done</button></div>` : ''}
  </div>`;
}

/** Single and multi select: the field's options (colours as the grid shows them); new names become options. */
export function SelectEditor({ field, value, onCommit, onCancel }) {
  const multi = field.type === 4;
  const start = multi ? (value ?? []) : value ? [value] : [];
  const [picked, setPicked] = useState(() => new Set(start));
  const [extra, setExtra] = useState([]);
  const names = [...(field.property?.options ?? []).map((o) => o.name), ...extra];
  const items = names.map((n) => ({ key: n, label: n, node: html`<span class="bt-tag" style=${optionStyle(field, n)}>${n}</span>` }));
  const done = useRef(false);
  const commit = (set, move) => {
    if (done.current) return;
    done.current = true;
    const next = [...set];
    if (multi) {
      const same = next.length === start.length && next.every((n) => start.includes(n));
      return same ? onCancel(move) : onCommit(next.length ? next : null, move);
    }
    return next[0] === start[0] ? onCancel(move) : onCommit(next[0] ?? null, move);
  };
  const pick = (name) => {
    if (!multi) return commit(new Set(picked.has(name) ? [] : [name]));
    const next = new Set(picked);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    setPicked(next);
    pickedRef.current = next;
  };
  const pickedRef = useRef(picked);
  return html`<${Picker}
    items=${items}
    picked=${picked}
    multi=${multi}
    testid="base-select-editor"
    placeholder=${multi ? 'Find or add options' : 'Find or add an option'}
    onPick=${pick}
    onDone=${(move) => commit(pickedRef.current, move)}
    onCancel=${() => {
      done.current = true;
      onCancel();
    }}
    onCreate=${(name) => {
      setExtra((x) => [...x, name]);
      pick(name);
    }}
  />`;
}

/** A person picker over the directory (`people` of /__emulator/bitable/people); one person unless the field takes several. */
export function UserEditor({ field, value, people, onCommit, onCancel }) {
  const multi = field.property?.multiple !== false;
  const start = (value ?? []).map((u) => u.id);
  const [picked, setPicked] = useState(() => new Set(start));
  const pickedRef = useRef(picked);
  const done = useRef(false);
  const items = people.map((p) => ({
    key: p.open_id,
    label: `${p.name} ${p.en_name ?? ''} ${p.email ?? ''}`,
    node: html`<span class="bt-pick-person"><img class="avatar avatar-24" src=${p.avatar} alt="" /><span class="bt-pick-person-name">${p.name}</span><span class="bt-pick-person-sub">${p.email || p.en_name || ''}</span></span>`,
  }));
  const commit = (set, move) => {
    if (done.current) return;
    done.current = true;
    const next = [...set];
    const same = next.length === start.length && next.every((n) => start.includes(n));
    if (same) return onCancel(move);
    return onCommit(next.length ? next.map((id) => ({ id })) : null, move);
  };
  const pick = (id) => {
    if (!multi) return commit(new Set(picked.has(id) ? [] : [id]));
    const next = new Set(picked);
    if (next.has(id)) next.delete(id);
    else next.add(id);
    setPicked(next);
    pickedRef.current = next;
  };
  return html`<${Picker}
    items=${items}
    picked=${picked}
    multi=${multi}
    testid="base-user-editor"
    placeholder="Find a person"
    onPick=${pick}
    onDone=${(move) => commit(pickedRef.current, move)}
    onCancel=${() => {
      done.current = true;
      onCancel();
    }}
  />`;
}
