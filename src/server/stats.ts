import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { LATENCY_BUCKETS, MinuteRing, latencyBucket, quantile } from '../platform/ring.js';
import type { PlatformLimiter } from '../platform/index.js';
import type { Inbox } from '../store/index.js';
import { cardValidationStats } from '../cards/validate/stats.js';

const LAT_FIELDS = LATENCY_BUCKETS.map((_, i) => `lat_${i}` as const).concat(`lat_${LATENCY_BUCKETS.length}` as const);
export const EVENT_RING_FIELDS = ['events_done', 'events_failed', 'inbox_depth', 'oldest_pending_s', 'dead_letters', 'send_queue', ...LAT_FIELDS] as const;
export type EventRingField = (typeof EVENT_RING_FIELDS)[number];

/**
 * The event side of a hub's overview, in memory for this process: events handled and failed, the
 * latency from Feishu's `create_time` to done in a fixed histogram, and a per-minute ring of the
 * last hour. Recording is a few additions (no allocation per event).
 */
export class HubStats {
  handled = 0;
  failed = 0;
  /** Latency counts per LATENCY_BUCKETS bucket (the last one is +Inf). */
  readonly latency = new Float64Array(LATENCY_BUCKETS.length + 1);
  readonly ring = new MinuteRing<EventRingField>(EVENT_RING_FIELDS);
  private readonly promLatency?: Histogram;
  private readonly promEvents?: Counter<'outcome'>;

  constructor(registry?: Registry) {
    if (registry) {
      this.promLatency = new Histogram({ name: 'feishu_hub_event_latency_seconds', help: "From Feishu's create_time of an event to its listeners done (handled or failed)", buckets: [...LATENCY_BUCKETS], registers: [registry] });
      this.promEvents = new Counter({ name: 'feishu_hub_events_processed_total', help: 'Event deliveries the listeners finished: ok (handled) or failed (retried or dead-lettered)', labelNames: ['outcome'], registers: [registry] });
    }
  }

  /** One event's listeners finished; `createTime` is Feishu's (epoch ms), when the push had one. */
  record(ok: boolean, createTime: number | undefined, now = Date.now()): void {
    if (ok) {
      this.handled++;
      this.ring.add('events_done');
    } else {
      this.failed++;
      this.ring.add('events_failed');
    }
    this.promEvents?.inc({ outcome: ok ? 'ok' : 'failed' });
    if (createTime && createTime > 0) {
      const seconds = Math.max(0, (now - createTime) / 1000);
      const b = latencyBucket(seconds);
      this.latency[b]!++;
      this.ring.add(LAT_FIELDS[b]!);
      this.promLatency?.observe(seconds);
    }
  }

  /** p50 and p99 (seconds) of push-to-done since the process started; null before any event. */
  percentiles(): { p50: number | null; p99: number | null } {
    return { p50: quantile(this.latency, 0.5), p99: quantile(this.latency, 0.99) };
  }

  /** The ring's series plus per-minute p50/p99 latency (null where a minute had no event). */
  series() {
    const s = this.ring.series();
    const p50: (number | null)[] = [];
    const p99: (number | null)[] = [];
    const counts = new Float64Array(LAT_FIELDS.length);
    for (let i = 0; i < s.t.length; i++) {
      LAT_FIELDS.forEach((f, j) => (counts[j] = s[f][i]!));
      p50.push(quantile(counts, 0.5));
      p99.push(quantile(counts, 0.99));
    }
    return { t: s.t, events_done: s.events_done, events_failed: s.events_failed, inbox_depth: s.inbox_depth, oldest_pending_s: s.oldest_pending_s, dead_letters: s.dead_letters, send_queue: s.send_queue, latency_p50: p50, latency_p99: p99 };
  }
}

const statsByHub = new WeakMap<object, HubStats>();

/** The stats of a hub (made on first use, registered on `registry` then). */
export function hubStatsOf(hub: object, registry?: Registry): HubStats {
  let s = statsByHub.get(hub);
  if (!s) statsByHub.set(hub, (s = new HubStats(registry)));
  return s;
}

/** The inbox figures, read when asked (the console, a /metrics scrape), never per event. */
export async function inboxFigures(inbox: Inbox, now = Date.now()) {
  const [stats, oldest] = await Promise.all([inbox.stats(), inbox.oldestWaiting()]);
  return { pending: stats.pending, processing: stats.processing, done: stats.done, dead: stats.dead, depth: stats.pending + stats.processing, oldestPendingSeconds: oldest === undefined ? 0 : Math.max(0, (now - oldest) / 1000) };
}

/** Per-chat send queues of this process (callers waiting for a chat's permit), largest first. */
export function sendQueues(limiter: PlatformLimiter | undefined, limit = 10): { chat: string; depth: number }[] {
  if (!limiter) return [];
  return limiter.waiting((k) => k.includes(':chat:'), limit).map((w) => ({ chat: w.key.slice(w.key.indexOf(':chat:') + 6), depth: w.depth }));
}

/** Gauges read at scrape time: inbox depth by status, age of the oldest waiting event, dead letters, send queues. */
export function registerInboxGauges(registry: Registry, inbox: Inbox, limiter: PlatformLimiter | undefined, stats: HubStats): void {
  // A hub started again (stop, start) reads its new inbox.
  for (const name of ['feishu_hub_inbox_events', 'feishu_hub_inbox_oldest_pending_age_seconds', 'feishu_hub_dead_letters', 'feishu_hub_send_queue_depth', 'feishu_hub_card_validations_total']) registry.removeSingleMetric(name);
  new Counter({
    name: 'feishu_hub_card_validations_total',
    help: 'Cards validated before sending in this process, by result (ok, invalid: refused and not sent)',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      this.reset();
      this.inc({ result: 'ok' }, cardValidationStats.checked - cardValidationStats.failed);
      this.inc({ result: 'invalid' }, cardValidationStats.failed);
    },
  });
  let last: Promise<Awaited<ReturnType<typeof inboxFigures>>> | undefined;
  // One query per scrape, shared by the gauges below (each gauge's collect runs on the same scrape).
  const figures = () => {
    if (!last) {
      last = inboxFigures(inbox);
      void last.finally(() => setTimeout(() => (last = undefined), 100).unref()).catch(() => undefined);
    }
    return last;
  };
  new Gauge({
    name: 'feishu_hub_inbox_events',
    help: 'Events in the inbox, by status (pending and processing are the depth)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const f = await figures();
      for (const status of ['pending', 'processing', 'done', 'dead'] as const) this.set({ status }, f[status]);
      stats.ring.set('inbox_depth', f.depth);
      stats.ring.set('dead_letters', f.dead);
    },
  });
  new Gauge({
    name: 'feishu_hub_inbox_oldest_pending_age_seconds',
    help: 'Age of the oldest event not yet done (pending or being handled), 0 when there is none',
    registers: [registry],
    async collect() {
      const f = await figures();
      this.set(f.oldestPendingSeconds);
      stats.ring.set('oldest_pending_s', f.oldestPendingSeconds);
    },
  });
  new Gauge({
    name: 'feishu_hub_dead_letters',
    help: 'Dead-lettered events waiting for an operator (replay or discard them in the console)',
    registers: [registry],
    async collect() {
      this.set((await figures()).dead);
    },
  });
  new Gauge({
    name: 'feishu_hub_send_queue_depth',
    help: "Sends waiting for a chat's rate-limit permit in this process, by chat (the 10 longest queues)",
    labelNames: ['chat'],
    registers: [registry],
    collect() {
      this.reset();
      for (const q of sendQueues(limiter)) this.set({ chat: q.chat }, q.depth);
    },
  });
}
