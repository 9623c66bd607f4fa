/**
 * Alerts, from Alertmanager's POST to the card in the chat: `node bin/run-ts.js bench/alerts.bench.ts [--quick]`
 * (or `npm run bench -- alerts [--quick]`). Everything on 127.0.0.1: each part gets its own
 * createTestHub() (temp SQLite file, default durability: the inbox fsyncs before the 200) with its
 * in-process emulator (rate limits on, as the platform's).
 *
 * 1. Durable intake. bench/alerts-load.ts, a separate process (as Alertmanager is), sends distinct
 *    one-alert POSTs (pre-serialised, spread over INTAKE_GROUPS groups) through 16 keep-alive
 *    connections, closed loop, after a short warm-up: first to a trivial Fastify handler in this
 *    process that parses the JSON and answers 200 without storing (the reference: what durability,
 *    auth and validation cost), then to the hub's POST /alerts/alertmanager. The intake hub has no
 *    route, so it folds alerts into incidents but sends no card (intake is measured, not delivery).
 *    Afterwards every accepted alert must be in an incident (sum of firing counts == alerts accepted).
 *    Floors: ≥ 500 alerts/s accepted durably; all accounted for. For information, the same load into
 *    ONE group (one incident growing to thousands of alerts) on a fresh hub.
 * Every hub's inbox is watched while it runs: batches whose handler failed and were retried are
 * printed with their error.
 * 2. Latency to the card. After one warm-up card, N new groups one at a time, paced every 200 ms:
 *    from just before the POST until the emulator's message store holds the card titled
 *    `[FIRING:1] <alertname>`; then N more every 250 ms (200 ms is exactly the chat's 5 messages/s, so
 *    that pass includes the hub's per-chat limiter waiting; 250 ms stays under it). Then the update
 *    path on the first N cards (each quiet for longer than card_update_every_ms): one more alert,
 *    until the card's title says `[FIRING:2]`. For information, a back-to-back update (alert 4 posted
 *    as soon as the card shows 3), which waits for card_update_every_ms by design.
 *    storm.max_cards is raised so that every group gets its own card (the default would fold
 *    groups 11+ into the storm summary). Floors: new card p99 < 1,000 ms (both pacings); update p99 <
 *    card_update_every_ms + 1,000 ms.
 * 3. Storm, as test/alerts/storm.test.ts: 1,000 alerts in 10 s over 50 groups, one chat (storm
 *    max_cards 10 per 60 s). Messages sent, PATCHes, 429s (floor 0), time until the chat shows every
 *    incident and until every card shows its final count. Beside it a naive bridge actually run in
 *    the same process on a fresh chat: the first BRIDGE_SAMPLE alerts of the same storm, arriving as
 *    they did (10 ms apart), each sent as its own card with t.hub.messenger.sendCard (the same
 *    platform client and limiter); its measured per-chat rate is extrapolated to all 1,000.
 * Options (for a closer look; the defaults are the benchmark): --only intake,latency,storm,
 * --pace <ms> (first new-card pass), --intake-posts <n>, --intake-groups <n>, --one-group-posts <n>.
 * Quick ≈ 70 s, full ≈ 3.5 min on 2 cores.
 */
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import { card2, header, markdown } from '../src/cards/index.js';
import { DEMO_CHAT_ID } from '../src/emulator/index.js';
import { createTestHub, type TestHub } from '../src/testing/index.js';
import { alertmanagerBody, LOAD_PREFIX, stormAlert, type LoadResult, type LoadSpec } from './alerts-payloads.js';
import { quick, reportResult, type BenchRow } from './result.js';

const argValue = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
/** `--only intake,latency,storm`: run some parts (profiling, a quick look); default all three. */
const ONLY = new Set((argValue('only') ?? 'intake,latency,storm').split(','));

const TOKEN_ENV = 'ALERTS_BENCH_TOKEN';
const TOKEN = 'alerts-bench-token-0123456789abcdef';
process.env[TOKEN_ENV] = TOKEN;
const SOURCES = { alertmanager: { credentials: [{ token_env: TOKEN_ENV }] } };

const INTAKE_POSTS = Number(argValue('intake-posts') ?? (quick ? 2_000 : 10_000));
const INTAKE_WARMUP = quick ? 200 : 500;
const INTAKE_GROUPS = Number(argValue('intake-groups') ?? 250);
const CONNECTIONS = 16;
const INTAKE_FLOOR = 500;
/** The informational one-group run (its cost per alert grows with the incident). */
const ONE_GROUP_POSTS = Number(argValue('one-group-posts') ?? (quick ? 1_000 : 3_000));

const LAT_GROUPS = quick ? 30 : 200;
const PACE_MS = Number(argValue('pace') ?? 200);
/** The second new-card pass: 4 cards/s, under the chat's 5 messages/s, so the hub's per-chat limiter never waits. */
const UNDER_PACE_MS = 250;
const BURST_GROUPS = quick ? 10 : 30;
const CARD_UPDATE_EVERY_MS = 1000;
const NEW_CARD_FLOOR_MS = 1000;
const UPDATE_FLOOR_MS = CARD_UPDATE_EVERY_MS + 1000;
const VISIBLE_TIMEOUT_MS = 15_000;

const STORM_ALERTS = 1000;
const STORM_GROUPS = 50;
const STORM_SECONDS = 10;
const BRIDGE_SAMPLE = 100;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};
const fmt = (n: number, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const ms = (x: number) => (Number.isFinite(x) ? `${x.toFixed(1)} ms` : 'timed out');
const ratio = (a: number, b: number) => (b && Number.isFinite(a) && Number.isFinite(b) ? Number((a / b).toFixed(3)) : null);

const rows: BenchRow[] = [];
/** Adds a result row and prints it at once (the table as it goes). */
function row(r: BenchRow) {
  rows.push(r);
  const verdict = r.pass === null ? 'info' : r.pass ? 'PASS' : 'FAIL';
  console.log(`  [${verdict.padEnd(4)}] ${r.figure}: ${r.value}${r.reference !== null ? `  | vs ${r.reference}` : ''}${r.ratio !== null ? `  | ratio ${r.ratio}` : ''}${r.floor ? `  | floor ${r.floor}` : ''}`);
}

async function post(url: string, body: unknown): Promise<number> {
  const res = await fetch(`${url}/alerts/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` }, body: JSON.stringify(body) });
  await res.arrayBuffer();
  return res.status;
}

/** Every string of a parsed card (its texts), split into lines. */
function cardLines(content: string): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(...v.split('\n'));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(JSON.parse(content));
  return out;
}
const titleOf = (content: string) => String((JSON.parse(content) as { header?: { title?: { content?: string } } }).header?.title?.content ?? '');
const botCards = (t: TestHub, chatId: string) => t.messages(chatId).filter((m) => m.msg_type === 'interactive' && m.sender.sender_type === 'app' && !m.deleted);

// ───────────────────────────── 1. durable intake ─────────────────────────────

function runLoad(spec: LoadSpec): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/run-ts.js', 'bench/alerts-load.ts', JSON.stringify(spec)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
    child.once('error', reject);
    child.once('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith(LOAD_PREFIX));
      if (!line) return reject(new Error(`load generator exited ${code} without a result`));
      resolve(JSON.parse(line.slice(LOAD_PREFIX.length)) as LoadResult);
    });
  });
}

/**
 * Watches a hub's inbox while it runs: handler failures are written to the row (`last_error`) until
 * the retry succeeds, and `complete` clears them, so they are caught while the row waits for its retry.
 */
function watchFailures(t: TestHub) {
  const db = t.hub.store!.db as any;
  const seen = new Map<string, string>();
  let stopped = false;
  const loop = (async () => {
    while (!stopped) {
      const rows = (await db.selectFrom('inbox').select(['event_id', 'event_type', 'last_error']).where('status', 'in', ['pending', 'dead']).where('last_error', 'is not', null).execute()) as { event_id: string; event_type: string; last_error: string }[];
      for (const r of rows) if (!seen.has(r.event_id)) seen.set(r.event_id, `${r.event_type}: ${r.last_error.split('\n')[0].slice(0, 200)}`);
      await sleep(100);
    }
  })();
  return {
    async stop() {
      stopped = true;
      await loop;
      const retried = (await db.selectFrom('inbox').select(['event_id', 'status']).where((eb: any) => eb.or([eb('attempts', '>', 1), eb('status', '=', 'dead')])).execute()) as { event_id: string; status: string }[];
      const byError = new Map<string, number>();
      for (const r of retried) {
        const e = seen.get(r.event_id) ?? '(error not caught: the retry succeeded before the next look)';
        byError.set(e, (byError.get(e) ?? 0) + 1);
      }
      return { retried: retried.length, dead: retried.filter((r) => r.status === 'dead').length, byError };
    },
  };
}

interface HubIntake {
  load: LoadResult;
  expected: number;
  firing: number;
  incidents: number;
  foldLagS: number;
  failures: { retried: number; dead: number; byError: Map<string, number> };
}

/** A fresh intake hub (no route: incidents are kept, no card is sent), loaded by the generator, then accounted for. */
async function hubIntake(groups: number, posts: number, warmup: number, label: string): Promise<HubIntake> {
  const t = await createTestHub({ sections: { alerts: { sources: SOURCES } } });
  try {
    const watcher = watchFailures(t);
    const load = await runLoad({ port: Number(new URL(t.hub.url!).port), path: '/alerts/alertmanager', token: TOKEN, tag: 'hub', warmup, count: posts, connections: CONNECTIONS, groups, startsAt: Date.parse('2026-12-01T08:00:00Z') });
    console.log(`  ${label}: ${fmt(load.posts / load.seconds)} POSTs/s, ${fmt(load.alertsAccepted / load.seconds)} alerts/s, p50 ${ms(load.p50)}, p99 ${ms(load.p99)}, max ${ms(load.max)}, statuses ${JSON.stringify(load.statuses)}, duplicates ${load.duplicates}`);
    // Every accepted alert (warm-up included: it is stored too) must end up in an incident.
    const expected = load.alertsAccepted + load.warmupAccepted;
    let firing = 0;
    let incidents = 0;
    const deadline = Date.now() + 180_000;
    for (;;) {
      const list = await t.hub.alerts.incidents({ limit: 100_000 });
      firing = list.reduce((n, i) => n + i.firing, 0);
      incidents = list.length;
      if (firing >= expected || Date.now() > deadline) break;
      await sleep(20);
    }
    // From the last 200 to the look that found every alert folded (an upper bound: looks start once the generator reported).
    const foldLagS = Math.max(0, Date.now() - load.endedAt) / 1000;
    const failures = await watcher.stop();
    console.log(`    accounted for: ${fmt(firing)} firing alerts in ${incidents} incidents, ${fmt(expected)} accepted (${load.warmupAccepted} in the warm-up); all folded ≤ ${foldLagS.toFixed(2)} s after the last 200`);
    console.log(`    inbox: ${failures.retried} events needed more than one attempt (${failures.dead} dead)${[...failures.byError].map(([e, n]) => `\n      ${n} × ${e}`).join('')}`);
    return { load, expected, firing, incidents, foldLagS, failures };
  } finally {
    await t.close();
  }
}

async function intake() {
  console.log(`\n── 1. durable intake: ${fmt(INTAKE_POSTS)} POSTs (one alert each, all distinct, ${INTAKE_GROUPS} groups) over ${CONNECTIONS} keep-alive connections, after ${INTAKE_WARMUP} warm-up POSTs; generator in its own process ──`);
  const ref = Fastify({ logger: false });
  ref.post('/alerts/alertmanager', async (req) => ({ status: 'accepted', duplicate: false, alerts: ((req.body as { alerts?: unknown[] }).alerts ?? []).length }));
  await ref.listen({ port: 0, host: '127.0.0.1' });
  let bare: LoadResult;
  try {
    bare = await runLoad({ port: (ref.server.address() as AddressInfo).port, path: '/alerts/alertmanager', token: TOKEN, tag: 'ref', warmup: INTAKE_WARMUP, count: INTAKE_POSTS, connections: CONNECTIONS, groups: INTAKE_GROUPS, startsAt: Date.parse('2026-12-01T08:00:00Z') });
  } finally {
    await ref.close();
  }
  console.log(`  reference (trivial Fastify handler in this process: parse JSON, 200, nothing stored): ${fmt(bare.posts / bare.seconds)} POSTs/s, p50 ${ms(bare.p50)}, p99 ${ms(bare.p99)}, statuses ${JSON.stringify(bare.statuses)}`);
  const h = await hubIntake(INTAKE_GROUPS, INTAKE_POSTS, INTAKE_WARMUP, `feishu-hub POST /alerts/alertmanager, ${INTAKE_GROUPS} groups (durable inbox)`);
  // For information: the same load into ONE group, i.e. one incident that grows to thousands of alerts.
  const one = await hubIntake(1, ONE_GROUP_POSTS, 100, `feishu-hub, the same POSTs into ONE group (${fmt(ONE_GROUP_POSTS + 100)} alerts in one incident)`);

  const hub = h.load;
  const hubRate = hub.alertsAccepted / hub.seconds;
  const bareRate = bare.alertsAccepted / bare.seconds;
  const oneRate = one.load.alertsAccepted / one.load.seconds;
  row({ figure: `intake: feishu-hub POSTs/s and alerts/s (${fmt(INTAKE_POSTS)} one-alert POSTs, ${INTAKE_GROUPS} groups, ${CONNECTIONS} conns, fsync before 200)`, value: `${fmt(hub.posts / hub.seconds)} POSTs/s, ${fmt(hubRate)} alerts/s`, reference: `trivial Fastify 200 (no store): ${fmt(bare.posts / bare.seconds)} POSTs/s`, ratio: ratio(hubRate, bareRate), floor: null, pass: null });
  row({ figure: 'intake: POST latency p50 / p99', value: `${ms(hub.p50)} / ${ms(hub.p99)}`, reference: `trivial Fastify: ${ms(bare.p50)} / ${ms(bare.p99)}`, ratio: ratio(hub.p99, bare.p99), floor: null, pass: null });
  row({ figure: 'intake: alerts accepted durably per second', value: `${fmt(hubRate)} alerts/s`, reference: `${INTAKE_FLOOR} alerts/s`, ratio: ratio(hubRate, INTAKE_FLOOR), floor: `≥ ${INTAKE_FLOOR} alerts/s`, pass: hubRate >= INTAKE_FLOOR && hub.ok === hub.posts });
  row({ figure: 'intake: accepted alerts in an incident (sum of firing counts)', value: `${fmt(h.firing)} in ${h.incidents} incidents (folded ≤ ${h.foldLagS.toFixed(2)} s after the last 200; ${h.failures.retried} batches retried)`, reference: `${fmt(h.expected)} accepted`, ratio: ratio(h.firing, h.expected), floor: 'all accounted for', pass: h.firing === h.expected && hub.ok === hub.posts });
  row({ figure: `intake into ONE group (one incident of ${fmt(one.expected)} alerts): alerts/s, p99`, value: `${fmt(oneRate)} alerts/s, p99 ${ms(one.load.p99)}, ${fmt(one.firing)} of ${fmt(one.expected)} accounted for`, reference: `${INTAKE_GROUPS} groups: ${fmt(hubRate)} alerts/s`, ratio: ratio(oneRate, hubRate), floor: null, pass: null });
}

// ───────────────────────────── 2. latency to the card ─────────────────────────────

interface Probe {
  alertname: string;
  /** Date.now() just before the POST, when its answer came, when the card was seen. */
  postWall: number;
  answeredWall: number;
  seenWall: number;
  latency: number;
  messageId?: string;
  /** The emulator's record of the message at the moment it was seen (create_time / update_time). */
  emuTime?: number;
}

/** Polls (every ms) until `find` answers; its latency from t0 (performance.now()). */
async function until<T>(find: () => T | undefined, t0: number): Promise<{ value?: T; latency: number }> {
  const end = t0 + VISIBLE_TIMEOUT_MS;
  for (;;) {
    const v = find();
    if (v !== undefined) return { value: v, latency: performance.now() - t0 };
    if (performance.now() > end) return { latency: Infinity };
    await sleep(1);
  }
}

async function latency() {
  console.log(`\n── 2. POST → card visible in the emulator: ${LAT_GROUPS} new groups one at a time every ${PACE_MS} ms, ${LAT_GROUPS} more every ${UNDER_PACE_MS} ms, then one more alert to each of the first ${LAT_GROUPS} (every ${PACE_MS} ms); card_update_every_ms ${CARD_UPDATE_EVERY_MS} (the default), poll_every_ms 500 (the default), storm.max_cards raised to 100000 so every group gets its own card ──`);
  const t = await createTestHub({ sections: { alerts: { sources: SOURCES, routes: [{ name: 'lat', chats: [DEMO_CHAT_ID] }], card_update_every_ms: CARD_UPDATE_EVERY_MS, storm: { max_cards: 100_000, window_ms: 60_000 } } } });
  const watcher = watchFailures(t);
  try {
    const url = t.hub.url!;
    const startsAt = Date.now() - 60_000;
    const names = Array.from({ length: LAT_GROUPS }, (_, i) => `LatProbe${String(i).padStart(4, '0')}`); // created by newCards('LatProbe')
    const body = (g: number, n: number) => alertmanagerBody({ alertname: names[g], instance: `lat-host-${n}`, startsAt });
    const chat = DEMO_CHAT_ID;
    const seenIds = new Set<string>();
    const findNew = (alertname: string) => {
      for (const m of t.emulator.state.messages.values()) {
        if (m.chat_id !== chat || m.msg_type !== 'interactive' || seenIds.has(m.message_id) || !m.content.includes(alertname)) continue;
        if (titleOf(m.content) === `[FIRING:1] ${alertname}`) return m;
      }
      return undefined;
    };
    const firingIs = (messageId: string, n: number) => {
      const m = t.emulator.state.messages.get(messageId)!;
      return titleOf(m.content).startsWith(`[FIRING:${n}] `) ? m : undefined;
    };
    const timed = async (alertname: string, payload: unknown, find: () => { message_id: string; create_time: number; update_time: number } | undefined, which: 'create' | 'update'): Promise<Probe> => {
      const postWall = Date.now();
      const t0 = performance.now();
      const status = await post(url, payload);
      if (status !== 200) throw new Error(`POST for ${alertname}: HTTP ${status}`);
      const answeredWall = Date.now();
      const r = await until(find, t0);
      return { alertname, postWall, answeredWall, seenWall: Date.now(), latency: r.latency, messageId: r.value?.message_id, emuTime: r.value ? (which === 'create' ? r.value.create_time : r.value.update_time) : undefined };
    };

    /** New groups `prefix0000…`, one at a time, group g's POST at begin + g × pace (or when the previous card showed). */
    const newCards = async (prefix: string, pace: number): Promise<Probe[]> => {
      const out: Probe[] = [];
      const begin = performance.now();
      for (let g = 0; g < LAT_GROUPS; g++) {
        const wait = begin + g * pace - performance.now();
        if (wait > 0) await sleep(wait);
        const name = `${prefix}${String(g).padStart(4, '0')}`;
        const p = await timed(name, alertmanagerBody({ alertname: name, instance: 'lat-host-1', startsAt }), () => findNew(name), 'create');
        if (p.messageId) seenIds.add(p.messageId);
        out.push(p);
      }
      return out;
    };
    await sleep(300); // start-up calls (token, the route's chat check) settle
    await timed('LatWarmup', alertmanagerBody({ alertname: 'LatWarmup', instance: 'lat-host-1', startsAt }), () => findNew('LatWarmup'), 'create'); // the first card's cold path, not counted
    await sleep(CARD_UPDATE_EVERY_MS + 300);
    const created = await newCards('LatProbe', PACE_MS);
    await sleep(CARD_UPDATE_EVERY_MS + 300); // the chat's limiter slots free again
    const under = await newCards('LatUnder', UNDER_PACE_MS);
    await sleep(CARD_UPDATE_EVERY_MS + 300); // every card quiet for longer than card_update_every_ms
    const updated: Probe[] = [];
    const begin2 = performance.now();
    for (let g = 0; g < LAT_GROUPS; g++) {
      const id = created[g].messageId;
      if (!id) continue;
      const wait = begin2 + g * PACE_MS - performance.now();
      if (wait > 0) await sleep(wait);
      updated.push(await timed(names[g], body(g, 2), () => firingIs(id, 2), 'update'));
    }
    const opened = new Map((await t.hub.alerts.incidents({ limit: 10_000 })).map((i) => [i.title, i]));

    // Back-to-back: alert 3 (a quiet card: immediate), then alert 4 as soon as the card shows 3 (paced).
    await sleep(CARD_UPDATE_EVERY_MS + 300);
    const burst: Probe[] = [];
    await Promise.all(
      created.slice(0, BURST_GROUPS).map(async (p, g) => {
        if (!p.messageId) return;
        await sleep(g * PACE_MS);
        await timed(names[g], body(g, 3), () => firingIs(p.messageId!, 3), 'update');
        burst.push(await timed(names[g], body(g, 4), () => firingIs(p.messageId!, 4), 'update'));
      }),
    );

    const calls = t.emulator.context.calls.list;
    const newLat = created.map((p) => p.latency);
    const updLat = updated.map((p) => p.latency);
    const burstLat = burst.map((p) => p.latency);
    const trace = (p: Probe, kind: 'create' | 'update') => {
      const inc = opened.get(p.alertname);
      const patch = kind === 'update' && p.messageId ? calls.find((c) => c.method === 'PATCH' && c.path.endsWith(p.messageId!) && c.time >= p.postWall) : undefined;
      const rel = (x: number | undefined) => (x === undefined ? '?' : `+${x - p.postWall}`);
      return `${p.alertname}: 200 ${rel(p.answeredWall)}, ${kind === 'create' ? `incident opened ${rel(inc?.openedAt)}, card stored ${rel(p.emuTime)}` : `PATCH answered ${rel(patch?.time)} (${patch?.duration_ms ?? '?'} ms in the emulator), card updated ${rel(p.emuTime)}`}, seen ${rel(p.seenWall)} ms`;
    };
    const slowest = (ps: Probe[], n = 3) => [...ps].sort((a, b) => b.latency - a.latency).slice(0, n);
    const median = (ps: Probe[]) => [...ps].sort((a, b) => a.latency - b.latency)[Math.floor(ps.length / 2)];
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const underLat = under.map((p) => p.latency);
    for (const [ps, pace] of [[created, PACE_MS], [under, UNDER_PACE_MS]] as const) {
      const lat = ps.map((p) => p.latency);
      console.log(`  new card, every ${pace} ms (${fmt(1000 / pace, 1)} cards/s to one chat; its limit is 5/s): p50 ${ms(pct(lat, 50))}, p99 ${ms(pct(lat, 99))}, max ${ms(Math.max(...lat))} (${lat.filter((x) => !Number.isFinite(x)).length} timed out)`);
      if (ps.length) console.log(`    median: ${trace(median(ps), 'create')}`);
      for (const p of slowest(ps)) console.log(`    slow:   ${trace(p, 'create')}`);
      // At 5 cards/s the chat gets exactly its limit: the hub's limiter holds each of the chat's 5 slots
      // until 1 s after that send's answer, so every 5th card waits for the slot of the card 5 before it.
      const fifth = ps.filter((_, i) => i > 0 && i % 5 === 0).map((p) => p.latency);
      const rest = ps.filter((_, i) => i > 0 && i % 5 !== 0).map((p) => p.latency);
      const quarter = Math.max(1, Math.floor(ps.length / 4));
      console.log(`    by position: cards 5, 10, 15, … mean ${ms(mean(fifth))}, the others ${ms(mean(rest))}; first quarter mean ${ms(mean(lat.slice(0, quarter)))}, last quarter ${ms(mean(lat.slice(-quarter)))}`);
    }
    console.log(`  update (card quiet > ${CARD_UPDATE_EVERY_MS} ms): p50 ${ms(pct(updLat, 50))}, p99 ${ms(pct(updLat, 99))}, max ${ms(Math.max(...updLat))}`);
    if (updated.length) console.log(`    median: ${trace(median(updated), 'update')}`);
    for (const p of slowest(updated)) console.log(`    slow:   ${trace(p, 'update')}`);
    console.log(`  back-to-back update (posted as soon as the previous update showed): p50 ${ms(pct(burstLat, 50))}, p99 ${ms(pct(burstLat, 99))} over ${burst.length} cards — waits for card_update_every_ms, then for the next delivery round (poll_every_ms)`);
    const limited = calls.filter((c) => c.status === 429).length;
    if (limited) console.log(`  note: ${limited} × 429 from the emulator during this part`);
    const failures = await watcher.stop();
    console.log(`  inbox: ${failures.retried} events needed more than one attempt (${failures.dead} dead)${[...failures.byError].map(([e, n]) => `\n    ${n} × ${e}`).join('')}`);

    row({ figure: `card latency: POST → new card visible, p50 (${LAT_GROUPS} groups, every ${PACE_MS} ms = the chat's 5 msgs/s)`, value: ms(pct(newLat, 50)), reference: `every ${UNDER_PACE_MS} ms: ${ms(pct(underLat, 50))}`, ratio: ratio(pct(newLat, 50), pct(underLat, 50)), floor: null, pass: null });
    row({ figure: `card latency: POST → new card visible, p99 (every ${PACE_MS} ms; includes the per-chat limiter's waits)`, value: ms(pct(newLat, 99)), reference: `${NEW_CARD_FLOOR_MS} ms`, ratio: ratio(pct(newLat, 99), NEW_CARD_FLOOR_MS), floor: `< ${fmt(NEW_CARD_FLOOR_MS)} ms`, pass: created.length === LAT_GROUPS && pct(newLat, 99) < NEW_CARD_FLOOR_MS });
    row({ figure: `card latency: POST → new card visible, p50 / p99 (every ${UNDER_PACE_MS} ms, under the chat's limit)`, value: `${ms(pct(underLat, 50))} / ${ms(pct(underLat, 99))}`, reference: `${NEW_CARD_FLOOR_MS} ms`, ratio: ratio(pct(underLat, 99), NEW_CARD_FLOOR_MS), floor: `p99 < ${fmt(NEW_CARD_FLOOR_MS)} ms`, pass: under.length === LAT_GROUPS && pct(underLat, 99) < NEW_CARD_FLOOR_MS });
    row({ figure: `card latency: POST → card shows the new FIRING count, p50 (card_update_every_ms ${CARD_UPDATE_EVERY_MS})`, value: ms(pct(updLat, 50)), reference: null, ratio: null, floor: null, pass: null });
    row({ figure: `card latency: POST → card shows the new FIRING count, p99 (card_update_every_ms ${CARD_UPDATE_EVERY_MS})`, value: ms(pct(updLat, 99)), reference: `${UPDATE_FLOOR_MS} ms`, ratio: ratio(pct(updLat, 99), UPDATE_FLOOR_MS), floor: `< card_update_every_ms + 1,000 = ${fmt(UPDATE_FLOOR_MS)} ms`, pass: updated.length === LAT_GROUPS && pct(updLat, 99) < UPDATE_FLOOR_MS });
    row({ figure: `card latency: back-to-back update (paced by card_update_every_ms ${CARD_UPDATE_EVERY_MS}), p50 / p99 over ${burst.length}`, value: `${ms(pct(burstLat, 50))} / ${ms(pct(burstLat, 99))}`, reference: `${CARD_UPDATE_EVERY_MS} ms`, ratio: ratio(pct(burstLat, 99), CARD_UPDATE_EVERY_MS), floor: null, pass: null });
  } finally {
    await t.close();
  }
}

// ───────────────────────────── 3. storm vs a naive bridge ─────────────────────────────

/** The card a naive bridge sends for each alert: the alert itself, nothing folded. */
function bridgeCard(body: Record<string, any>): Record<string, unknown> {
  const a = body.alerts[0] as { labels: Record<string, string>; annotations: Record<string, string>; startsAt: string };
  return card2(
    { header: header(`[FIRING] ${a.labels.alertname} on ${a.labels.instance}`, { template: a.labels.severity === 'critical' ? 'red' : 'orange' }) } as never,
    [markdown(`**${a.labels.alertname}** on ${a.labels.instance} — ${a.annotations.summary}\n**Severity** ${a.labels.severity} · **Service** ${a.labels.service} · **Since** ${a.startsAt}`)] as never,
  ) as unknown as Record<string, unknown>;
}

async function storm() {
  console.log(`\n── 3. storm: ${fmt(STORM_ALERTS)} alerts in ${STORM_SECONDS} s across ${STORM_GROUPS} groups, one chat (storm.max_cards 10 per 60 s, card_update_every_ms 1000), as test/alerts/storm.test.ts ──`);
  const t = await createTestHub({ sections: { alerts: { sources: SOURCES, routes: [{ name: 'all', chats: [DEMO_CHAT_ID] }], storm: { max_cards: 10, window_ms: 60_000 } } } });
  const failWatch = watchFailures(t);
  try {
    const url = t.hub.url!;
    await sleep(300);
    const calls = t.emulator.context.calls;
    const firstCall = calls.list.at(-1)?.id ?? 0;
    const messagesBefore = t.messages(DEMO_CHAT_ID).length;
    const startWall = Date.now();
    const start = performance.now();
    const statuses: number[] = [];
    let postingDone = false;
    let allShownAt = Infinity;
    let currentAt = Infinity;

    // Watches the chat while the storm runs: when is every incident shown, and every count current?
    const watcher = (async () => {
      const end = start + 120_000;
      while (performance.now() < end && currentAt === Infinity) {
        const incidents = await t.hub.alerts.incidents({ limit: 500 });
        const cards = botCards(t, DEMO_CHAT_ID).filter((m) => m.create_time >= startWall);
        const parsed = cards.map((m) => ({ title: titleOf(m.content), lines: cardLines(m.content) }));
        const shownIn = (id: string) => parsed.filter((c) => c.lines.some((l) => l.includes(`#${id}`)));
        if (allShownAt === Infinity && incidents.length === STORM_GROUPS && incidents.every((i) => shownIn(i.id).length > 0)) allShownAt = performance.now() - start;
        const total = incidents.reduce((n, i) => n + i.firing, 0);
        if (postingDone && total === STORM_ALERTS) {
          const current = incidents.every((i) =>
            shownIn(i.id).some((c) => c.title.startsWith(`[FIRING:${i.firing}] `) || c.lines.some((l) => l.includes(`#${i.id}`) && l.includes(`· ${i.firing} firing`))),
          );
          if (current) currentAt = performance.now() - start;
        }
        await sleep(50);
      }
    })();

    // Paced: alert i leaves at i × 10 ms, ten in flight at most (as the test).
    let next = 0;
    await Promise.all(
      Array.from({ length: 10 }, async () => {
        while (next < STORM_ALERTS) {
          const i = next++;
          const wait = start + (i * STORM_SECONDS * 1000) / STORM_ALERTS - performance.now();
          if (wait > 0) await sleep(wait);
          statuses.push(await post(url, stormAlert(i, startWall, STORM_GROUPS)));
        }
      }),
    );
    const postedS = (performance.now() - start) / 1000;
    postingDone = true;
    await watcher;
    await t.hub.alerts.settled();
    const incidents = await t.hub.alerts.incidents({ limit: 500 });
    const firing = incidents.reduce((n, i) => n + i.firing, 0);
    const apiCalls = calls.since(firstCall);
    const sends = apiCalls.filter((c) => c.method === 'POST' && c.path === '/open-apis/im/v1/messages');
    const patches = apiCalls.filter((c) => c.method === 'PATCH' && c.path.startsWith('/open-apis/im/v1/messages/'));
    const limited = apiCalls.filter((c) => c.status === 429);
    const messages = t.messages(DEMO_CHAT_ID).length - messagesBefore;
    const stats = t.hub.alerts.stats();
    const refused = statuses.filter((s) => s !== 200).length;
    console.log(`  posted ${fmt(STORM_ALERTS)} in ${postedS.toFixed(1)} s (${refused} not 200) → ${incidents.length} incidents holding ${fmt(firing)} firing alerts`);
    console.log(`  feishu-hub: ${messages} messages in the chat (${stats.cardsSent} incident cards + ${stats.summariesSent} summary, ${stats.folded} incidents folded), ${patches.length} card updates (${stats.cardsPatched} incident, ${stats.summariesPatched} summary), ${limited.length} × 429, ${stats.failures} delivery failures`);
    const failures = await failWatch.stop();
    console.log(`  inbox: ${failures.retried} events needed more than one attempt (${failures.dead} dead)${[...failures.byError].map(([e, n]) => `\n    ${n} × ${e}`).join('')}`);
    console.log(`  every incident shown in the chat ${(allShownAt / 1000).toFixed(2)} s after the storm began; every card/summary line showing its final count ${(currentAt / 1000).toFixed(2)} s after`);

    // The naive bridge: the same first alerts, each its own card, sent as they arrive, to a fresh chat.
    const res = await fetch(`${t.emulator.url}/__emulator/chats`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'naive bridge', bot: true }) });
    const bridgeChat = ((await res.json()) as { chat_id: string }).chat_id;
    const bridgeFirstCall = calls.list.at(-1)?.id ?? 0;
    const deliveredAt: number[] = [];
    let lost = 0;
    const b0 = performance.now();
    const bWall = Date.now();
    await Promise.all(
      Array.from({ length: BRIDGE_SAMPLE }, async (_, i) => {
        await sleep((i * STORM_SECONDS * 1000) / STORM_ALERTS);
        try {
          await t.hub.messenger.sendCard(bridgeChat, bridgeCard(stormAlert(i, bWall, STORM_GROUPS)));
          deliveredAt.push(performance.now() - b0);
        } catch {
          lost++;
        }
      }),
    );
    const bridgeS = Math.max(...deliveredAt) / 1000;
    const bridgeCalls = calls.since(bridgeFirstCall);
    const bridge429 = bridgeCalls.filter((c) => c.status === 429).length;
    const stored = botCards(t, bridgeChat).length;
    // Messages accepted by the platform per second, from the emulator's clock (first to last accepted send).
    const accepted = bridgeCalls.filter((c) => c.method === 'POST' && c.path === '/open-apis/im/v1/messages' && c.status === 200).map((c) => c.time);
    const span = (Math.max(...accepted) - Math.min(...accepted)) / 1000;
    const rate = (accepted.length - 1) / span;
    const sorted = [...deliveredAt].sort((a, b) => a - b);
    // Alerts 0…49 are the first of each group: when the 50th card is in, the chat shows every incident.
    const bridgeAllShown = sorted[STORM_GROUPS - 1] / 1000;
    const bridgeAllS = STORM_ALERTS / rate;
    console.log(`  naive bridge (measured on the first ${BRIDGE_SAMPLE} alerts, arriving 10 ms apart): ${stored} cards in ${bridgeS.toFixed(1)} s, ${rate.toFixed(2)} msgs/s to one chat, ${bridge429} × 429, ${lost} lost; every incident shown after ${bridgeAllShown.toFixed(1)} s; extrapolated from ${BRIDGE_SAMPLE} measured: ${fmt(STORM_ALERTS)} messages take ${bridgeAllS.toFixed(0)} s`);

    row({ figure: `storm: messages the hub sent to the chat (${fmt(STORM_ALERTS)} alerts, ${STORM_GROUPS} groups, 10 s)`, value: `${messages} (${stats.cardsSent} cards + ${stats.summariesSent} summary)`, reference: `naive bridge: ${fmt(STORM_ALERTS)} (one per alert)`, ratio: ratio(messages, STORM_ALERTS), floor: null, pass: null });
    row({ figure: 'storm: bridge messages ÷ hub messages', value: `${fmt(STORM_ALERTS)} ÷ ${messages}`, reference: null, ratio: ratio(STORM_ALERTS, messages), floor: null, pass: null });
    row({ figure: 'storm: card updates (PATCH) by the hub', value: `${patches.length} (${stats.cardsPatched} incident, ${stats.summariesPatched} summary)`, reference: `${fmt(STORM_ALERTS)} alerts`, ratio: ratio(patches.length, STORM_ALERTS), floor: null, pass: null });
    row({ figure: 'storm: 429s from the emulator (hub, whole storm)', value: `${limited.length} × 429`, reference: `naive bridge via messenger: ${bridge429} × 429`, ratio: null, floor: '0 × 429', pass: limited.length === 0 });
    row({ figure: 'storm: every alert in an incident', value: `${fmt(firing)} in ${incidents.length} incidents, ${refused} POSTs refused`, reference: `${fmt(STORM_ALERTS)} posted`, ratio: ratio(firing, STORM_ALERTS), floor: 'all accounted for', pass: firing === STORM_ALERTS && refused === 0 });
    row({ figure: `naive bridge: per-chat throughput (measured, first ${BRIDGE_SAMPLE} alerts)`, value: `${rate.toFixed(2)} msgs/s, ${bridge429} × 429, ${lost} lost`, reference: '5 msgs/s per chat (platform limit)', ratio: ratio(rate, 5), floor: null, pass: null });
    row({ figure: `naive bridge: time for all ${fmt(STORM_ALERTS)} alerts (extrapolated from ${BRIDGE_SAMPLE} measured)`, value: `${bridgeAllS.toFixed(0)} s`, reference: `hub: every card current after ${(currentAt / 1000).toFixed(1)} s`, ratio: ratio(bridgeAllS, currentAt / 1000), floor: null, pass: null });
    row({ figure: 'storm: time until the chat shows every incident', value: `hub ${(allShownAt / 1000).toFixed(2)} s`, reference: `naive bridge: ${bridgeAllShown.toFixed(1)} s (measured: the 50th card)`, ratio: ratio(allShownAt / 1000, bridgeAllShown), floor: null, pass: null });
  } finally {
    await t.close();
  }
}

const t0 = performance.now();
console.log(`alerts bench${quick ? ' (--quick)' : ''}: node ${process.version}, 127.0.0.1 only`);
if (ONLY.has('intake')) await intake();
if (ONLY.has('latency')) await latency();
if (ONLY.has('storm')) await storm();
console.log(`\ndone in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
reportResult({ name: 'alerts', rows });
process.exit(process.exitCode);
