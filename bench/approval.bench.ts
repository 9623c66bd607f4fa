/**
 * Approval outcome to a downstream system: `node bin/run-ts.js bench/approval.bench.ts [instances]`
 * (or `npm run bench -- approval`; `--quick` → 30 instances, default 200).
 *
 * Each contender gets a fresh local emulator (127.0.0.1, real HTTP) and a downstream HTTP server.
 * The bench files N instances of the seeded Expense approval (two sequential nodes) with its own
 * lark.Client, then approves both tasks of each (task.approve, 10 instances at a time) and records
 * when the final approve call returned; the downstream server records when the call for that
 * instance arrived. Latency = arrival − final approve returned.
 *   feishu-hub  createHub() with the approval capability: a rule posting APPROVED instances to the
 *               downstream server (events from the emulator, outbox, signed HTTP)
 *   polling     a plain lark.Client polling instance.get for every pending instance every 2 s until
 *               APPROVED, then POSTing the downstream server
 * API calls per instance: the emulator's call log (GET /__emulator/state?calls_since=…) over the run,
 * minus the bench's own create and approve calls (by path; the bench reads task ids from the
 * emulator's state in-process, so it makes no instance.get of its own). Polling cost grows with how
 * long an instance stays pending; here instances are approved within seconds, so its figure is a floor.
 * The emulator's rate limits are switched off (POST /__emulator/rate-limits {enabled:false}): the
 * approval write APIs are 100/min per app and the bench itself files and approves 3 × N.
 * Floor: feishu-hub p99 < 1000 ms. Everything else is informational.
 */
import * as lark from '@larksuiteoapi/node-sdk';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createTestHub } from '../src/testing/index.js';
import { defaultProducts, startEmulator, type EmulatorHandle } from '../src/emulator/index.js';
import { approval, ApprovalState, EXPENSE_APPROVAL_CODE } from '../src/emulator/approval/index.js';
import { quick, reportResult } from './result.js';

const positional = process.argv.slice(2).filter((a) => !a.startsWith('--'));
const N = Number(positional[0] ?? (quick ? 30 : 200));
const CONCURRENCY = 10;
const POLL_MS = 2000;
const DRAIN_MS = 2000;
const RECONCILE_MS = 60_000;
const FLOOR_MS = 1000;
const SECRET = 'approval-bench-secret-0123456789';
const BENCH_PATHS = new Set(['POST /open-apis/approval/v4/instances', 'POST /open-apis/approval/v4/tasks/approve']);

const silent = { error: () => {}, warn: () => {}, info: () => {}, debug: () => {}, trace: () => {} };

interface Downstream {
  url: string;
  host: string;
  arrived: Map<string, number>;
  /** Date.now() at arrival, to line up with the emulator's and the hub's own times. */
  arrivedWall: Map<string, number>;
  waitAll(codes: string[], ms: number): Promise<void>;
  close(): Promise<unknown>;
}

async function downstream(): Promise<Downstream> {
  const arrived = new Map<string, number>();
  const arrivedWall = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      const wall = Date.now();
      try {
        const code = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { instance_code?: string }).instance_code;
        if (code && !arrived.has(code)) {
          arrived.set(code, at);
          arrivedWall.set(code, wall);
        }
      } catch {
        /* not ours */
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    host: `127.0.0.1:${port}`,
    arrived,
    arrivedWall,
    async waitAll(codes, ms) {
      const end = Date.now() + ms;
      while (codes.some((c) => !arrived.has(c))) {
        if (Date.now() > end) throw new Error(`timed out: ${codes.filter((c) => !arrived.has(c)).length} of ${codes.length} downstream calls missing`);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    close: () => new Promise((r) => server.close(r)),
  };
}

async function control(emu: EmulatorHandle, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(`${emu.url}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  if (!res.ok) throw new Error(`${method} ${path}: ${res.status}`);
  return res.json();
}

const lastCallId = async (emu: EmulatorHandle) => {
  const calls = (await control(emu, 'GET', '/__emulator/state')).calls as { id: number }[];
  return calls.length ? calls[calls.length - 1].id : 0;
};
const callsSince = async (emu: EmulatorHandle, since: number) =>
  (await control(emu, 'GET', `/__emulator/state?calls_since=${since}`)).calls as { id: number; method: string; path: string; status: number }[];

const sdkFor = (emu: EmulatorHandle) =>
  new lark.Client({ appId: emu.app.appId, appSecret: emu.app.appSecret, domain: emu.url, cache: new lark.DefaultCache(), loggerLevel: lark.LoggerLevel.error, logger: silent });

async function fileExpense(client: lark.Client, i: number): Promise<string> {
  const form = JSON.stringify([
    { id: 'amount', type: 'amount', value: 100 + i },
    { id: 'reason', type: 'textarea', value: `bench ${i}` },
    { id: 'date', type: 'date', value: '2026-12-01T09:00:00+08:00' },
  ]);
  const res = await client.approval.v4.instance.create({ data: { approval_code: EXPENSE_APPROVAL_CODE, user_id: 'bob', form } });
  if (res.code !== 0 || !res.data?.instance_code) throw new Error(`create: code ${res.code}`);
  return res.data.instance_code;
}

/**
 * Approves the pending task node after node (task ids read from the emulator in-process); returns
 * when the final decision was made: the last approve call returned, or (viaCard) the moment the
 * approver's click on the hub's approval card was sent (the emulator's click endpoint, which runs
 * the card callback to the hub as Feishu does; the hub then approves the task).
 */
async function approveAll(emu: EmulatorHandle, client: lark.Client, code: string, viaCard = false): Promise<number> {
  const state = emu.context.slice(ApprovalState);
  let last = 0;
  for (let round = 0; round < 2; round++) {
    const task = state.instances.get(code)?.tasks.find((t) => t.status === 'PENDING');
    if (!task) throw new Error(`no pending task on ${code} (round ${round})`);
    if (viaCard && round === 1) {
      const card = await cardFor(emu, code, task.id);
      last = performance.now();
      const res = await fetch(`${emu.url}/__emulator/messages/${card.messageId}/actions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ operator: task.open_id, value: card.value, form_value: { comment: 'ok' }, tag: 'button' }) });
      if (!res.ok) throw new Error(`click: HTTP ${res.status}`);
      break;
    }
    const res = await client.approval.v4.task.approve({
      params: { user_id_type: 'open_id' },
      data: { approval_code: EXPENSE_APPROVAL_CODE, instance_code: code, user_id: task.open_id, task_id: task.id, comment: 'ok' },
    });
    last = performance.now();
    if (res.code !== 0) throw new Error(`approve: code ${res.code}`);
  }
  const end = Date.now() + 10_000;
  while (state.instances.get(code)?.status !== 'APPROVED') {
    if (Date.now() > end) throw new Error(`${code} not APPROVED after two approvals`);
    await new Promise((r) => setTimeout(r, 5));
  }
  return last;
}

/** The hub's approval card for a task (waits for it): its message and the Approve button's value. */
async function cardFor(emu: EmulatorHandle, code: string, taskId: string): Promise<{ messageId: string; value: unknown }> {
  // Cards to one approver are paced by Feishu's 5 messages/s per user: 200 of them take ~40 s.
  const end = Date.now() + 120_000;
  for (;;) {
    for (const m of emu.state.messages.values()) {
      if (m.msg_type !== 'interactive' || m.sender.id !== emu.app.appId || !m.content.includes(taskId)) continue;
      const body = JSON.parse(m.content) as { body?: { elements?: { elements?: { behaviors?: { type: string; value: { action?: string } }[] }[] }[] } };
      const value = body.body?.elements?.flatMap((e) => e.elements ?? []).map((e) => e.behaviors?.find((b) => b.type === 'callback')?.value).find((v) => v?.action === 'approval.approve');
      if (value) return { messageId: m.message_id, value };
    }
    if (Date.now() > end) throw new Error(`no approval card for task ${taskId} of ${code}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

interface Outcome {
  name: string;
  /** Where the time of the slowest instances went (feishu-hub only). */
  trace?: string[];
  codes?: string[];
  approvedWall?: Map<string, number>;
  latencies: number[];
  calls: number;
  byPath: Map<string, number>;
  setupCalls: number;
  seconds: number;
}

/** Files and approves N instances; `track` is told of each new instance (the polling loop needs it). */
async function drive(emu: EmulatorHandle, down: Downstream, name: string, setupCalls: number, track?: (code: string) => void, viaCard = false): Promise<Outcome> {
  const client = sdkFor(emu);
  await client.approval.v4.approval.get({ path: { approval_code: EXPENSE_APPROVAL_CODE } }); // the bench's token, before the window
  const since = await lastCallId(emu);
  const started = performance.now();
  const codes: string[] = [];
  for (let i = 0; i < N; i++) {
    const code = await fileExpense(client, i);
    codes.push(code);
    track?.(code);
  }
  const approvedAt = new Map<string, number>();
  const approvedWall = new Map<string, number>();
  await pool(codes, CONCURRENCY, async (code) => {
    approvedAt.set(code, await approveAll(emu, client, code, viaCard));
    approvedWall.set(code, Date.now() - (performance.now() - approvedAt.get(code)!));
  });
  await down.waitAll(codes, 60_000);
  const seconds = (performance.now() - started) / 1000;
  const calls = (await callsSince(emu, since)).filter((c) => !BENCH_PATHS.has(`${c.method} ${c.path}`));
  const byPath = new Map<string, number>();
  const route = (c: { method: string; path: string }) => `${c.method} ${c.path.replace(/\/(?:[0-9A-F-]{36}|\d{6,}|o[mcu]_[0-9a-z]+)/gi, '/:id')}`;
  for (const c of calls) byPath.set(route(c), (byPath.get(route(c)) ?? 0) + 1);
  return { name, latencies: codes.map((c) => down.arrived.get(c)! - approvedAt.get(c)!), calls: calls.length, byPath, setupCalls, seconds, codes, approvedWall };
}

async function freshEmulator(): Promise<EmulatorHandle> {
  const emu = await startEmulator({ port: 0, host: '127.0.0.1', products: defaultProducts.some((p) => p.name === 'approval') ? defaultProducts : [...defaultProducts, approval] });
  await control(emu, 'POST', '/__emulator/rate-limits', { enabled: false });
  return emu;
}

/** The hub and its local Feishu as tests and `npm start` wire them (createTestHub), rate limits off. */
async function hubContender(viaCard: boolean): Promise<Outcome> {
  process.env.APPROVAL_BENCH_SECRET = SECRET;
  const down = await downstream();
  const t = await createTestHub({
    sections: {
      approvals: {
        drain_every_ms: DRAIN_MS,
        reconcile_every_ms: RECONCILE_MS,
        approver_cards: viaCard ? [EXPENSE_APPROVAL_CODE] : [],
        rules: [{ name: 'erp', code: EXPENSE_APPROVAL_CODE, status: 'APPROVED', http: { url: down.url, secret_env: 'APPROVAL_BENCH_SECRET', allow_hosts: [down.host] } }],
      },
    },
  });
  try {
    await control(t.emulator, 'POST', '/__emulator/rate-limits', { enabled: false });
    await new Promise((r) => setTimeout(r, 300)); // start-up calls (token, subscribe) settle
    const setupCalls = (await callsSince(t.emulator, 0)).length;
    const outcome = await drive(t.emulator, down, viaCard ? 'feishu-hub, card click' : 'feishu-hub, task API', setupCalls, undefined, viaCard);
    outcome.trace = await traceSlowest(t, down, outcome);
    return outcome;
  } finally {
    await t.close();
    await down.close();
    delete process.env.APPROVAL_BENCH_SECRET;
  }
}

/**
 * For the three slowest instances: decided → the emulator pushed APPROVED (its first attempt, and
 * how long the hub took to answer it) → the hub recorded the transition → the outbox row ended →
 * the downstream call arrived. All wall-clock ms on this machine.
 */
async function traceSlowest(t: Awaited<ReturnType<typeof createTestHub>>, down: Downstream, o: Outcome): Promise<string[]> {
  const events = ((await control(t.emulator, 'GET', '/__emulator/events')).events ?? []) as { type: string; created_at: number; envelope: { event?: { instance_code?: string; status?: string } }; attempts: { at: number; duration_ms?: number; status?: number }[] }[];
  const db = t.hub.store!.db as any;
  const slowest = [...o.codes!].sort((a, b) => down.arrivedWall.get(b)! - o.approvedWall!.get(b)! - (down.arrivedWall.get(a)! - o.approvedWall!.get(a)!)).slice(0, 3);
  const out: string[] = [];
  for (const code of slowest) {
    const t0 = o.approvedWall!.get(code)!;
    const push = events.find((e) => e.type === 'approval_instance' && e.envelope.event?.instance_code === code && e.envelope.event?.status === 'APPROVED');
    const tr = await db.selectFrom('approval_transitions').selectAll().where('instance_code', '=', code).where('status', '=', 'APPROVED').executeTakeFirst();
    const run = await db.selectFrom('approval_action_runs').selectAll().where('instance_code', '=', code).where('status', '=', 'APPROVED').executeTakeFirst();
    const rel = (x: unknown) => (x === undefined || x === null ? '?' : `+${Number(x) - t0}`);
    const a = push?.attempts[0];
    out.push(`${code}: event created ${rel(push?.created_at)}, pushed ${rel(a?.at)} (answered in ${a?.duration_ms ?? '?'} ms, ${push?.attempts.length ?? 0} attempt(s)), transition ${rel(tr?.recorded_at)}, run created ${rel(run?.created_at)} ended ${rel(run?.updated_at)}, downstream ${rel(down.arrivedWall.get(code))} ms`);
  }
  return out;
}

async function pollingContender(): Promise<Outcome> {
  const emu = await freshEmulator();
  const down = await downstream();
  const poller = sdkFor(emu);
  const pending = new Set<string>();
  let busy = false;
  const tick = async () => {
    if (busy) return; // a round still running: skip, as a simple poller would
    busy = true;
    try {
      await Promise.all(
        [...pending].map(async (code) => {
          const res = await poller.approval.v4.instance.get({ path: { instance_id: code } });
          if (res.data?.status !== 'APPROVED') return;
          pending.delete(code);
          await fetch(down.url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ instance_code: code, status: 'APPROVED', approval_code: EXPENSE_APPROVAL_CODE }) });
        }),
      );
    } finally {
      busy = false;
    }
  };
  await poller.approval.v4.approval.get({ path: { approval_code: EXPENSE_APPROVAL_CODE } }); // its token, before the window (as the hub's start-up calls)
  const timer = setInterval(() => void tick().catch((err: unknown) => console.error('poll round failed:', err)), POLL_MS);
  try {
    return await drive(emu, down, 'polling (plain SDK)', 0, (code) => pending.add(code));
  } finally {
    clearInterval(timer);
    await emu.close();
    await down.close();
  }
}

const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};

console.log(`${N} Expense instances (2 sequential approvals each, ${CONCURRENCY} instances approved at a time); emulator rate limits switched off (the bench alone makes ${3 * N} write calls, over the 100/min approval limit)`);
console.log(`feishu-hub: drain_every_ms ${DRAIN_MS}, reconcile_every_ms ${RECONCILE_MS}; polling: instance.get every ${POLL_MS} ms for each pending instance\n`);
const hub = await hubContender(false);
const card = await hubContender(true);
const poll = await pollingContender();

const rowsOut = [
  ['contender', 'p50', 'p99', 'max', 'API calls', 'calls/instance', 'run'],
  ...[hub, card, poll].map((o) => [o.name, `${pct(o.latencies, 50).toFixed(1)} ms`, `${pct(o.latencies, 99).toFixed(1)} ms`, `${Math.max(...o.latencies).toFixed(1)} ms`, String(o.calls), (o.calls / N).toFixed(2), `${o.seconds.toFixed(1)} s`]),
];
const widths = rowsOut[0].map((_, i) => Math.max(...rowsOut.map((r) => r[i].length)));
for (const r of rowsOut) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   '));
for (const o of [hub, card, poll]) console.log(`\n${o.name} calls during the run: ${[...o.byPath].map(([k, v]) => `${k} × ${v}`).join(', ') || 'none'}`);
for (const o of [hub, card]) for (const line of o.trace ?? []) console.log(`${o.name} slow: ${line}`);
for (const o of [hub, card]) console.log(`${o.name}: instances over ${FLOOR_MS} ms: ${o.latencies.filter((x) => x >= FLOOR_MS).length} of ${N} (slowest: ${[...o.latencies].sort((a, b) => b - a).slice(0, 3).map((x) => x.toFixed(0)).join(', ')} ms)`);
console.log(`feishu-hub start-up calls (before the run, not per instance): ${hub.setupCalls}`);
console.log(`feishu-hub's calls per instance: one instance.get for the HTTP body (form values, applicant); with cards also the card's reads and send, the click's approve, reads and card update; its reconcile job (every ${RECONCILE_MS / 1000} s, ${hub.seconds < RECONCILE_MS / 1000 ? 'not reached in this run' : 'reached in this run'}) gets each instance still pending once per round`);
console.log('latency = downstream call arrived − final task.approve returned; polling calls/instance is a floor: it grows with how long an instance stays pending');

const hubP50 = pct(hub.latencies, 50);
const hubP99 = pct(hub.latencies, 99);
const pollP50 = pct(poll.latencies, 50);
const pollP99 = pct(poll.latencies, 99);
const ms = (x: number) => `${x.toFixed(1)} ms`;
reportResult({
  name: 'approval',
  rows: [
    { figure: `feishu-hub: final task.approve → downstream p99 (${N} instances)`, value: ms(hubP99), reference: `${FLOOR_MS} ms`, ratio: Number((hubP99 / FLOOR_MS).toFixed(3)), floor: `< ${FLOOR_MS} ms`, pass: hubP99 < FLOOR_MS },
    { figure: 'feishu-hub: approved → downstream p50', value: ms(hubP50), reference: `polling: ${ms(pollP50)}`, ratio: Number((hubP50 / pollP50).toFixed(3)), floor: null, pass: null },
    { figure: `feishu-hub: approver's card click → downstream p99 (${N} instances)`, value: ms(pct(card.latencies, 99)), reference: `${FLOOR_MS} ms`, ratio: Number((pct(card.latencies, 99) / FLOOR_MS).toFixed(3)), floor: `< ${FLOOR_MS} ms`, pass: pct(card.latencies, 99) < FLOOR_MS },
    { figure: 'feishu-hub: card click → downstream p50', value: ms(pct(card.latencies, 50)), reference: `polling: ${ms(pollP50)}`, ratio: Number((pct(card.latencies, 50) / pollP50).toFixed(3)), floor: null, pass: null },
    { figure: 'feishu-hub with approver cards: API calls per instance', value: (card.calls / N).toFixed(2), reference: `polling: ${(poll.calls / N).toFixed(2)}`, ratio: poll.calls ? Number((card.calls / poll.calls).toFixed(3)) : null, floor: null, pass: null },
    { figure: 'feishu-hub: API calls per instance (emulator call log)', value: (hub.calls / N).toFixed(2), reference: `polling: ${(poll.calls / N).toFixed(2)}`, ratio: poll.calls ? Number((hub.calls / poll.calls).toFixed(3)) : null, floor: null, pass: null },
    { figure: `polling every ${POLL_MS / 1000} s: approved → downstream p50 / p99`, value: `${ms(pollP50)} / ${ms(pollP99)}`, reference: null, ratio: null, floor: null, pass: null },
    { figure: 'polling: API calls per instance (floor: instances pending only seconds)', value: (poll.calls / N).toFixed(2), reference: null, ratio: null, floor: null, pass: null },
    { figure: 'p99 ratio: feishu-hub ÷ polling', value: `${ms(hubP99)} vs ${ms(pollP99)}`, reference: ms(pollP99), ratio: Number((hubP99 / pollP99).toFixed(3)), floor: null, pass: null },
  ],
});
process.exit(process.exitCode);
