import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { clockTime } from '../lib/format.js';

const statusClass = (s) => (s == null ? 'st-none' : s < 300 ? 'st-ok' : s < 500 ? 'st-warn' : 'st-err');

function CallRow({ c }) {
  const path = c.path.replace(/^\/open-apis/, '');
  return html`<tr class=${c.fault ? 'fault' : ''} title=${`${c.method} ${c.path}${c.query ? `?${c.query}` : ''}\nlog_id ${c.log_id}${c.fault ? '\ninjected fault' : ''}`}>
    <td class="mono dim">${clockTime(c.time)}</td>
    <td><span class=${`method m-${c.method.toLowerCase()}`}>${c.method}</span></td>
    <td class="mono path">${path}</td>
    <td class=${`mono ${statusClass(c.status)}`}>${c.status}</td>
    <td class=${`mono ${c.code === 0 || c.code == null ? 'dim' : 'st-err'}`}>${c.code ?? '–'}</td>
    <td class="mono dim num">${Math.round(c.duration_ms)}</td>
  </tr>`;
}

function EventRow({ e }) {
  const state = e.delivered ? 'delivered' : e.gave_up ? 'gave up' : e.attempts ? 'retrying' : 'pending';
  return html`<tr title=${`event_id ${e.event_id}${e.error ? `\n${e.error}` : ''}`}>
    <td class="mono dim">${clockTime(e.created_at)}</td>
    <td class="mono path">${e.type || e.kind}</td>
    <td class="dim">${e.via === 'long_connection' ? 'ws' : e.via ?? ''}</td>
    <td class=${`mono ${statusClass(e.error ? 599 : e.status)}`}>${e.error ?? e.status ?? ''}</td>
    <td class=${e.delivered ? 'st-ok' : e.gave_up ? 'st-err' : 'st-warn'}>${state}${e.attempts > 1 ? ` ×${e.attempts}` : ''}</td>
  </tr>`;
}

/** The API call log (what apps called) and event deliveries (what the platform pushed), newest first. */
export function RequestLog({ calls, events, onClose, onClear }) {
  const [tab, setTab] = useState('calls');
  const [hideTokens, setHideTokens] = useState(true);
  const shownCalls = (hideTokens ? calls.filter((c) => !c.path.startsWith('/open-apis/auth/')) : calls).slice(-200).reverse();
  const shownEvents = events.slice(-200).reverse();
  return html`<aside class="log" data-testid="request-log">
    <div class="log-head">
      <div class="log-tabs" role="tablist">
        <button role="tab" aria-selected=${tab === 'calls'} class=${tab === 'calls' ? 'on' : ''} onClick=${() => setTab('calls')}>API calls <span class="count">${calls.length}</span></button>
        <button role="tab" aria-selected=${tab === 'events'} class=${tab === 'events' ? 'on' : ''} onClick=${() => setTab('events')}>Events <span class="count">${events.length}</span></button>
      </div>
      <button class="icon-btn" title="Close" onClick=${onClose}>✕</button>
    </div>
    ${tab === 'calls' &&
    html`<div class="log-tools">
      <label><input type="checkbox" checked=${hideTokens} onChange=${(e) => setHideTokens(e.currentTarget.checked)} /> hide token calls</label>
      <button class="link-btn" onClick=${onClear}>Clear</button>
    </div>`}
    <div class="log-body">
      ${tab === 'calls'
        ? html`<table class="log-table">
            <thead><tr><th>Time</th><th>Method</th><th>Path</th><th>HTTP</th><th>Code</th><th class="num">ms</th></tr></thead>
            <tbody>${shownCalls.map((c) => html`<${CallRow} key=${c.id} c=${c} />`)}</tbody>
          </table>`
        : html`<table class="log-table">
            <thead><tr><th>Time</th><th>Type</th><th>Via</th><th>Answer</th><th>State</th></tr></thead>
            <tbody>${shownEvents.map((e) => html`<${EventRow} key=${e.event_id} e=${e} />`)}</tbody>
          </table>`}
      ${(tab === 'calls' ? shownCalls : shownEvents).length === 0 && html`<div class="log-empty">Nothing yet</div>`}
    </div>
  </aside>`;
}
