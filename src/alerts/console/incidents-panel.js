// The alerts capability's console page: open and recent incidents (severity, status, who
// acknowledged), one incident's timeline, acknowledge / resolve as the console user.
import { useEffect, useState } from 'preact/hooks';
import { html, time, ago, Tag, Stat, Empty, toast } from '@console/kit';

const SEVERITY = { critical: 'red', high: 'red', warning: 'orange', medium: 'orange', info: 'blue', low: 'blue' };
const STATUS = { triggered: 'red', acknowledged: 'orange', resolved: 'green' };
const sevTag = (s) => html`<${Tag} color=${SEVERITY[s] ?? 'grey'} testid="incident-severity">${s}<//>`;
const statusTag = (s) => html`<${Tag} color=${STATUS[s] ?? 'grey'} testid="incident-status">${s}<//>`;
const ackers = (i) => (i.ackedBy.length ? i.ackedBy.map((a) => a.name).join(', ') : '—');

function Detail({ incident, busy, onAct, onClose }) {
  return html`<div class="card detail" data-testid="incident-detail">
    <div class="toolbar"><h3 class="grow">#${incident.id} ${incident.title}</h3>
      <button class="btn btn-primary btn-small" disabled=${busy || incident.status !== 'triggered'} onClick=${() => onAct('ack', incident.id)} data-testid="incident-ack">Acknowledge</button>
      <button class="btn btn-small" disabled=${busy || incident.status === 'resolved'} onClick=${() => onAct('resolve', incident.id)} data-testid="incident-resolve">Resolve</button>
      <button class="btn btn-text btn-small" onClick=${onClose}>Close</button>
    </div>
    <dl class="field">
      <dt>Severity</dt><dd>${sevTag(incident.severity)}</dd>
      <dt>Status</dt><dd>${statusTag(incident.status)}</dd>
      <dt>Acknowledged by</dt><dd data-testid="incident-ackers">${ackers(incident)}</dd>
      ${incident.resolvedBy ? html`<dt>Resolved by</dt><dd>${incident.resolvedBy.name}</dd>` : null}
      <dt>Source</dt><dd>${incident.source}${incident.externalUrl ? html` · <a href=${incident.externalUrl} target="_blank" rel="noreferrer">open in the source</a>` : null}</dd>
      <dt>Opened</dt><dd>${time(incident.openedAt)} (${ago(incident.openedAt)})</dd>
      <dt>Alerts</dt><dd>${incident.firing} firing, ${incident.resolvedAlerts ?? 0} resolved${incident.flapping ? ' · flapping' : ''}</dd>
      <dt>Labels</dt><dd class="mono" style="font-size:12px">${Object.entries(incident.labels ?? {}).map(([k, v]) => `${k}=${v}`).join('  ')}</dd>
    </dl>
    <div class="stat-label" style="margin-top:12px">Timeline</div>
    <table class="table" data-testid="incident-timeline"><tbody>${incident.timeline.map((e, i) => html`<tr key=${i} data-testid="timeline-entry"><td class="nowrap">${time(e.at)}</td><td><${Tag} color="grey">${e.kind}<//></td><td>${e.text}</td></tr>`)}</tbody></table>
  </div>`;
}

export default function IncidentsPanel({ data, query, setQuery, reload, act }) {
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    const t = setInterval(() => void reload(), 3000);
    return () => clearInterval(t);
  }, [reload]);
  if (!data) return null;
  if (!data.configured) return html`<div class="card"><${Empty} title="Alerts are not set up">Add an <span class="mono">alerts</span> section to feishu-hub.yaml.<//></div>`;
  const view = query.view === 'recent' ? 'recent' : 'open';
  const items = view === 'open' ? data.open : data.recent;
  const onAct = async (name, id) => {
    setBusy(true);
    try {
      const r = await act(name, { id });
      toast(r.message);
    } catch (err) {
      toast(err.message, 'error');
    } finally {
      setBusy(false);
    }
  };
  const tab = (v, label, n) => html`<button class=${`tab ${view === v ? 'active' : ''}`} onClick=${() => setQuery({ ...query, view: v })} data-testid=${`tab-${v}`}>${label}${n !== undefined ? ` (${n})` : ''}</button>`;
  const triggered = data.open.filter((i) => i.status === 'triggered').length;
  return html`<div data-testid="incidents-panel">
    <div class="stats">
      <${Stat} label="Open" value=${data.open.length} tone=${data.open.length ? 'orange' : ''} testid="stat-open" />
      <${Stat} label="Not acknowledged" value=${triggered} tone=${triggered ? 'red' : ''} testid="stat-triggered" />
      <${Stat} label="Recent" value=${data.recent.length} />
    </div>
    <div class="toolbar"><div class="tabs">${tab('open', 'Open', data.open.length)}${tab('recent', 'Recent')}</div></div>
    ${items.length === 0
      ? html`<div class="card"><${Empty} title=${view === 'open' ? 'No open incidents' : 'No incidents yet'}>Alerts posted to /alerts/alertmanager, /alerts/grafana or /alerts/generic open incidents here.<//></div>`
      : html`<table class="table" data-testid="incidents-table">
      <thead><tr><th>#</th><th>Opened</th><th>Title</th><th>Severity</th><th>Status</th><th>Acknowledged by</th><th>Alerts</th></tr></thead>
      <tbody>${items.map((i) => html`<tr key=${i.id} class=${`clickable ${data.incident?.id === i.id ? 'selected' : ''}`} data-testid="incident-row" data-incident-id=${i.id} onClick=${() => setQuery({ ...query, incident: i.id })}>
        <td class="mono">${i.id}</td><td class="nowrap">${time(i.openedAt)}</td><td>${i.title}</td><td>${sevTag(i.severity)}</td><td>${statusTag(i.status)}</td><td>${ackers(i)}</td><td>${i.firing} firing</td>
      </tr>`)}</tbody></table>`}
    ${data.incident ? html`<${Detail} incident=${data.incident} busy=${busy} onAct=${onAct} onClose=${() => setQuery({ ...query, incident: undefined })} />` : null}
  </div>`;
}
