// The approval capability's console page: the rules, the outbox's recent runs with their state
// and last error, Retry for failed runs.
import { useEffect, useState } from 'preact/hooks';
import { html, time, ago, Tag, Stat, Empty, toast } from '@console/kit';

const STATE = { pending: 'blue', running: 'orange', done: 'green', failed: 'red' };

export default function ApprovalsPanel({ data, query, setQuery, reload, act }) {
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const t = setInterval(() => void reload(), 3000);
    return () => clearInterval(t);
  }, [reload]);
  if (!data) return null;
  const retry = async (ids) => {
    setBusy(true);
    try {
      const r = await act('retry', { ids });
      toast(`${r.retried.length} run${r.retried.length === 1 ? '' : 's'} queued again${r.skipped.length ? `; ${r.skipped.length} skipped` : ''}`);
    } catch (err) {
      toast(err.message, 'error');
    } finally {
      setBusy(false);
    }
  };
  const tab = (v, label) => html`<button class=${`tab ${(data.state ?? '') === v ? 'active' : ''}`} onClick=${() => setQuery({ ...query, state: v || undefined })} data-testid=${`tab-${v || 'all'}`}>${label}</button>`;
  return html`<div data-testid="approvals-panel">
    <div class="stats">
      <${Stat} label="Rules" value=${data.rules.length} />
      <${Stat} label="Failed runs" value=${data.failed} tone=${data.failed ? 'red' : ''} testid="stat-failed-runs" />
    </div>
    <div class="stat-label">Rules</div>
    ${data.rules.length === 0
      ? html`<div class="card"><${Empty} title="No rules">Add <span class="mono">approvals.rules</span> to feishu-hub.yaml: an approval code and status, and the action to run.<//></div>`
      : html`<table class="table" data-testid="approval-rules"><thead><tr><th>Rule</th><th>Approval code</th><th>When</th><th>Action</th><th>Target</th></tr></thead>
      <tbody>${data.rules.map((r) => html`<tr key=${r.name} data-testid="approval-rule"><td><b>${r.name}</b></td><td class="mono" style="font-size:12px">${r.code}</td><td>${r.status}</td><td>${r.action}</td><td class="mono" style="font-size:12px">${r.target}</td></tr>`)}</tbody></table>`}
    <div class="toolbar" style="margin-top:16px"><div class="tabs">${tab('', 'Recent runs')}${tab('failed', `Failed (${data.failed})`)}${tab('pending', 'Pending')}${tab('done', 'Done')}</div></div>
    ${data.runs.length === 0
      ? html`<div class="card"><${Empty} title="No runs">Each rule's action runs once per instance reaching its status; the runs show here.<//></div>`
      : html`<table class="table" data-testid="approval-runs"><thead><tr><th>Created</th><th>Instance</th><th>Rule</th><th>State</th><th>Tries</th><th>HTTP</th><th>Last error</th><th></th></tr></thead>
      <tbody>${data.runs.map((r) => html`<tr key=${r.id} data-testid="approval-run" data-run-id=${r.id}>
        <td class="nowrap" title=${new Date(r.createdAt).toISOString()}>${time(r.createdAt)}</td>
        <td class="mono" style="font-size:12px">${r.instanceCode}<div class="muted">${r.status}</div></td>
        <td>${r.rule}<div class="muted" style="font-size:12px">${r.action}</div></td>
        <td><${Tag} color=${STATE[r.state] ?? 'grey'} testid="run-state">${r.state}<//>${r.state === 'pending' && r.attempts ? html`<div class="muted" style="font-size:12px">next ${ago(r.nextAttemptAt)}</div>` : null}</td>
        <td>${r.attempts}</td>
        <td>${r.lastStatus ?? '—'}</td>
        <td style="max-width:380px">${r.lastError ? html`<div class="err" data-testid="run-error">${r.lastError}</div>` : html`<span class="muted">—</span>`}</td>
        <td>${r.state === 'failed' ? html`<button class="btn btn-primary btn-small" disabled=${busy} onClick=${() => retry([r.id])} data-testid="run-retry">Retry</button>` : null}</td>
      </tr>`)}</tbody></table>`}
  </div>`;
}
