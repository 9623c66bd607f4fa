/**
 * The Base grid: one table as a view shows it (`GET /__emulator/bitable/apps/:app/tables/:table?view_id=`,
 * polled every second), editable in place as a person of the directory (`as`):
 *
 * - click selects a cell (arrows move, Enter or a double-click edits, typing starts editing a text
 *   cell, Delete clears it, Esc leaves it); a checkbox toggles on a click;
 * - an edit saves with `PATCH …/records/:record_id {fields, as}` on Enter, Tab, blur or a click
 *   outside; while it is in flight the cell shows the new value; a refusal shows on that cell (red
 *   outline and the base's message) and the cell goes back to what it was;
 * - "+ New record" adds a row (`POST …/records`) and opens its primary cell; a row's delete
 *   button (on hover) or its context menu deletes it (`DELETE`, after a confirm).
 *
 * Polls never touch a cell being edited: the editor keeps its own draft, and the value a save
 * answered is shown until a poll has caught up with that write's revision.
 */
import { html, showToast, useEffect, useMemo, useRef, useState } from '@emulator/page-kit';
import { CellValue, Icon, isEditable, readOf, READ_ONLY, TypeIcon, typeName } from './cells.js';
import { InputEditor, SelectEditor, UserEditor } from './editors.js';

/** A control-route call; a refusal throws an Error carrying the JSON answer (`error`, `code`, `field`). */
export async function send(method, url, body) {
  const res = await fetch(url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw Object.assign(new Error(json.error ?? `HTTP ${res.status}`), { answer: json, status: res.status });
  return json;
}

const key = (r, f) => `${r}|${f}`;

/** Column widths by type (the primary field is wider). */
function widthOf(field, primary) {
  if (primary) return 220;
  switch (field.type) {
    case 2: case 13: case 1005: return 130;
    case 7: return 96;
    case 3: return 150;
    case 5: case 1001: case 1002: return 170;
    case 11: case 1003: case 1004: return 170;
    case 4: case 15: return 210;
    default: return 190;
  }
}

/** The message a refusal shows on its cell: the base's reason without the field name, and its code. */
function cellMessage(err, field) {
  const a = err.answer ?? {};
  let text = a.error ?? err.message;
  const at = text.indexOf(`${field.field_name}: `);
  if (at >= 0) text = text.slice(at + field.field_name.length + 2);
  return a.code ? `${text} (${a.code})` : text;
}

export function Grid({ data, reload, as, people, base }) {
  const table = data.table;
  const fields = useMemo(() => table.fields.filter((f) => !f.is_hidden), [table.fields]);
  const url = `/__emulator/bitable/apps/${encodeURIComponent(data.app_token)}/tables/${encodeURIComponent(table.table_id)}/records`;

  const [selected, setSelected] = useState(null); // {r, f}
  const [editing, setEditing] = useState(null); // {r, f, initial?}
  const [saving, setSaving] = useState({}); // key → read value in flight
  const [errors, setErrors] = useState({}); // key → message
  const [answered, setAnswered] = useState({}); // record_id → {record, revision}: a save's answer until a poll catches up
  const [added, setAdded] = useState([]); // [{record, revision}] created here, not yet polled
  const [removed, setRemoved] = useState({}); // record_id → revision of the delete
  const [menu, setMenu] = useState(null); // {r, x, y}
  const [confirm, setConfirm] = useState(null); // record_id
  const wrap = useRef();

  const rows = useMemo(() => {
    const polled = table.records
      .filter((r) => !(removed[r.record_id] > data.revision))
      .map((r) => {
        const a = answered[r.record_id];
        return a && a.revision > data.revision ? a.record : r;
      });
    const have = new Set(polled.map((r) => r.record_id));
    for (const a of added) {
      const id = a.record.record_id;
      if (a.revision <= data.revision || have.has(id) || removed[id] > 0) continue;
      const later = answered[id];
      polled.push(later && later.revision > a.revision ? later.record : a.record);
    }
    return polled;
  }, [table.records, answered, added, removed, data.revision]);

  // Forget what the polls have caught up with.
  useEffect(() => {
    setAnswered((a) => Object.fromEntries(Object.entries(a).filter(([, v]) => v.revision > data.revision)));
    setAdded((list) => list.filter((a) => a.revision > data.revision));
  }, [data.revision]);

  const fieldOf = (id) => fields.find((f) => f.field_id === id);
  const recordOf = (id) => rows.find((r) => r.record_id === id);

  useEffect(() => {
    if (!selected) return;
    wrap.current?.querySelector(`td[data-record-id="${selected.r}"][data-field-id="${selected.f}"]`)?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [selected?.r, selected?.f]);

  const focusGrid = () => wrap.current?.focus({ preventScroll: true });
  /** After an editor closes: back to the grid's keys, unless the focus went somewhere else on purpose. */
  const refocus = () =>
    setTimeout(() => {
      const a = document.activeElement;
      if (!a || a === document.body || wrap.current?.contains(a)) focusGrid();
    }, 0);

  async function save(recordId, field, value) {
    const k = key(recordId, field.field_id);
    setErrors(({ [k]: _, ...rest }) => rest);
    setSaving((s) => ({ ...s, [k]: { value: readOf(field, value, people) } }));
    try {
      const res = await send('PATCH', `${url}/${encodeURIComponent(recordId)}`, { fields: { [field.field_name]: value }, as });
      setAnswered((a) => ({ ...a, [recordId]: { record: res.record, revision: res.revision } }));
      reload();
    } catch (err) {
      setErrors((e) => ({ ...e, [k]: cellMessage(err, field) }));
    } finally {
      setSaving(({ [k]: _, ...rest }) => rest);
    }
  }

  function move(dir) {
    if (!selected) return;
    const ri = rows.findIndex((r) => r.record_id === selected.r);
    const fi = fields.findIndex((f) => f.field_id === selected.f);
    if (ri < 0 || fi < 0) return;
    const [dr, df] = { up: [-1, 0], down: [1, 0], left: [0, -1], right: [0, 1] }[dir];
    const r = rows[Math.max(0, Math.min(rows.length - 1, ri + dr))];
    const f = fields[Math.max(0, Math.min(fields.length - 1, fi + df))];
    setSelected({ r: r.record_id, f: f.field_id });
  }

  function startEdit(recordId, field, initial) {
    if (!isEditable(field)) {
      showToast({ type: 'info', content: READ_ONLY.has(field.type) ? `${field.field_name} is a ${typeName(field).toLowerCase()} field: the base fills it in` : `${typeName(field)} cells are not editable in this page` });
      return;
    }
    setSelected({ r: recordId, f: field.field_id });
    if (field.type === 7) {
      toggle(recordId, field);
      return;
    }
    setErrors(({ [key(recordId, field.field_id)]: _, ...rest }) => rest);
    setEditing({ r: recordId, f: field.field_id, initial });
  }

  function toggle(recordId, field) {
    const rec = recordOf(recordId);
    const k = key(recordId, field.field_id);
    const now = k in saving ? saving[k].value === true : rec?.fields[field.field_name] === true;
    save(recordId, field, !now);
  }

  function endEdit(commit, value, dir) {
    const at = editing;
    setEditing(null);
    refocus();
    if (!at) return;
    const field = fieldOf(at.f);
    if (commit && field) save(at.r, field, value);
    if (dir) move(dir);
  }

  async function addRecord() {
    try {
      const res = await send('POST', url, { fields: {}, as });
      setAdded((list) => [...list, { record: res.record, revision: res.revision }]);
      reload();
      const primary = fields[0];
      setSelected({ r: res.record.record_id, f: primary.field_id });
      if (isEditable(primary)) setEditing({ r: res.record.record_id, f: primary.field_id });
    } catch (err) {
      showToast({ type: 'error', content: `Could not add a record: ${err.message}` });
    }
  }

  async function removeRecord(recordId) {
    setConfirm(null);
    try {
      const res = await send('DELETE', `${url}/${encodeURIComponent(recordId)}?as=${encodeURIComponent(as ?? '')}`);
      setRemoved((r) => ({ ...r, [recordId]: res.revision }));
      if (selected?.r === recordId) setSelected(null);
      reload();
      showToast({ type: 'success', content: 'Record deleted' });
    } catch (err) {
      showToast({ type: 'error', content: `Could not delete: ${err.message}` });
    }
  }

  function onKeyDown(e) {
    if (editing || confirm || e.target !== wrap.current) return;
    if (!selected) return;
    const field = fieldOf(selected.f);
    if (!field) return;
    const arrows = { ArrowUp: 'up', ArrowDown: 'down', ArrowLeft: 'left', ArrowRight: 'right' };
    if (arrows[e.key]) {
      e.preventDefault();
      move(arrows[e.key]);
    } else if (e.key === 'Tab') {
      e.preventDefault();
      move(e.shiftKey ? 'left' : 'right');
    } else if (e.key === 'Enter' || e.key === 'F2') {
      e.preventDefault();
      startEdit(selected.r, field);
    } else if (e.key === ' ' && field.type === 7) {
      e.preventDefault();
      toggle(selected.r, field);
    } else if ((e.key === 'Delete' || e.key === 'Backspace') && isEditable(field)) {
      e.preventDefault();
      const v = recordOf(selected.r)?.fields[field.field_name];
      if (v !== undefined && v !== null && field.type !== 7) save(selected.r, field, null);
    } else if (e.key === 'Escape') {
      setSelected(null);
    } else if (e.key.length === 1 && !e.ctrlKey && !e.metaKey && !e.altKey && [1, 2, 13, 15].includes(field.type)) {
      e.preventDefault();
      startEdit(selected.r, field, e.key);
    }
  }

  // The context menu closes on any click or Esc.
  useEffect(() => {
    if (!menu) return undefined;
    const close = () => setMenu(null);
    const onKey = (e) => e.key === 'Escape' && close();
    addEventListener('mousedown', close);
    addEventListener('keydown', onKey);
    addEventListener('scroll', close, true);
    return () => {
      removeEventListener('mousedown', close);
      removeEventListener('keydown', onKey);
      removeEventListener('scroll', close, true);
    };
  }, [menu]);

  const editorFor = (rec, field) => {
    const props = {
      field,
      value: rec.fields[field.field_name],
      initial: editing.initial,
      people,
      onCommit: (v, dir) => endEdit(true, v, dir),
      onCancel: (dir) => endEdit(false, undefined, dir),
    };
    if (field.type === 3 || field.type === 4) return html`<${SelectEditor} ...${props} />`;
    if (field.type === 11) return html`<${UserEditor} ...${props} />`;
    return html`<${InputEditor} ...${props} />`;
  };

  const widths = fields.map((f, i) => widthOf(f, i === 0));
  const total = 56 + widths.reduce((a, b) => a + b, 0);

  return html`<div class="bt-grid-wrap" ref=${wrap} tabindex="0" onKeyDown=${onKeyDown} data-testid="base-grid-wrap">
    <table class="bt-grid" data-testid="base-grid" style=${`width:${total}px`}>
      <colgroup><col style="width:56px" />${widths.map((w, i) => html`<col key=${fields[i].field_id} style=${`width:${w}px`} />`)}</colgroup>
      <thead>
        <tr>
          <th class="bt-num bt-sticky"><span class="bt-num-head">#</span></th>
          ${fields.map(
            (f, i) => html`<th key=${f.field_id} class=${i === 0 ? 'bt-primary bt-sticky' : ''} data-field-id=${f.field_id} data-testid="base-header" title=${`${f.field_name} · ${typeName(f)} · ${f.field_id}`}>
              <div class="bt-th"><${TypeIcon} field=${f} /><span class="bt-th-name">${f.field_name}</span>${READ_ONLY.has(f.type) ? html`<span class="bt-th-lock" title="Filled in by the base">auto</span>` : ''}</div>
            </th>`,
          )}
        </tr>
      </thead>
      <tbody>
        ${rows.map((rec, ri) => {
          const rowSelected = selected?.r === rec.record_id;
          return html`<tr
            key=${rec.record_id}
            class=${rowSelected ? 'bt-row-selected' : ''}
            data-testid="base-row"
            data-record-id=${rec.record_id}
            data-record=${rec.record_id}
            onContextMenu=${(e) => {
              e.preventDefault();
              setMenu({ r: rec.record_id, x: e.clientX, y: e.clientY });
            }}
          >
            <td class="bt-num bt-sticky">
              <span class="bt-num-n">${ri + 1}</span>
              <button type="button" class="bt-row-del" title="Delete record" data-testid="base-row-delete" onClick=${(e) => { e.stopPropagation(); setConfirm(rec.record_id); }}><${Icon} name="trash" size=${14} /></button>
            </td>
            ${fields.map((f, fi) => {
              const k = key(rec.record_id, f.field_id);
              const isSel = rowSelected && selected.f === f.field_id;
              const isEdit = editing && editing.r === rec.record_id && editing.f === f.field_id;
              const value = k in saving ? saving[k].value : rec.fields[f.field_name];
              const err = errors[k];
              const cls = ['bt-cell', fi === 0 ? 'bt-primary bt-sticky' : '', isSel ? 'selected' : '', isEdit ? 'editing' : '', err ? 'error' : '', k in saving ? 'saving' : '', isEditable(f) ? '' : 'readonly', `bt-t${f.type}`].filter(Boolean).join(' ');
              return html`<td
                key=${f.field_id}
                class=${cls}
                data-testid="base-cell"
                data-field-id=${f.field_id}
                data-record-id=${rec.record_id}
                onMouseDown=${(e) => {
                  if (isEdit) return;
                  if (e.button === 0) setSelected({ r: rec.record_id, f: f.field_id });
                }}
                onClick=${(e) => {
                  if (isEdit) return;
                  if (f.type === 7 && e.target.closest?.('.bt-check')) toggle(rec.record_id, f);
                  focusGrid();
                }}
                onDblClick=${() => !isEdit && f.type !== 7 && startEdit(rec.record_id, f)}
              >
                ${isEdit ? editorFor(rec, f) : html`<div class="bt-cell-v"><${CellValue} field=${f} value=${value} /></div>`}
                ${isEdit && (f.type === 3 || f.type === 4 || f.type === 11) ? html`<div class="bt-cell-v bt-under"><${CellValue} field=${f} value=${value} /></div>` : ''}
                ${err && !isEdit ? html`<${CellError} message=${err} onDismiss=${() => setErrors(({ [k]: _, ...rest }) => rest)} />` : ''}
              </td>`;
            })}
          </tr>`;
        })}
        <tr class="bt-new-row">
          <td colspan=${fields.length + 1}>
            <button type="button" class="bt-new" data-testid="base-new-record" onClick=${addRecord} disabled=${!as}>
              <svg width="14" height="14" viewBox="0 0 16 16" fill="none" stroke="currentColor" stroke-width="1.6" stroke-linecap="round"><path d="M8 3v10M3 8h10" /></svg>
              New record
            </button>
          </td>
        </tr>
      </tbody>
    </table>
    ${rows.length === 0 ? html`<div class="bt-empty-rows">${table.total > 0 ? `No records match this view's filter (${table.total} in the table)` : 'No records yet'}</div>` : ''}
    ${menu
      ? html`<div class="bt-menu" style=${`left:${menu.x}px;top:${menu.y}px`} data-testid="base-row-menu" onMouseDown=${(e) => e.stopPropagation()}>
          <button type="button" onClick=${() => { setSelected({ r: menu.r, f: fields[0].field_id }); setMenu(null); startEdit(menu.r, fields[0]); }}>Edit primary field</button>
          <button type="button" class="danger" data-testid="base-row-menu-delete" onClick=${() => { setConfirm(menu.r); setMenu(null); }}>Delete record</button>
        </div>`
      : ''}
    ${confirm ? html`<${ConfirmDelete} record=${recordOf(confirm)} primary=${fields[0]} onOk=${() => removeRecord(confirm)} onClose=${() => { setConfirm(null); focusGrid(); }} />` : ''}
  </div>`;
}

/** A refusal under its cell; opens to the left of the cell's right edge when it would overflow the grid. */
function CellError({ message, onDismiss }) {
  const place = (el) => {
    if (!el || el.dataset.placed) return;
    el.dataset.placed = '1';
    const box = el.closest('.bt-grid-wrap')?.getBoundingClientRect();
    if (box && el.getBoundingClientRect().right > box.right - 4) el.classList.add('flip');
  };
  return html`<div class="bt-cell-error" data-testid="base-cell-error" role="alert" ref=${place}>
    <span>${message}</span>
    <button type="button" title="Dismiss" onMouseDown=${(e) => e.stopPropagation()} onClick=${(e) => { e.stopPropagation(); onDismiss(); }}>×</button>
  </div>`;
}

function ConfirmDelete({ record, primary, onOk, onClose }) {
  const ok = useRef();
  useEffect(() => {
    ok.current?.focus();
    const onKey = (e) => e.key === 'Escape' && onClose();
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
  const name = record ? record.fields[primary.field_name] : undefined;
  return html`<div class="modal-mask" onMouseDown=${(e) => e.target === e.currentTarget && onClose()}>
    <div class="modal" role="dialog" aria-modal="true" aria-label="Delete record" data-testid="base-confirm-delete" onKeyDown=${(e) => e.stopPropagation()}>
      <div class="modal-title">Delete this record?</div>
      <div class="modal-text">${name !== undefined && name !== null ? html`“<${CellValue} field=${primary} value=${name} />” ` : ''}will be deleted for everyone, and apps subscribed to this base get a record_deleted event.</div>
      <div class="modal-actions">
        <button type="button" class="btn" onClick=${onClose}>Cancel</button>
        <button type="button" class="btn btn-danger-filled" ref=${ok} data-testid="base-confirm-delete-ok" onClick=${onOk}>Delete</button>
      </div>
    </div>
  </div>`;
}
