import type { ConsoleCall, ConsolePanel } from '../capability/index.js';
import { cardValidationStats } from '../cards/validate/stats.js';
import { hubStatsOf, inboxFigures, sendQueues } from '../server/stats.js';

/** The issue's success metrics and their targets (the Overview's red/green). */
export const TARGETS = {
  apiSuccess: 0.995,
  eventP99Seconds: 2,
  cardValid: 1,
  tokenCacheHit: 0.95,
} as const;

export interface Figure {
  id: string;
  label: string;
  /** The measured value (a fraction or seconds), null when nothing was measured yet. */
  value: number | null;
  unit: 'ratio' | 'seconds';
  target: string;
  /** true green, false red, null grey (no data yet). */
  ok: boolean | null;
  detail: string;
}

const rate = (part: number, whole: number) => (whole === 0 ? null : part / whole);
const n = (count: number, one: string, many = `${one}s`) => `${count} ${count === 1 ? one : many}`;

/**
 * What the Overview panel shows, from the same in-memory counters `/metrics` exposes (this process
 * since it started) plus the inbox, read now.
 */
export async function overviewData(ctx: Pick<ConsoleCall, 'hub' | 'platform' | 'inbox'>) {
  const m = ctx.platform.metrics;
  const stats = hubStatsOf(ctx.hub);
  const [inbox, queues] = await Promise.all([inboxFigures(ctx.inbox), Promise.resolve(sendQueues(ctx.platform.limiter))]);
  // The gauges of this minute, for the charts (sampled when someone looks, never per event).
  stats.ring.set('inbox_depth', inbox.depth);
  stats.ring.set('oldest_pending_s', inbox.oldestPendingSeconds);
  stats.ring.set('dead_letters', inbox.dead);
  stats.ring.set('send_queue', queues.reduce((n, q) => n + q.depth, 0));

  const apis = [...m.apiTotals()].map(([api, t]) => ({ api, ...t, codes: { ...t.codes }, successRate: rate(t.ok, t.calls) })).sort((a, b) => b.calls - b.ok - (a.calls - a.ok) || b.calls - a.calls || a.api.localeCompare(b.api)); // failing APIs first
  const api = apis.reduce((s, a) => ({ calls: s.calls + a.calls, ok: s.ok + a.ok, feishu_error: s.feishu_error + a.feishu_error, rate_limited: s.rate_limited + a.rate_limited, server_error: s.server_error + a.server_error, network: s.network + a.network, retries: s.retries + a.retries }), { calls: 0, ok: 0, feishu_error: 0, rate_limited: 0, server_error: 0, network: 0, retries: 0 });
  const tokens = m.tokenCacheStats();
  const lookups = tokens.hits + tokens.coalesced + tokens.misses;
  const { p50, p99 } = stats.percentiles();
  const cards = { checked: cardValidationStats.checked, failed: cardValidationStats.failed };

  const apiRate = rate(api.ok, api.calls);
  const cardRate = rate(cards.checked - cards.failed, cards.checked);
  const tokenRate = rate(tokens.hits + tokens.coalesced, lookups);
  const figures: Figure[] = [
    { id: 'api_success', label: 'API success', value: apiRate, unit: 'ratio', target: `> ${TARGETS.apiSuccess * 100} %`, ok: apiRate === null ? null : apiRate > TARGETS.apiSuccess, detail: `${n(api.calls, 'call')}, ${api.calls - api.ok} failed, ${api.rate_limited} rate-limited, ${n(api.retries, 'retry', 'retries')}` },
    { id: 'event_p99', label: 'Event processing p99', value: p99, unit: 'seconds', target: `< ${TARGETS.eventP99Seconds} s from push to done`, ok: p99 === null ? null : p99 < TARGETS.eventP99Seconds, detail: `p50 ${p50 === null ? '—' : `${p50.toFixed(2)} s`}; ${stats.handled} handled, ${stats.failed} failed` },
    { id: 'card_valid', label: 'Cards rendering valid', value: cardRate, unit: 'ratio', target: '100 %', ok: cardRate === null ? null : cards.failed === 0, detail: `${cards.checked} checked, ${cards.failed} refused` },
    { id: 'token_cache_hit', label: 'Token cache hits', value: tokenRate, unit: 'ratio', target: `> ${TARGETS.tokenCacheHit * 100} %`, ok: tokenRate === null ? null : tokenRate > TARGETS.tokenCacheHit, detail: `${n(lookups, 'lookup')}, ${n(tokens.fetches, 'fetch', 'fetches')}, ${tokens.failures} failed` },
  ];

  const p = m.ring.series();
  const e = stats.series();
  const c = cardValidationStats.ring.series();
  const series = {
    t: p.t,
    api_calls: p.api_calls,
    api_failed: p.api_failed,
    api_success: p.api_calls.map((n, i) => (n === 0 ? null : (p.api_ok[i]! / n) * 100)),
    api_rate_limited: p.api_rate_limited,
    api_retries: p.api_retries,
    token_hit: p.token_hits.map((h, i) => (h + p.token_misses[i]! === 0 ? null : (h / (h + p.token_misses[i]!)) * 100)),
    token_failures: p.token_failures,
    events_done: e.events_done,
    events_failed: e.events_failed,
    latency_p50: e.latency_p50,
    latency_p99: e.latency_p99,
    inbox_depth: e.inbox_depth,
    oldest_pending_s: e.oldest_pending_s,
    dead_letters: e.dead_letters,
    send_queue: e.send_queue,
    card_checks: c.card_checks,
    card_failures: c.card_failures,
  };

  return {
    at: Date.now(),
    figures,
    api,
    apis,
    tokens,
    events: { handled: stats.handled, failed: stats.failed, p50, p99 },
    cards,
    inbox,
    sendQueues: queues,
    series,
  };
}

/** The Overview: first in the nav. */
export const overviewPanel: ConsolePanel = {
  id: 'overview',
  title: 'Overview',
  icon: 'M3 3v18h18M7 15l4-4 3 3 5-6',
  order: 0,
  module: new URL('./client/overview-panel.js', import.meta.url),
  data: (ctx) => overviewData(ctx),
};
