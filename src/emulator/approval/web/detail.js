/**
 * One request in the approval centre: its form, the progress through its nodes, the activity
 * timeline and the comments, and what the viewer may do (approve / reject / transfer with a
 * comment, withdraw, comment). Data: `GET /__emulator/approval/instances/:code?user=`.
 */
import { html, showToast, useEffect, useJson, useRef, useState } from '@emulator/page-kit';

const STATUS = {
  PENDING: ['Pending', 'tag-orange'],
  APPROVED: ['Approved', 'tag-green'],
  REJECTED: ['Rejected', 'tag-red'],
  CANCELED: ['Withdrawn', ''],
  DELETED: ['Deleted', ''],
  REVERTED: ['Revoked', ''],
};
const TASK = { PENDING: ['Pending', 'tag-orange'], APPROVED: ['Approved', 'tag-green'], REJECTED: ['Rejected', 'tag-red'], TRANSFERRED: ['Transferred', 'tag-blue'], DONE: ['Done', ''] };
const NODE_TYPE = { AND: 'All must approve', OR: 'Any one approves', SEQUENTIAL: 'In order' };
const VERB = { START: 'submitted the request', PASS: 'approved', REJECT: 'rejected', TRANSFER: 'transferred the task', CANCEL: 'withdrew the request', CC: 'copied', DELETE: 'request deleted' };

export const when = (ms) => (ms ? new Date(ms).toLocaleString('en-GB', { day: '2-digit', month: 'short', hour: '2-digit', minute: '2-digit' }) : '');

/** The instance's status; in the Done tab, what the viewer did. */
export function StatusTag({ status, reverted, task, big }) {
  const [label, cls] = task && task.status !== 'PENDING' ? TASK[task.status] : STATUS[reverted ? 'REVERTED' : status] ?? [status, ''];
  return html`<span class=${`text-tag apv-status ${cls} ${big ? 'apv-status-big' : ''}`} data-testid="approval-status">${label}</span>`;
}

async function post(url, body) {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(json.error ?? `HTTP ${res.status}`);
  return json;
}

/** Approve / Reject / Transfer with a comment, as the client's dialog asks for it. */
function ActionDialog({ action, users, viewer, onDone, onClose }) {
  const [comment, setComment] = useState('');
  const [to, setTo] = useState('');
  const [busy, setBusy] = useState(false);
  const area = useRef();
  useEffect(() => area.current?.focus(), []);
  const title = { approve: 'Approve', reject: 'Reject', transfer: 'Transfer' }[action];
  const submit = async () => {
    if (action === 'transfer' && !to) return showToast({ type: 'warning', content: 'Pick who takes the task' });
    setBusy(true);
    try {
      await onDone(comment, to);
    } finally {
      setBusy(false);
    }
  };
  return html`<div class="apv-dialog-mask" onClick=${(e) => e.target === e.currentTarget && onClose()}>
    <div class="apv-dialog" role="dialog" aria-label=${title} data-testid="approval-dialog">
      <div class="apv-dialog-title">${title}</div>
      ${action === 'transfer' &&
      html`<label class="apv-field">
        <span>Transfer to</span>
        <select class="user-picker" value=${to} onChange=${(e) => setTo(e.currentTarget.value)} data-testid="approval-transfer-to">
          <option value="">Pick a person…</option>
          ${users.filter((u) => u.open_id !== viewer.open_id).map((u) => html`<option key=${u.open_id} value=${u.open_id}>${u.name}</option>`)}
        </select>
      </label>`}
      <label class="apv-field">
        <span>Comment${action === 'reject' ? '' : ' (optional)'}</span>
        <textarea ref=${area} rows="3" value=${comment} onInput=${(e) => setComment(e.currentTarget.value)} placeholder="Add your comment" data-testid="approval-comment"></textarea>
      </label>
      <div class="apv-dialog-actions">
        <button class="btn" onClick=${onClose}>Cancel</button>
        <button class=${`btn ${action === 'reject' ? 'btn-danger-filled' : 'btn-primary-filled'} ${busy ? 'busy' : ''}`} disabled=${busy} onClick=${submit} data-testid="approval-confirm">${title}</button>
      </div>
    </div>
  </div>`;
}

function Progress({ inst }) {
  return html`<ol class="apv-steps">
    <li class="apv-step done">
      <span class="apv-step-dot"></span>
      <div class="apv-step-body"><div class="apv-step-name">Submit</div><div class="apv-people"><span class="apv-person"><img class="avatar avatar-20" src=${inst.applicant.avatar} alt="" />${inst.applicant.name}</span></div></div>
    </li>
    ${inst.nodes.map(
      (n) => html`<li class=${`apv-step ${n.state}`} key=${n.name}>
        <span class="apv-step-dot"></span>
        <div class="apv-step-body">
          <div class="apv-step-name">${n.name} <span class="apv-step-type">${NODE_TYPE[n.type] ?? n.type}</span></div>
          <div class="apv-people">
            ${(n.tasks.length ? n.tasks : n.approvers.map((a) => ({ ...a, status: undefined }))).map(
              (t) => html`<span class="apv-person" key=${t.id ?? t.open_id}><img class="avatar avatar-20" src=${t.avatar} alt="" />${t.name}${t.status && html`<span class=${`text-tag ${TASK[t.status][1]}`}>${TASK[t.status][0]}</span>`}</span>`,
            )}
          </div>
        </div>
      </li>`,
    )}
    <li class=${`apv-step ${inst.status === 'APPROVED' ? 'done' : ''}`}><span class="apv-step-dot"></span><div class="apv-step-body"><div class="apv-step-name">End</div></div></li>
  </ol>`;
}

export function Detail({ code, viewer, users, tab, onChanged, close }) {
  const url = `/__emulator/approval/instances/${encodeURIComponent(code)}?user=${encodeURIComponent(viewer.open_id)}`;
  const { data, error, reload } = useJson(url);
  const [dialog, setDialog] = useState(undefined);
  const [comment, setComment] = useState('');
  useEffect(() => {
    // A cc'd person opening the request reads it (approval_cc READ).
    if (tab === 'cc') post(`/__emulator/approval/instances/${encodeURIComponent(code)}/read`, { as: viewer.open_id }).then(onChanged, () => {});
  }, [code, viewer.open_id, tab]);
  const inst = data?.instance;
  if (!inst) return html`<section class="apv-detail"><div class="apv-empty">${error ? `Cannot open ${code}: ${error}` : html`<span class="spinner"></span>`}</div></section>`;

  const act = async (path, body, done) => {
    try {
      await post(path, { as: viewer.open_id, ...body });
      showToast({ type: 'success', content: done });
      setDialog(undefined);
      await Promise.all([reload(), onChanged()]);
    } catch (e) {
      showToast({ type: 'error', content: e.message });
    }
  };
  const task = inst.my_task;
  const onAction = (comment, to) =>
    act(`/__emulator/approval/tasks/${task.id}/${dialog}`, { comment, ...(to ? { to } : {}) }, { approve: 'Approved', reject: 'Rejected', transfer: 'Transferred' }[dialog]);
  const sendComment = () => comment.trim() && act(`/__emulator/approval/instances/${encodeURIComponent(code)}/comments`, { text: comment }, 'Comment added').then(() => setComment(''));

  return html`<section class="apv-detail" data-testid="approval-detail" data-instance=${inst.instance_code}>
    <header class="apv-detail-head">
      <div class="apv-detail-title">
        <span>${inst.approval_name}${inst.title ? ` · ${inst.title}` : ''}</span>
        <${StatusTag} status=${inst.status} reverted=${inst.reverted} big=${true} />
        <a class="apv-close icon-btn" href=${close} title="Close" aria-label="Close">✕</a>
      </div>
      <div class="apv-detail-sub">
        <img class="avatar avatar-20" src=${inst.applicant.avatar} alt="" /> ${inst.applicant.name} · submitted ${when(inst.start_time)} · No. <span class="mono">${inst.serial_number}</span>
      </div>
    </header>
    <div class="apv-detail-body">
      <dl class="apv-form" aria-label="Form">
        ${inst.form.map((f) => html`<div class="apv-form-row" key=${f.id}><dt>${f.name}</dt><dd>${f.display}</dd></div>`)}
      </dl>
      <h4 class="apv-h">Progress</h4>
      <${Progress} inst=${inst} />
      <h4 class="apv-h">Activity</h4>
      <ul class="apv-timeline" data-testid="approval-timeline">
        ${inst.timeline.map(
          (e, i) => html`<li key=${i}>
            <img class="avatar avatar-24" src=${e.who.avatar} alt="" />
            <div>
              <div><b>${e.who.name}</b> ${VERB[e.type] ?? e.type}${e.to.length ? ` ${e.type === 'TRANSFER' ? 'to ' : ''}${e.to.join(', ')}` : ''} <span class="apv-time">${when(e.time)}</span></div>
              ${e.comment && html`<div class="apv-bubble">${e.comment}</div>`}
            </div>
          </li>`,
        )}
      </ul>
      <h4 class="apv-h">Comments <span class="apv-list-count">${inst.comments.length}</span></h4>
      <ul class="apv-timeline">
        ${inst.comments.map((c) => html`<li key=${c.id}><img class="avatar avatar-24" src=${c.who.avatar} alt="" /><div><div><b>${c.who.name}</b> <span class="apv-time">${when(c.time)}</span></div><div class="apv-bubble">${c.text}</div></div></li>`)}
      </ul>
      <div class="apv-comment-box">
        <textarea rows="2" placeholder=${`Comment as ${viewer.name}`} value=${comment} onInput=${(e) => setComment(e.currentTarget.value)} aria-label="Comment"></textarea>
        <button class="btn btn-small" disabled=${!comment.trim()} onClick=${sendComment}>Comment</button>
      </div>
    </div>
    ${(task || inst.can_cancel) &&
    html`<footer class="apv-actions">
      ${inst.can_cancel && html`<button class="btn" onClick=${() => act(`/__emulator/approval/instances/${encodeURIComponent(code)}/cancel`, {}, 'Withdrawn')} data-testid="approval-withdraw">Withdraw</button>`}
      ${task &&
      html`<button class="btn" onClick=${() => setDialog('transfer')} data-testid="approval-transfer">Transfer</button>
        <button class="btn btn-danger" onClick=${() => setDialog('reject')} data-testid="approval-reject">Reject</button>
        <button class="btn btn-primary-filled" onClick=${() => setDialog('approve')} data-testid="approval-approve">Approve</button>`}
    </footer>`}
    ${dialog && html`<${ActionDialog} action=${dialog} users=${users} viewer=${viewer} onDone=${onAction} onClose=${() => setDialog(undefined)} />`}
  </section>`;
}
