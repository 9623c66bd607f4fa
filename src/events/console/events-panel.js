// The events capability's console page: the inbox's recent, failed and dead-lettered events,
// an event's envelope (secrets blanked), replay one or many, discard with a reason.
import { useEffect, useState } from 'preact/hooks';
import { html, time, ago, Tag, Stat, Empty, toast } from '@console/kit';

const STATUS = { pending: 'blue', processing: 'orange', done: 'green', dead: 'red' };
const statusTag = (e) => {
  if (e.status === 'done' && e.error.startsWith('discarded:')) return html`<${Tag} color="grey" testid="event-status">discarded<//>`;
  if (e.status === 'pending' && e.error) return html`<${Tag} color="orange" testid="event-status">retrying<//>`;
  return html`<${Tag} color=${STATUS[e.status] ?? 'grey'} testid="event-status">${e.status}<//>`;
};

function Detail({ event, maxAttempts, onReplay, onDiscard, onClose }) {
  return html`<div class="card detail" data-testid="event-detail">
    <div class="toolbar"><h3 class="grow">${event.type}</h3>
      <button class="btn btn-primary btn-small" disabled=${!['dead', 'done'].includes(event.status)} onClick=${() => onReplay([event.id])} data-testid="detail-replay">Replay</button>
      <button class="btn btn-danger btn-small" disabled=${!(event.status === 'dead' || (event.status === 'pending' && event.error))} onClick=${() => onDiscard([event.id])}>Discard…</button>
      <button class="btn btn-text btn-small" onClick=${onClose}>Close</button>
    </div>
    <dl class="field">
      <dt>Event ID</dt><dd class="mono">${event.id}</dd>
      <dt>Status</dt><dd>${statusTag(event)}</dd>
      <dt>Attempts</dt><dd>${event.attempts} of ${maxAttempts}</dd>
      <dt>Received</dt><dd>${time(event.receivedAt)} (${ago(event.receivedAt)}) via ${event.source}</dd>
      ${event.status === 'pending' ? html`<dt>Next attempt</dt><dd>${ago(event.nextAttemptAt)}</dd>` : null}
    </dl>
    ${event.lastError ? html`<div class="stat-label">Last error</div><pre class="pre err" data-testid="detail-error">${event.lastError}</pre>` : null}
    <div class="stat-label" style="margin-top:12px">Envelope (secrets blanked)</div>
    <pre class="pre" data-testid="event-payload">${JSON.stringify(event.payload, null, 2)}</pre>
  </div>`;
}

export default function EventsPanel({ data, query, setQuery, reload, act }) {
  const [selected, setSelected] = useState(new Set());
  const [discarding, setDiscarding] = useState(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);

  // The inbox moves on its own (workers, retries): refresh every 2 s.
  useEffect(() => {
    const t = setInterval(() => void reload(), 2000);
    return () => clearInterval(t);
  }, [reload]);
  useEffect(() => setSelected(new Set()), [data?.view]);

  if (!data) return null;
  const { stats, items, view, maxAttempts, event } = data;
  const go = (next) => setQuery({ ...query, ...next });
  const toggle = (id) => {
    const s = new Set(selected);
    s.has(id) ? s.delete(id) : s.add(id);
    setSelected(s);
  };
  const run = async (name, body, done) => {
    setBusy(true);
    try {
      const r = await act(name, body);
      done(r);
      setSelected(new Set());
    } catch (err) {
      toast(err.message, 'error');
    } finally {
      setBusy(false);
    }
  };
  const replay = (ids) => run('replay', { ids }, (r) => toast(`${r.replayed.length} event${r.replayed.length === 1 ? '' : 's'} queued again${r.skipped.length ? `; ${r.skipped.length} skipped` : ''}`));
  const discard = (ids) => {
    setDiscarding(ids);
    setReason('');
  };
  const confirmDiscard = () => run('discard', { ids: discarding, reason }, (r) => {
    toast(`${r.discarded.length} event${r.discarded.length === 1 ? '' : 's'} discarded`);
    setDiscarding(null);
  });
  const chosen = [...selected];
  const tab = (v, label, n) => html`<button class=${`tab ${view === v ? 'active' : ''}`} onClick=${() => go({ view: v, event: undefined })} data-testid=${`tab-${v}`}>${label}${n !== undefined ? ` (${n})` : ''}</button>`;

  return html`<div data-testid="events-panel">
    <div class="stats">
      <${Stat} label="Pending" value=${stats.pending} testid="stat-pending" />
      <${Stat} label="Handling" value=${stats.processing} />
      <${Stat} label="Retrying after a failure" value=${stats.failed} tone=${stats.failed ? 'orange' : ''} testid="stat-failed" />
      <${Stat} label="Dead letters" value=${stats.dead} tone=${stats.dead ? 'red' : ''} testid="stat-dead" />
      <${Stat} label="Done (kept 8 h)" value=${stats.done} testid="stat-done" />
    </div>
    <div class="toolbar">
      <div class="tabs">${tab('recent', 'Recent')}${tab('failed', 'Failed', stats.failed)}${tab('dead', 'Dead letters', stats.dead)}</div>
      <span class="grow"></span>
      <button class="btn btn-primary btn-small" disabled=${busy || chosen.length === 0} onClick=${() => replay(chosen)} data-testid="replay-selected">Replay selected${chosen.length ? ` (${chosen.length})` : ''}</button>
      <button class="btn btn-danger btn-small" disabled=${busy || chosen.length === 0} onClick=${() => discard(chosen)} data-testid="discard-selected">Discard selected…</button>
    </div>
    ${discarding ? html`<div class="card detail toolbar" data-testid="discard-form">
      <span>Discard ${discarding.length} event${discarding.length === 1 ? '' : 's'}: they will not be handled again. Why?</span>
      <input class="input grow" placeholder="e.g. test traffic, handled by hand" value=${reason} onInput=${(e) => setReason(e.currentTarget.value)} data-testid="discard-reason" />
      <button class="btn btn-danger btn-small" disabled=${busy || reason.trim().length < 3} onClick=${confirmDiscard} data-testid="discard-confirm">Discard</button>
      <button class="btn btn-text btn-small" onClick=${() => setDiscarding(null)}>Cancel</button>
    </div>` : null}
    ${items.length === 0
      ? html`<div class="card"><${Empty} title=${view === 'dead' ? 'No dead letters' : view === 'failed' ? 'Nothing is failing' : 'No events yet'}>${view === 'recent' ? 'Events Feishu pushes to the hub show here.' : 'Events whose listeners failed show here with their error.'}<//></div>`
      : html`<table class="table" data-testid="events-table">
      <thead><tr><th></th><th>Received</th><th>Type</th><th>Event ID</th><th>Status</th><th>Attempts</th><th>Last error</th></tr></thead>
      <tbody>${items.map((e) => html`<tr key=${e.id} class=${`clickable ${event?.id === e.id ? 'selected' : ''}`} data-testid="event-row" data-event-id=${e.id} onClick=${() => go({ event: e.id })}>
        <td onClick=${(ev) => ev.stopPropagation()}><input type="checkbox" checked=${selected.has(e.id)} onChange=${() => toggle(e.id)} aria-label=${`select ${e.id}`} /></td>
        <td class="nowrap" title=${new Date(e.receivedAt).toISOString()}>${time(e.receivedAt)}</td>
        <td>${e.type}</td>
        <td class="mono" style="font-size:12px">${e.id}</td>
        <td>${statusTag(e)}</td>
        <td class="nowrap">${e.attempts} / ${maxAttempts}</td>
        <td style="max-width:420px">${e.error ? html`<div class="err" data-testid="event-error">${e.error}</div>` : html`<span class="muted">—</span>`}${e.notes.map((n) => html`<div class="muted" style="font-size:12px">note: ${n}</div>`)}</td>
      </tr>`)}</tbody>
    </table>`}
    ${event ? html`<${Detail} event=${event} maxAttempts=${maxAttempts} onReplay=${replay} onDiscard=${discard} onClose=${() => go({ event: undefined })} />` : null}
  </div>`;
}
