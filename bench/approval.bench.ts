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
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHub, loadConfig, type Hub } from '../src/index.js';
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
  waitAll(codes: string[], ms: number): Promise<void>;
  close(): Promise<unknown>;
}

async function downstream(): Promise<Downstream> {
  const arrived = new Map<string, number>();
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = performance.now();
      try {
        const code = (JSON.parse(Buffer.concat(chunks).toString('utf8')) as { instance_code?: string }).instance_code;
        if (code && !arrived.has(code)) arrived.set(code, at);
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

/** Approves the pending task node after node (task ids read from the emulator in-process); returns when the last approve returned. */
async function approveAll(emu: EmulatorHandle, client: lark.Client, code: string): Promise<number> {
  const state = emu.context.slice(ApprovalState);
  let last = 0;
  for (let round = 0; round < 2; round++) {
    const task = state.instances.get(code)?.tasks.find((t) => t.status === 'PENDING');
    if (!task) throw new Error(`no pending task on ${code} (round ${round})`);
    const res = await client.approval.v4.task.approve({
      params: { user_id_type: 'open_id' },
      data: { approval_code: EXPENSE_APPROVAL_CODE, instance_code: code, user_id: task.open_id, task_id: task.id, comment: 'ok' },
    });
    last = performance.now();
    if (res.code !== 0) throw new Error(`approve: code ${res.code}`);
  }
  if (state.instances.get(code)?.status !== 'APPROVED') throw new Error(`${code} not APPROVED after two approvals`);
  return last;
}

async function pool<T>(items: T[], n: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(n, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]);
  }));
}

interface Outcome {
  name: string;
  latencies: number[];
  calls: number;
  byPath: Map<string, number>;
  setupCalls: number;
  seconds: number;
}

/** Files and approves N instances; `track` is told of each new instance (the polling loop needs it). */
async function drive(emu: EmulatorHandle, down: Downstream, name: string, setupCalls: number, track?: (code: string) => void): Promise<Outcome> {
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
  await pool(codes, CONCURRENCY, async (code) => void approvedAt.set(code, await approveAll(emu, client, code)));
  await down.waitAll(codes, 60_000);
  const seconds = (performance.now() - started) / 1000;
  const calls = (await callsSince(emu, since)).filter((c) => !BENCH_PATHS.has(`${c.method} ${c.path}`));
  const byPath = new Map<string, number>();
  for (const c of calls) byPath.set(`${c.method} ${c.path.replace(/\/[0-9A-F-]{36}|\/\d{6,}/gi, '/:id')}`, (byPath.get(`${c.method} ${c.path.replace(/\/[0-9A-F-]{36}|\/\d{6,}/gi, '/:id')}`) ?? 0) + 1);
  return { name, latencies: codes.map((c) => down.arrived.get(c)! - approvedAt.get(c)!), calls: calls.length, byPath, setupCalls, seconds };
}

async function freshEmulator(): Promise<EmulatorHandle> {
  const emu = await startEmulator({ port: 0, host: '127.0.0.1', products: defaultProducts.some((p) => p.name === 'approval') ? defaultProducts : [...defaultProducts, approval] });
  await control(emu, 'POST', '/__emulator/rate-limits', { enabled: false });
  return emu;
}

async function hubContender(): Promise<Outcome> {
  const dir = mkdtempSync(join(tmpdir(), 'feishu-hub-approval-bench-'));
  process.env.APPROVAL_BENCH_SECRET = SECRET;
  const emu = await freshEmulator();
  const down = await downstream();
  let hub: Hub | undefined;
  try {
    const config = loadConfig({
      env: {},
      file: undefined,
      overrides: {
        FEISHU_APP_ID: emu.app.appId,
        FEISHU_APP_SECRET: emu.app.appSecret,
        FEISHU_ENCRYPT_KEY: emu.app.encryptKey ?? '',
        FEISHU_VERIFICATION_TOKEN: emu.app.verificationToken ?? '',
        FEISHU_DOMAIN: emu.url,
        HUB_PORT: 0,
        DATABASE_URL: `sqlite:${join(dir, 'hub.db')}`,
        LOG_LEVEL: 'silent',
      },
    });
    hub = createHub({
      config,
      sections: {
        approvals: {
          drain_every_ms: DRAIN_MS,
          reconcile_every_ms: RECONCILE_MS,
          rules: [{ name: 'erp', code: EXPENSE_APPROVAL_CODE, status: 'APPROVED', http: { url: down.url, secret_env: 'APPROVAL_BENCH_SECRET', allow_hosts: [down.host] } }],
        },
      },
    });
    const { url } = await hub.start();
    await control(emu, 'PATCH', `/__emulator/apps/${emu.app.appId}`, { event_url: `${url}/webhook/event`, card_url: `${url}/webhook/card` });
    await new Promise((r) => setTimeout(r, 300)); // start-up calls (token, subscribe) settle
    const setupCalls = (await callsSince(emu, 0)).length;
    return await drive(emu, down, 'feishu-hub', setupCalls);
  } finally {
    await hub?.stop();
    await emu.close();
    await down.close();
    delete process.env.APPROVAL_BENCH_SECRET;
    rmSync(dir, { recursive: true, force: true });
  }
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
const hub = await hubContender();
const poll = await pollingContender();

const rowsOut = [
  ['contender', 'p50', 'p99', 'max', 'API calls', 'calls/instance', 'run'],
  ...[hub, poll].map((o) => [o.name, `${pct(o.latencies, 50).toFixed(1)} ms`, `${pct(o.latencies, 99).toFixed(1)} ms`, `${Math.max(...o.latencies).toFixed(1)} ms`, String(o.calls), (o.calls / N).toFixed(2), `${o.seconds.toFixed(1)} s`]),
];
const widths = rowsOut[0].map((_, i) => Math.max(...rowsOut.map((r) => r[i].length)));
for (const r of rowsOut) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('   '));
for (const o of [hub, poll]) console.log(`\n${o.name} calls during the run: ${[...o.byPath].map(([k, v]) => `${k} × ${v}`).join(', ') || 'none'}`);
console.log(`feishu-hub instances over ${FLOOR_MS} ms: ${hub.latencies.filter((x) => x >= FLOOR_MS).length} of ${N} (slowest: ${[...hub.latencies].sort((a, b) => b - a).slice(0, 3).map((x) => x.toFixed(0)).join(', ')} ms)`);
console.log(`feishu-hub start-up calls (before the run, not per instance): ${hub.setupCalls}`);
console.log(`feishu-hub makes no API call per instance while events arrive; its reconcile job (every ${RECONCILE_MS / 1000} s, ${hub.seconds < RECONCILE_MS / 1000 ? 'not reached in this run' : 'reached in this run'}) gets each instance still pending once per round`);
console.log('latency = downstream call arrived − final task.approve returned; polling calls/instance is a floor: it grows with how long an instance stays pending');

const hubP50 = pct(hub.latencies, 50);
const hubP99 = pct(hub.latencies, 99);
const pollP50 = pct(poll.latencies, 50);
const pollP99 = pct(poll.latencies, 99);
const ms = (x: number) => `${x.toFixed(1)} ms`;
reportResult({
  name: 'approval',
  rows: [
    { figure: `feishu-hub: approved → downstream p99 (${N} instances)`, value: ms(hubP99), reference: `${FLOOR_MS} ms`, ratio: Number((hubP99 / FLOOR_MS).toFixed(3)), floor: `< ${FLOOR_MS} ms`, pass: hubP99 < FLOOR_MS },
    { figure: 'feishu-hub: approved → downstream p50', value: ms(hubP50), reference: `polling: ${ms(pollP50)}`, ratio: Number((hubP50 / pollP50).toFixed(3)), floor: null, pass: null },
    { figure: 'feishu-hub: API calls per instance (emulator call log)', value: (hub.calls / N).toFixed(2), reference: `polling: ${(poll.calls / N).toFixed(2)}`, ratio: poll.calls ? Number((hub.calls / poll.calls).toFixed(3)) : null, floor: null, pass: null },
    { figure: `polling every ${POLL_MS / 1000} s: approved → downstream p50 / p99`, value: `${ms(pollP50)} / ${ms(pollP99)}`, reference: null, ratio: null, floor: null, pass: null },
    { figure: 'polling: API calls per instance (floor: instances pending only seconds)', value: (poll.calls / N).toFixed(2), reference: null, ratio: null, floor: null, pass: null },
    { figure: 'p99 ratio: feishu-hub ÷ polling', value: `${ms(hubP99)} vs ${ms(pollP99)}`, reference: ms(pollP99), ratio: Number((hubP99 / pollP99).toFixed(3)), floor: null, pass: null },
  ],
});
process.exit(process.exitCode);
