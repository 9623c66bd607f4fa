/**
 * Org-chart sync: `node bin/run-ts.js bench/directory.bench.ts` (or `npm run bench -- directory`;
 * `--quick` → 1,000 people in 100 departments and 50 event changes; default 5,000 / 500 and 300).
 *
 * A hub (createTestHub: in-process emulator, real HTTP, SQLite) with the directory capability; the
 * emulator's directory is replaced by a generated organisation (POST /__emulator/directory/seed),
 * then `hub.directory.sync()` runs a full sync. The emulator enforces the contact tier (tier 4:
 * 50/s and 1000/min per app and API) and so does the hub's limiter. The minimum the limits allow is
 * computed from the calls the sync made, API by API (the emulator's call log): at most 50 calls of
 * one API start in any second and 1000 in any minute, so an API called n times needs at least
 * max(⌊(n − 1) / 50⌋ s, ⌊(n − 1) / 1000⌋ min) from its first call to its last; the APIs have
 * separate limits, so the minimum is the largest of them. Ratio = measured ÷ that minimum (1.0 = as fast as allowed).
 * Then events → store: N people renamed one after another through the emulator's control route
 * (which pushes contact.user.updated_v3); latency = the hook's call (the change is in the store)
 * − the route's answer.
 * Floors: the full sync within 1.5× the minimum the limits allow, no 429; events → store p99 < 500 ms.
 */
import { createTestHub } from '../src/testing/index.js';
import { quick, reportResult, type BenchRow } from './result.js';

const USERS = quick ? 1000 : 5000;
const DEPARTMENTS = quick ? 100 : 500;
const CHANGES = quick ? 50 : 300;
const PER_SECOND = 50;
const PER_MINUTE = 1000;

const t = await createTestHub({ sections: { directory: { enabled: true, reconcile_every_ms: 3_600_000 } } });
const emu = t.emulator;
const ctl = async (method: string, path: string, body?: unknown) => {
  const res = await fetch(`${emu.url}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
  return res.json() as Promise<any>;
};

await ctl('POST', '/__emulator/directory/seed', { users: USERS, departments: DEPARTMENTS, seed: 'bench' });
const callsBefore = emu.state.calls.at(-1)?.id ?? 0;
// Past the first minute's window of the start sync's calls.
await new Promise((r) => setTimeout(r, 1100));
let last = 0;
const started = performance.now();
const result = await t.hub.directory.sync({
  onProgress: (p) => {
    if (p.elapsedMs - last < 2000 && p.phase !== 'done') return;
    last = p.elapsedMs;
    console.log(`  ${(p.elapsedMs / 1000).toFixed(1)} s  ${p.phase.padEnd(11)} ${p.departmentsDone}/${p.departments} departments  ${p.users} people  ${p.calls} calls`);
  },
});
const syncMs = performance.now() - started;
const calls = emu.state.calls.filter((c) => c.id > callsBefore);
const throttled = calls.filter((c) => c.status === 429).length;
const perApi = new Map<string, number>();
for (const c of calls) {
  if (!c.path.startsWith('/open-apis/contact/')) continue;
  const key = `${c.method} ${c.path.split('?')[0].replace(/\/od-[0-9a-f]+|\/0(?=\/)/g, '/:id')}`;
  perApi.set(key, (perApi.get(key) ?? 0) + 1);
}
const durations = new Map<string, number[]>();
for (const c of calls) if (c.path.startsWith('/open-apis/contact/')) durations.set(c.path.split('/').slice(4, 6).join('/'), [...(durations.get(c.path.split('/').slice(4, 6).join('/')) ?? []), c.duration_ms]);
console.log(`emulator time per call: ${[...durations].map(([k, v]) => `${k} avg ${(v.reduce((a, b) => a + b, 0) / v.length).toFixed(1)} ms`).join(', ')}`);
// At most 50 calls in any 1 s window and 1000 in any 60 s: the k-th call (from 0) cannot start before ⌊k/50⌋ s nor ⌊k/1000⌋ min.
const minFor = (n: number) => Math.max(Math.floor((n - 1) / PER_SECOND), Math.floor((n - 1) / PER_MINUTE) * 60) * 1000;
const minMs = Math.max(...[...perApi.values()].map(minFor));
const contactCalls = [...perApi.values()].reduce((a, b) => a + b, 0);
console.log(`full sync: ${result.users} people, ${result.departments} departments, ${result.calls} calls (${[...perApi].map(([k, v]) => `${k}: ${v}`).join(', ')}) in ${(syncMs / 1000).toFixed(2)} s; the limits allow ${(minMs / 1000).toFixed(2)} s at best`);

// Events → store.
const latencies: number[] = [];
const hookAt = new Map<string, number>();
t.hub.directory.on('user.updated', (c) => void ('user' in c && hookAt.set(`${c.user.open_id}:${c.user.name}`, performance.now())));
const people = (await t.hub.directory.users()).slice(0, CHANGES);
for (const [i, u] of people.entries()) {
  const name = `Renamed ${i}`;
  await ctl('PATCH', `/__emulator/directory/users/${u.open_id}`, { name });
  const answered = performance.now();
  const key = `${u.open_id}:${name}`;
  const deadline = Date.now() + 10_000;
  while (!hookAt.has(key) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 1));
  if (hookAt.has(key)) latencies.push(hookAt.get(key)! - answered);
}
latencies.sort((a, b) => a - b);
const pct = (p: number) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? NaN;
console.log(`events → store: ${latencies.length}/${people.length} changes seen, p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms`);
await t.close();

const ratio = syncMs / minMs;
const rows: BenchRow[] = [
  { figure: `full sync ${USERS.toLocaleString('en')} people / ${DEPARTMENTS} departments (${contactCalls} contact calls) vs the minimum tier 4 allows`, value: `${(syncMs / 1000).toFixed(2)} s`, reference: `${(minMs / 1000).toFixed(2)} s`, ratio: Number(ratio.toFixed(2)), floor: '≤ 1.5×', pass: ratio <= 1.5 },
  { figure: 'HTTP 429 answers during the full sync', value: `${throttled} × 429`, reference: '0', ratio: null, floor: '0', pass: throttled === 0 },
  { figure: 'full sync throughput', value: `${Math.round(((result.users + result.departments) * 1000) / syncMs)} rows/s`, reference: null, ratio: null, floor: null, pass: null },
  { figure: `events → store p50 (${latencies.length} renames)`, value: `${pct(50).toFixed(1)} ms`, reference: null, ratio: null, floor: null, pass: null },
  { figure: 'events → store p99', value: `${pct(99).toFixed(1)} ms`, reference: '500 ms', ratio: Number((pct(99) / 500).toFixed(2)), floor: '< 500 ms', pass: pct(99) < 500 && latencies.length === people.length },
];
reportResult({ name: 'directory', rows });
