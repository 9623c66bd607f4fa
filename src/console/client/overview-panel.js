// The console's Overview: the success metrics of the hub with their targets (green / red), the inbox,
// API calls by API, and per-minute charts of the last hour (uPlot). The figures are this process's
// since it started, the same counters /metrics exposes.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import { html, Stat, Tag, Empty } from '@console/kit';

const pct = (r) => (r === null || r === undefined ? '—' : `${(r * 100).toFixed(r === 1 || r === 0 ? 0 : 2)} %`);
const secs = (s) => (s === null || s === undefined ? '—' : s < 1 ? `${Math.round(s * 1000)} ms` : `${s.toFixed(2)} s`);
const age = (s) => (s < 60 ? `${Math.round(s)} s` : s < 3600 ? `${Math.round(s / 60)} min` : `${(s / 3600).toFixed(1)} h`);

function Target({ f }) {
  const tone = f.ok === null ? 'grey' : f.ok ? 'green' : 'red';
  return html`<div class=${`target target-${tone}`} data-testid="target" data-target=${f.id} data-ok=${String(f.ok)}>
    <div class="target-head"><span class="stat-label">${f.label}</span><${Tag} color=${tone}>${f.ok === null ? 'no data yet' : f.ok ? 'on target' : 'off target'}<//></div>
    <div class="target-value" data-testid="target-value">${f.unit === 'ratio' ? pct(f.value) : secs(f.value)}</div>
    <div class="muted target-goal">target ${f.target}</div>
    <div class="muted target-detail">${f.detail}</div>
  </div>`;
}

/**
 * The series from the first minute with anything in it (the process's start, at most an hour ago),
 * but at least 15 minutes, so a fresh hub's chart is not an hour of zeros with a blip at the end.
 */
function recent(series, min = 15) {
  const n = series.t.length;
  let first = n;
  for (const [k, v] of Object.entries(series)) {
    if (k === 't') continue;
    const i = v.findIndex((x) => x !== null && x !== 0);
    if (i !== -1 && i < first) first = i;
  }
  const from = Math.max(0, Math.min(first, n - min));
  return Object.fromEntries(Object.entries(series).map(([k, v]) => [k, v.slice(from)]));
}

const COLORS = ['#3370ff', '#f54a45', '#ff8800', '#34c724', '#7f3bf5'];

/** One small uPlot time-series chart; `lines` are [label, values] over the shared minute axis `t`. */
function Chart({ title, t, lines, unit, testid }) {
  const box = useRef(null);
  const plot = useRef(null);
  useEffect(() => {
    const el = box.current;
    const width = Math.max(240, el.clientWidth - 8);
    const opts = {
      width,
      height: 150,
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (u, min, max) => [Math.min(0, min ?? 0), Math.max(max ?? 1, unit === '%' ? 100 : 1)] } },
      axes: [
        { stroke: '#8f959e', grid: { stroke: '#eff0f1' }, ticks: { stroke: '#eff0f1' }, font: '11px sans-serif' },
        { stroke: '#8f959e', grid: { stroke: '#eff0f1' }, ticks: { stroke: '#eff0f1' }, font: '11px sans-serif', size: 44, values: (u, vals) => vals.map((v) => `${+v.toFixed(2)}${unit === '%' ? '%' : unit === 's' ? 's' : ''}`) },
      ],
      series: [{}, ...lines.map(([label], i) => ({ label, stroke: COLORS[i % COLORS.length], width: 1.5, fill: i === 0 ? `${COLORS[0]}14` : undefined, spanGaps: false, points: { show: true, size: 5 } }))],
    };
    const data = [t, ...lines.map(([, v]) => v)];
    if (!plot.current) plot.current = new uPlot(opts, data, el);
    else plot.current.setData(data);
  }, [t, lines]);
  useEffect(() => () => plot.current?.destroy(), []);
  return html`<div class="card chart" data-testid=${testid}><div class="chart-title">${title}</div><div ref=${box}></div></div>`;
}

export default function OverviewPanel({ data, reload }) {
  // Counters move with traffic: refresh every 5 s.
  useEffect(() => {
    const timer = setInterval(() => void reload(), 5000);
    return () => clearInterval(timer);
  }, [reload]);
  if (!data) return null;
  const { figures, inbox, apis, sendQueues, api, tokens, events, cards } = data;
  const s = recent(data.series);
  const queue = sendQueues.reduce((n, q) => Math.max(n, q.depth), 0);

  return html`<div data-testid="overview-panel">
    <div class="targets">${figures.map((f) => html`<${Target} key=${f.id} f=${f} />`)}</div>
    <div class="stats">
      <${Stat} label="Inbox depth (pending + handling)" value=${inbox.depth} testid="stat-inbox-depth" />
      <${Stat} label="Oldest waiting event" value=${inbox.depth ? age(inbox.oldestPendingSeconds) : '—'} tone=${inbox.oldestPendingSeconds > 60 ? 'orange' : ''} testid="stat-oldest" />
      <${Stat} label="Dead letters" value=${inbox.dead} tone=${inbox.dead ? 'red' : ''} testid="stat-dead" />
      <${Stat} label="API calls" value=${api.calls} testid="stat-api-calls" />
      <${Stat} label="429s / retries" value=${`${api.rate_limited} / ${api.retries}`} tone=${api.rate_limited ? 'orange' : ''} testid="stat-429" />
      <${Stat} label="Events handled / failed" value=${`${events.handled} / ${events.failed}`} tone=${events.failed ? 'orange' : ''} testid="stat-events" />
      <${Stat} label="Longest chat send queue" value=${queue} testid="stat-send-queue" />
    </div>
    <div class="charts" data-testid="overview-charts">
      <${Chart} testid="chart-api" title="API calls per minute" t=${s.t} lines=${[['calls', s.api_calls], ['failed', s.api_failed], ['429', s.api_rate_limited], ['retries', s.api_retries]]} />
      <${Chart} testid="chart-api-success" title="API success per minute" unit="%" t=${s.t} lines=${[['success %', s.api_success]]} />
      <${Chart} testid="chart-latency" title="Event latency, push to done" unit="s" t=${s.t} lines=${[['p99', s.latency_p99], ['p50', s.latency_p50]]} />
      <${Chart} testid="chart-events" title="Events and cards per minute" t=${s.t} lines=${[['events handled', s.events_done], ['events failed', s.events_failed], ['cards refused', s.card_failures]]} />
      <${Chart} testid="chart-inbox" title="Inbox (sampled when viewed)" t=${s.t} lines=${[['depth', s.inbox_depth], ['dead letters', s.dead_letters], ['send queue', s.send_queue]]} />
      <${Chart} testid="chart-tokens" title="Token cache hits per minute" unit="%" t=${s.t} lines=${[['hit %', s.token_hit]]} />
    </div>
    <h3 class="section-title">API calls by API <span class="muted">(failing first; token fetches ${tokens.fetches}, failed ${tokens.failures}; cards checked ${cards.checked}, refused ${cards.failed})</span></h3>
    ${apis.length === 0
      ? html`<div class="card"><${Empty} title="No API calls yet">Calls the hub makes to Feishu show here by API, with their outcome.<//></div>`
      : html`<table class="table" data-testid="api-table">
      <thead><tr><th>API</th><th>Calls</th><th>Success</th><th>Feishu errors (by code)</th><th>429</th><th>5xx</th><th>Network</th><th>Retries</th></tr></thead>
      <tbody>${apis.map((a) => html`<tr key=${a.api} data-testid="api-row" data-api=${a.api}>
        <td class="mono" style="font-size:12px">${a.api}</td>
        <td>${a.calls}</td>
        <td><${Tag} color=${a.successRate === null ? 'grey' : a.successRate > 0.995 ? 'green' : 'red'}>${pct(a.successRate)}<//></td>
        <td>${Object.entries(a.codes).filter(([c]) => c !== '0' && Number(c) > 0).map(([c, n]) => html`<span class="code" data-testid="api-code" data-code=${c}><span class="mono">${c}</span> × ${n}</span>`)}</td>
        <td>${a.rate_limited || ''}</td><td>${a.server_error || ''}</td><td>${a.network || ''}</td><td>${a.retries || ''}</td>
      </tr>`)}</tbody>
    </table>`}
  </div>`;
}
