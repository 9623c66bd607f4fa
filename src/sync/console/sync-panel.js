// The sync capability's console page: each job's state, a job's recent conflicts (both values),
// Verify (counts and checksums of both sides) and Run now (a mass delete only after a confirm).
import { useEffect, useState } from 'preact/hooks';
import { html, time, ago, Tag, Stat, Empty, toast } from '@console/kit';

const show = (v) => (v === undefined || v === null ? '—' : typeof v === 'object' ? JSON.stringify(v) : String(v));

function stateTag(j) {
  if (j.unavailable) return html`<${Tag} color="grey" testid="job-state">not started<//>`;
  if (j.running) return html`<${Tag} color="blue" testid="job-state">running: ${j.running.phase}<//>`;
  if (j.blocked) return html`<${Tag} color="red" testid="job-state">paused<//>`;
  if (j.lastError) return html`<${Tag} color="orange" testid="job-state">failed<//>`;
  if (!j.lastRunAt) return html`<${Tag} color="grey" testid="job-state">never run<//>`;
  return html`<${Tag} color="green" testid="job-state">in step<//>`;
}

function VerifyResult({ r }) {
  return html`<div class="card detail" data-testid="verify-result">
    <div class="toolbar"><h3 class="grow">Verify ${r.job}</h3>${r.equal ? html`<${Tag} color="green" testid="verify-equal">equal<//>` : html`<${Tag} color="red" testid="verify-equal">differ<//>`}</div>
    <div class="stats">
      <${Stat} label="Database rows" value=${r.rows.database} />
      <${Stat} label="Bitable records" value=${r.rows.bitable} />
      <${Stat} label="Only in the database" value=${r.onlyInDatabase} tone=${r.onlyInDatabase ? 'red' : ''} />
      <${Stat} label="Only in Bitable" value=${r.onlyInBitable} tone=${r.onlyInBitable ? 'red' : ''} />
      <${Stat} label="Different" value=${r.different} tone=${r.different ? 'red' : ''} testid="verify-different" />
      <${Stat} label="Duplicate keys" value=${r.duplicates} />
    </div>
    <dl class="field">
      <dt>Database checksum</dt><dd class="mono" data-testid="checksum-database">${r.checksum.database}</dd>
      <dt>Bitable checksum</dt><dd class="mono" data-testid="checksum-bitable">${r.checksum.bitable}</dd>
      ${r.sample.different.length ? html`<dt>Differing keys</dt><dd class="mono">${r.sample.different.join(', ')}</dd>` : null}
      ${r.sample.onlyInDatabase.length ? html`<dt>Only in the database</dt><dd class="mono">${r.sample.onlyInDatabase.join(', ')}</dd>` : null}
      ${r.sample.onlyInBitable.length ? html`<dt>Only in Bitable</dt><dd class="mono">${r.sample.onlyInBitable.join(', ')}</dd>` : null}
    </dl>
  </div>`;
}

function Conflicts({ job, conflicts, onClose }) {
  return html`<div class="card detail" data-testid="conflicts">
    <div class="toolbar"><h3 class="grow">Recent conflicts of ${job}</h3><button class="btn btn-text btn-small" onClick=${onClose}>Close</button></div>
    ${conflicts.length === 0
      ? html`<${Empty} title="No conflicts">A row changed on both sides between two syncs shows here with both values and which one won.<//>`
      : html`<table class="table"><thead><tr><th>When</th><th>Key</th><th>Why</th><th>Database value</th><th>Bitable value</th><th>Winner</th></tr></thead>
      <tbody>${conflicts.map((c, i) => html`<tr key=${i} data-testid="conflict-row"><td class="nowrap">${time(c.at)}</td><td class="mono">${c.key}</td><td>${c.reason}</td><td class="mono" style="font-size:12px">${show(c.database)}</td><td class="mono" style="font-size:12px">${show(c.bitable)}</td><td>${c.winner}</td></tr>`)}</tbody></table>`}
  </div>`;
}

export default function SyncPanel({ data, query, setQuery, reload, act }) {
  const [busy, setBusy] = useState(false);
  const [verified, setVerified] = useState(null);
  const [massDelete, setMassDelete] = useState(null);
  const [confirm, setConfirm] = useState('');
  useEffect(() => {
    const t = setInterval(() => void reload(), 3000);
    return () => clearInterval(t);
  }, [reload]);
  if (!data) return null;
  const run = async (name, body, done) => {
    setBusy(true);
    try {
      done(await act(name, body));
    } catch (err) {
      toast(err.message, 'error');
    } finally {
      setBusy(false);
    }
  };
  const verify = (job) => run('verify', { job }, (r) => { setVerified(r); toast(r.equal ? `${job}: both sides are equal` : `${job}: the sides differ`, r.equal ? 'ok' : 'error'); });
  const runNow = (job, allowMassDelete) => run('run', allowMassDelete ? { job, allowMassDelete: true, confirm } : { job }, (r) => {
    toast(`${job}: run done in ${r.durationMs} ms (${r.rows.database} rows, ${r.rows.bitable} records${r.conflicts ? `, ${r.conflicts} conflicts` : ''})`);
    setMassDelete(null);
  });

  if (data.jobs.length === 0) return html`<div class="card" data-testid="sync-panel"><${Empty} title="No sync jobs">Add <span class="mono">sync.jobs</span> to feishu-hub.yaml to keep a Bitable table and a database table equal.<//></div>`;
  return html`<div data-testid="sync-panel">
    <table class="table" data-testid="sync-jobs">
      <thead><tr><th>Job</th><th>State</th><th>Rows</th><th>Last run</th><th>Changes waiting</th><th>Applied → DB / → Bitable</th><th>Conflicts</th><th></th></tr></thead>
      <tbody>${data.jobs.map((j) => html`<tr key=${j.job} data-testid="sync-job" data-job=${j.job} class=${data.job === j.job ? 'selected' : ''}>
        <td><div><b>${j.job}</b></div><div class="muted" style="font-size:12px">${j.direction ?? ''} ${j.database ? html`<span class="mono">${j.database}</span>` : null}</div>
          ${j.blocked ? html`<div class="err" data-testid="job-blocked">${j.blocked}</div>` : j.lastError ? html`<div class="err" data-testid="job-error">${j.lastError}</div>` : j.unavailable ? html`<div class="muted">${j.unavailable}</div>` : null}</td>
        <td>${stateTag(j)}</td>
        <td data-testid="job-rows">${show(j.rows)}</td>
        <td class="nowrap">${j.lastRunAt ? html`<span title=${new Date(j.lastRunAt).toISOString()}>${ago(j.lastRunAt)}</span>` : '—'}</td>
        <td>${j.pending ? j.pending.databaseChanges : '—'}</td>
        <td>${j.applied ? `${j.applied.toDatabase} / ${j.applied.toBitable}` : '—'}</td>
        <td><a href="#" onClick=${(e) => { e.preventDefault(); setQuery({ ...query, job: j.job }); }} data-testid="job-conflicts">${show(j.conflicts)}</a></td>
        <td class="nowrap">
          <button class="btn btn-small" disabled=${busy || j.unavailable} onClick=${() => verify(j.job)} data-testid="job-verify">Verify</button>
          <button class="btn btn-primary btn-small" disabled=${busy || j.unavailable || j.running} onClick=${() => runNow(j.job, false)} data-testid="job-run">Run now</button>
          <button class="btn btn-danger btn-small" disabled=${busy || j.unavailable} onClick=${() => { setMassDelete(j.job); setConfirm(''); }} title="Run now, allowing it to delete most of one side (asks you to confirm)">Allow deletes…</button>
        </td>
      </tr>`)}</tbody>
    </table>
    ${massDelete ? html`<div class="card detail toolbar" data-testid="mass-delete-form">
      <span>Run <b>${massDelete}</b> allowing it to delete most of one side. Type the job's name to confirm:</span>
      <input class="input" value=${confirm} onInput=${(e) => setConfirm(e.currentTarget.value)} data-testid="mass-delete-confirm" />
      <button class="btn btn-danger btn-small" disabled=${busy || confirm !== massDelete} onClick=${() => runNow(massDelete, true)}>Run allowing the delete</button>
      <button class="btn btn-text btn-small" onClick=${() => setMassDelete(null)}>Cancel</button>
    </div>` : null}
    ${verified ? html`<${VerifyResult} r=${verified} />` : null}
    ${data.job ? html`<${Conflicts} job=${data.job} conflicts=${data.conflicts} onClose=${() => setQuery({ ...query, job: undefined })} />` : null}
  </div>`;
}
