/**
 * The Directory page's dialogs: add or edit a person (rename, move, email, title), add or edit a
 * department (rename, move), remove either. Each calls a directory control route, which pushes the
 * contact events; a refusal shows the platform's code and message.
 */
import { html, showToast, useEffect, useMemo, useRef, useState } from '@emulator/page-kit';

export const ROOT = '0';

/** A control-route call; a refusal becomes an Error with the platform's message when there is one. */
async function send(method, url, body) {
  const res = await fetch(url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json.code ? `${json.error ?? json.msg} (${json.code} ${json.msg})` : json.error ?? (json.issues ?? []).join('; ') ?? `HTTP ${res.status}`);
  return json;
}

export const displayName = (u) => u.en_name || u.name;
/** "Engineering / SRE": a department's path for pickers. */
const pathName = (org, id) => (id === ROOT ? 'Organization (top level)' : org.pathOf(id).map((p) => p.name).join(' / ') || id);

/** The page's dialogs: a title, fields, Cancel and a primary action (Enter submits, Escape cancels). */
function Dialog({ title, testid, action, danger, busy, onSubmit, onClose, children }) {
  const box = useRef();
  useEffect(() => {
    box.current?.querySelector('input, select')?.focus();
    const onKey = (e) => e.key === 'Escape' && onClose();
    addEventListener('keydown', onKey);
    return () => removeEventListener('keydown', onKey);
  }, []);
  return html`<div class="modal-mask" onClick=${(e) => e.target === e.currentTarget && onClose()}>
    <form
      class="modal dir-dialog"
      role="dialog"
      aria-modal="true"
      aria-label=${title}
      data-testid=${testid}
      ref=${box}
      onSubmit=${(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <div class="modal-title">${title}</div>
      <div class="dir-fields">${children}</div>
      <div class="modal-actions">
        <button type="button" class="btn btn-default" onClick=${onClose}>Cancel</button>
        <button type="submit" class=${`btn ${danger ? 'btn-danger-filled' : 'btn-primary-filled'}`} disabled=${busy} data-testid="directory-dialog-submit">${action}</button>
      </div>
    </form>
  </div>`;
}

function Field({ label, children }) {
  return html`<label class="dir-field"><span class="dir-field-label">${label}</span>${children}</label>`;
}

function DepartmentSelect({ org, value, onChange, exclude, name }) {
  const options = [ROOT, ...org.all.filter((d) => !exclude?.has(d.department_id)).map((d) => d.department_id)];
  return html`<select class="text-input dir-select" name=${name} value=${value} onChange=${(e) => onChange(e.currentTarget.value)}>
    ${options.map((id) => html`<option key=${id} value=${id}>${pathName(org, id)}</option>`)}
  </select>`;
}

/** Runs a change, toasts its outcome, reloads the page's data. */
function useChange(reload) {
  const [busy, setBusy] = useState(false);
  const run = async (fn, done) => {
    setBusy(true);
    try {
      const res = await fn();
      showToast({ type: 'success', content: done(res) });
      await reload();
      return res;
    } catch (e) {
      showToast({ type: 'error', content: e instanceof Error ? e.message : String(e) });
      return undefined;
    } finally {
      setBusy(false);
    }
  };
  return [busy, run];
}

/** Add a person, or edit one (rename, move to another department, email, title). */
export function PersonDialog({ org, person, defaultDept, reload, onClose, onSaved }) {
  const [f, setF] = useState(() => ({
    name: person?.name ?? '',
    en_name: person?.en_name ?? '',
    email: person?.email ?? '',
    job_title: person?.job_title ?? '',
    department: person?.departments[0]?.department_id ?? defaultDept ?? ROOT,
  }));
  const [busy, run] = useChange(reload);
  const set = (k) => (e) => setF({ ...f, [k]: e.currentTarget.value });
  const submit = async () => {
    if (!f.name.trim()) return showToast({ type: 'warning', content: 'A person needs a name' });
    if (!person) {
      const body = { name: f.name.trim(), department_ids: [f.department] };
      for (const k of ['en_name', 'email', 'job_title']) if (f[k].trim()) body[k] = f[k].trim();
      const res = await run(() => send('POST', '/__emulator/directory/users', body), (r) => `Added ${displayName(r.user)}`);
      if (res) onSaved(res.user);
      return;
    }
    const body = {};
    for (const k of ['name', 'en_name', 'email', 'job_title']) if (f[k].trim() !== (person[k] ?? '')) body[k] = f[k].trim();
    const was = person.departments.map((d) => d.department_id);
    if (f.department !== was[0]) body.department_ids = [...new Set([f.department, ...was.slice(1)])];
    if (Object.keys(body).length === 0) return onClose();
    const res = await run(() => send('PATCH', `/__emulator/directory/users/${encodeURIComponent(person.open_id)}`, body), (r) => `Saved ${displayName(r.user)}`);
    if (res) onSaved(res.user);
  };
  return html`<${Dialog} title=${person ? `Edit ${displayName(person)}` : 'Add a person'} testid="directory-person-dialog" action=${person ? 'Save' : 'Add'} busy=${busy} onSubmit=${submit} onClose=${onClose}>
    <${Field} label="Name"><input class="text-input" name="name" value=${f.name} onInput=${set('name')} placeholder="张三" /><//>
    <${Field} label="English name"><input class="text-input" name="en_name" value=${f.en_name} onInput=${set('en_name')} placeholder="San Zhang" /><//>
    <${Field} label="Email"><input class="text-input" name="email" type="email" value=${f.email} onInput=${set('email')} placeholder="san.zhang@example.com" /><//>
    <${Field} label="Job title"><input class="text-input" name="job_title" value=${f.job_title} onInput=${set('job_title')} /><//>
    <${Field} label="Department"><${DepartmentSelect} org=${org} name="department" value=${f.department} onChange=${(v) => setF({ ...f, department: v })} /><//>
    ${person?.departments.length > 1 && html`<div class="dir-field-note">Also in ${person.departments.slice(1).map((d) => pathName(org, d.department_id)).join(', ')}</div>`}
  <//>`;
}

/** Add a department, or rename / move one. */
export function DepartmentDialog({ org, dept, defaultParent, reload, onClose, onSaved }) {
  const [name, setName] = useState(dept?.name ?? '');
  const [parent, setParent] = useState(dept?.parent_department_id ?? defaultParent ?? ROOT);
  const [busy, run] = useChange(reload);
  const exclude = useMemo(() => (dept ? new Set([dept.department_id, ...org.subtree(dept.department_id)]) : undefined), [dept, org]);
  const submit = async () => {
    if (!name.trim()) return showToast({ type: 'warning', content: 'A department needs a name' });
    if (!dept) {
      const res = await run(() => send('POST', '/__emulator/directory/departments', { name: name.trim(), parent_department_id: parent }), (r) => `Added ${r.department.name}`);
      if (res) onSaved(res.department);
      return;
    }
    const body = {};
    if (name.trim() !== dept.name) body.name = name.trim();
    if (parent !== dept.parent_department_id) body.parent_department_id = parent;
    if (Object.keys(body).length === 0) return onClose();
    const res = await run(() => send('PATCH', `/__emulator/directory/departments/${encodeURIComponent(dept.department_id)}`, body), (r) => `Saved ${r.department.name}`);
    if (res) onSaved(res.department);
  };
  return html`<${Dialog} title=${dept ? `Edit ${dept.name}` : 'Add a department'} testid="directory-department-dialog" action=${dept ? 'Save' : 'Add'} busy=${busy} onSubmit=${submit} onClose=${onClose}>
    <${Field} label="Name"><input class="text-input" name="name" value=${name} onInput=${(e) => setName(e.currentTarget.value)} /><//>
    <${Field} label="Parent department"><${DepartmentSelect} org=${org} name="parent" value=${parent} onChange=${setParent} exclude=${exclude} /><//>
  <//>`;
}

/** Removing someone or a department: said plainly, confirmed. */
export function RemoveDialog({ title, text, url, done, reload, onClose, onRemoved }) {
  const [busy, run] = useChange(reload);
  const submit = async () => {
    const res = await run(() => send('DELETE', url), () => done);
    if (res) onRemoved();
  };
  return html`<${Dialog} title=${title} testid="directory-remove-dialog" action="Remove" danger=${true} busy=${busy} onSubmit=${submit} onClose=${onClose}>
    <div class="modal-text">${text}</div>
  <//>`;
}

