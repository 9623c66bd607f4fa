import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { clockTime } from '../lib/format.js';

const statusClass = (s) => (s == null ? 'st-none' : s < 300 ? 'st-ok' : s < 500 ? 'st-warn' : 'st-err');

/** Long ids make paths unreadable in a narrow column: keep their prefix and first characters. */
const compact = (path) => path.replace(/^\/open-apis/, '').replace(/\b((?:om|oc|ou|on|omt|img_v2|file_v2)_[0-9a-zA-Z]{4})[0-9a-zA-Z-]{6,}/g, '$1…');

function CallRow({ c }) {
  const title = `${c.method} ${c.path}${c.query ? `?${c.query}` : ''}\nlog_id ${c.log_id}${c.fault ? '\ninjected fault' : ''}`;
  return html`<li class=${`log-row ${c.fault ? 'fault' : ''}`} title=${title} data-path=${c.path}>
    <span class=${`method m-${c.method.toLowerCase()}`}>${c.method}</span>
    <span class="mono path">${compact(c.path)}</span>
    <span class="mono result"><span class=${statusClass(c.status)}>${c.status}</span>${' · '}<span class=${c.code === 0 || c.code == null ? 'dim' : 'st-err'}>code ${c.code ?? '–'}</span></span>
    <span></span>
    <span class="mono dim small">${clockTime(c.time)}${c.fault ? ' · injected fault' : ''}</span>
    <span class="mono dim small">${Math.round(c.duration_ms)} ms</span>
  </li>`;
}

function EventRow({ e }) {
  const state = e.delivered ? 'delivered' : e.gave_up ? 'gave up' : e.attempts ? 'retrying' : 'pending';
  const answer = e.error ?? (e.status != null ? `HTTP ${e.status}` : '');
  return html`<li class="log-row" title=${`event_id ${e.event_id}${e.error ? `\n${e.error}` : ''}`}>
    <span class=${`method ${e.kind === 'card_action' ? 'm-card' : 'm-event'}`}>${e.kind === 'card_action' ? 'CARD' : e.kind === 'url_verification' ? 'URL' : 'EVENT'}</span>
    <span class="mono path">${e.type || e.kind}</span>
    <span class=${`result ${e.delivered ? 'st-ok' : e.gave_up ? 'st-err' : 'st-warn'}`}>${state}${e.attempts > 1 ? ` ×${e.attempts}` : ''}</span>
    <span></span>
    <span class="mono dim small">${clockTime(e.created_at)} · ${e.via === 'long_connection' ? 'long connection' : e.via ?? ''}</span>
    <span class=${`mono small ${statusClass(e.error ? 599 : e.status)}`}>${answer}</span>
  </li>`;
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
      <ul class="log-list">
        ${tab === 'calls' ? shownCalls.map((c) => html`<${CallRow} key=${c.id} c=${c} />`) : shownEvents.map((e) => html`<${EventRow} key=${e.event_id} e=${e} />`)}
      </ul>
      ${(tab === 'calls' ? shownCalls : shownEvents).length === 0 && html`<div class="log-empty">Nothing yet</div>`}
    </div>
  </aside>`;
}
