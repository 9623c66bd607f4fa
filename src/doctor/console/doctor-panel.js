// The doctor's console page: `feishu-hub doctor`'s checks, run by the hub on demand.
import { useEffect, useState } from 'preact/hooks';
import { html, time, ago, Tag, Stat, Empty, toast } from '@console/kit';

const STATUS = { ok: 'green', warn: 'orange', fail: 'red', skip: 'grey' };

export default function DoctorPanel({ data, act }) {
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    try {
      const r = await act('run', {});
      toast(r.ok ? 'every check passed' : `${r.failed.length} check${r.failed.length === 1 ? '' : 's'} failed`, r.ok ? 'ok' : 'error');
    } catch (err) {
      toast(err.message, 'error');
    } finally {
      setBusy(false);
    }
  };
  const report = data?.report;
  const count = (s) => (report ? report.checks.filter((c) => c.status === s).length : 0);
  return html`<div data-testid="doctor-panel">
    <div class="toolbar">
      <span class="grow muted">${data ? html`Last run ${time(data.at)} (${ago(data.at)}) by ${data.by}` : 'The checks of feishu-hub doctor, run by this hub with its own configuration.'}</span>
      <button class="btn btn-primary btn-small" disabled=${busy} onClick=${run} data-testid="doctor-run">${busy ? 'Checking…' : data ? 'Run again' : 'Run the checks'}</button>
    </div>
    ${!report
      ? html`<div class="card"><${Empty} title="Not run yet">Checks the configuration, Feishu's reachability and the app credentials, the clock, the scopes, the event and card URLs, the database and Redis.<//></div>`
      : html`<div class="stats">
          <${Stat} label="Result" value=${report.ok ? 'healthy' : 'needs fixing'} tone=${report.ok ? '' : 'red'} testid="doctor-result" />
          <${Stat} label="Passed" value=${count('ok')} />
          <${Stat} label="Warnings" value=${count('warn')} tone=${count('warn') ? 'orange' : ''} />
          <${Stat} label="Failed" value=${count('fail')} tone=${count('fail') ? 'red' : ''} />
        </div>
        <table class="table" data-testid="doctor-checks"><thead><tr><th>Check</th><th>Status</th><th>Found</th><th>What to do</th></tr></thead>
        <tbody>${report.checks.map((c) => html`<tr key=${c.id} data-testid="doctor-check" data-check=${c.id}><td>${c.title}<div class="muted mono" style="font-size:11px">${c.id}</div></td><td><${Tag} color=${STATUS[c.status] ?? 'grey'}>${c.status}<//></td><td style="max-width:420px">${c.detail}</td><td style="max-width:360px">${c.fix ?? html`<span class="muted">—</span>`}</td></tr>`)}</tbody></table>`}
  </div>`;
}
