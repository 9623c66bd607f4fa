/**
 * Inbound ack path, side by side on loopback, in one run:
 *   (a) hub   our receiver: raw-body signature + AES decryption + durable SQLite inbox (fsynced before the 200)
 *   (b) bare  a node:http server answering 200 {} (the ceiling)
 *   (c) sdk   the official SDK's EventDispatcher (encryptKey set: signature + decryption) behind express (the peer)
 * Each server runs in its own child process (bench/inbound-server.ts); the load generator runs in
 * this process with keep-alive connections (node:http Agent). Requests are signed and encrypted
 * before the clock starts. Targets are interleaved over several rounds and the median is reported,
 * so other load on the machine hits all three alike.
 *
 * Floors (issue 4): a/b ≥ 50 %, a/c ≥ 1×, paced p99 < 20 ms at 1,000 events/s.
 * Run: node bin/run-ts.js bench/inbound.ts [--requests 20000] [--connections 32] [--rounds 3] [--rate 1000] [--seconds 5]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { Agent, request } from 'node:http';
import { closeSync, fdatasyncSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { signPush, v2Event } from './inbound-load.js';

const arg = (name: string, fallback: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const REQUESTS = arg('requests', 20_000);
const CONNECTIONS = arg('connections', 32);
const ROUNDS = arg('rounds', 3);
const RATE = arg('rate', 1000);
const SECONDS = arg('seconds', 5);
const ENCRYPT_KEY = 'bench-encrypt-key-0123456789';
const TOKEN = 'bench-verification-token';
type Target = 'hub' | 'bare' | 'sdk';
const only = process.argv.includes('--only') ? (process.argv[process.argv.indexOf('--only') + 1] as Target) : undefined;
const TARGETS: Target[] = only ? [only] : ['hub', 'bare', 'sdk'];
const LABEL: Record<Target, string> = {
  hub: '(a) feishu-hub receiver (sig + AES + durable SQLite inbox)',
  bare: '(b) bare node:http 200 (ceiling)',
  sdk: '(c) official SDK EventDispatcher + express',
};

async function startServer(target: Target): Promise<{ child: ChildProcess; port: number }> {
  // BENCH_PROF=dir writes a CPU profile of each server (node --cpu-prof) for finding hot spots.
  const prof = process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, 'bin/run-ts.js', 'bench/inbound-server.ts', target, ENCRYPT_KEY, TOKEN], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /READY (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.once('exit', (code) => reject(new Error(`${target} server exited (${code})`)));
  });
  return { child, port };
}

function makeRequests(n: number, tag: string) {
  return [...Array(n)].map((_, i) => signPush(v2Event(`${tag}_${i}`, TOKEN), { encryptKey: ENCRYPT_KEY }));
}

function client(port: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const post = (req: { body: string; headers: Record<string, string> }) =>
    new Promise<number>((resolve, reject) => {
      const r = request({ host: '127.0.0.1', port, path: '/webhook/event', method: 'POST', agent, headers: { ...req.headers, 'content-length': Buffer.byteLength(req.body) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      r.on('error', reject);
      r.end(req.body);
    });
  return { post, close: () => agent.destroy() };
}

/** CPU time (user + system) a process has used, in ms, from /proc (Linux); NaN elsewhere. */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, USER_HZ = 100
  } catch {
    return NaN;
  }
}

const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Closed loop: CONNECTIONS senders, each sends its next request when the previous is acked. */
async function throughput(port: number, reqs: ReturnType<typeof makeRequests>) {
  const c = client(port);
  const lat: number[] = [];
  let non200 = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    [...Array(CONNECTIONS)].map(async () => {
      while (next < reqs.length) {
        const r = reqs[next++];
        const s = performance.now();
        if ((await c.post(r)) !== 200) non200++;
        lat.push(performance.now() - s);
      }
    }),
  );
  const secs = (performance.now() - t0) / 1000;
  c.close();
  lat.sort((x, y) => x - y);
  return { rps: reqs.length / secs, p50: pct(lat, 50), p99: pct(lat, 99), non200 };
}

/** Open loop at RATE/s: request i is due at t0 + i/RATE; latency counts from when it was due. */
async function paced(port: number, reqs: ReturnType<typeof makeRequests>) {
  const c = client(port);
  const lat: number[] = [];
  let non200 = 0;
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  let i = 0;
  while (i < reqs.length) {
    const now = performance.now();
    while (i < reqs.length && t0 + (i * 1000) / RATE <= now) {
      const due = t0 + (i * 1000) / RATE;
      pending.push(
        c.post(reqs[i]).then((status) => {
          if (status !== 200) non200++;
          lat.push(performance.now() - due);
        }),
      );
      i++;
    }
    await new Promise((r) => setTimeout(r, 1));
  }
  await Promise.all(pending);
  c.close();
  lat.sort((x, y) => x - y);
  return { p50: pct(lat, 50), p99: pct(lat, 99), max: lat[lat.length - 1], non200 };
}

type Run = { cpuPerEvent: number; rps: number; p50: number; p99: number; paced: { p50: number; p99: number; max: number }; non200: number };
const runs: Record<Target, Run[]> = { hub: [], bare: [], sdk: [] };
if (only) console.log(`only ${only}: ratios need all three targets`);

/** fdatasync latency of the temp disk: the hub's ack waits for one, so it bounds its latency. */
function fsyncProbe(): string {
  const file = join(tmpdir(), `feishu-hub-fsync-probe-${process.pid}`);
  const fd = openSync(file, 'w');
  const lat: number[] = [];
  for (let i = 0; i < 100; i++) {
    writeSync(fd, Buffer.alloc(4096, 1));
    const t = performance.now();
    fdatasyncSync(fd);
    lat.push(performance.now() - t);
  }
  closeSync(fd);
  unlinkSync(file);
  lat.sort((a, b) => a - b);
  return `fdatasync p50 ${pct(lat, 50).toFixed(2)} ms, p99 ${pct(lat, 99).toFixed(2)} ms; load average ${loadavg()[0].toFixed(2)}`;
}

console.log(`inbound ack benchmark — node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'})`);
console.log(`machine before: ${fsyncProbe()}`);
console.log(`load generator: this process (node:http keep-alive Agent); each server in its own child process; loopback 127.0.0.1`);
console.log(`throughput: ${REQUESTS} events, ${CONNECTIONS} concurrent connections, closed loop; paced: ${RATE}/s for ${SECONDS} s, open loop; ${ROUNDS} interleaved rounds, median reported\n`);

for (let round = 1; round <= ROUNDS; round++) {
  for (const target of TARGETS) {
    const { child, port } = await startServer(target);
    try {
      await throughput(port, makeRequests(2000, `warm${round}${target}`));
      const reqs = makeRequests(REQUESTS, `tp${round}${target}`);
      const cpu0 = cpuMs(child.pid!);
      const t = await throughput(port, reqs);
      const cpuPerEvent = ((cpuMs(child.pid!) - cpu0) * 1000) / REQUESTS;
      const p = await paced(port, makeRequests(RATE * SECONDS, `pc${round}${target}`));
      runs[target].push({ rps: t.rps, p50: t.p50, p99: t.p99, paced: p, non200: t.non200 + p.non200, cpuPerEvent });
      console.log(`round ${round} ${target.padEnd(4)} ${Math.round(t.rps).toString().padStart(6)} ev/s  server CPU ${cpuPerEvent.toFixed(0)} µs/event  p50 ${t.p50.toFixed(2)} ms  p99 ${t.p99.toFixed(2)} ms | paced p50 ${p.p50.toFixed(2)} ms  p99 ${p.p99.toFixed(2)} ms${t.non200 + p.non200 ? `  NON-200: ${t.non200 + p.non200}` : ''}`);
    } finally {
      child.kill('SIGINT');
      await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
    }
  }
}

console.log(`machine after: ${fsyncProbe()}`);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const summary = Object.fromEntries(
  TARGETS.map((t) => [
    t,
    {
      rps: median(runs[t].map((r) => r.rps)),
      cpu: median(runs[t].map((r) => r.cpuPerEvent)),
      p50: median(runs[t].map((r) => r.p50)),
      p99: median(runs[t].map((r) => r.p99)),
      pacedP50: median(runs[t].map((r) => r.paced.p50)),
      pacedP99: median(runs[t].map((r) => r.paced.p99)),
      non200: runs[t].reduce((s, r) => s + r.non200, 0),
    },
  ]),
) as Record<Target, { cpu: number; rps: number; p50: number; p99: number; pacedP50: number; pacedP99: number; non200: number }>;

console.log('\n' + 'target'.padEnd(60) + 'acked ev/s  CPU µs/ev   p50 ms   p99 ms  | paced@' + RATE + '/s p50   p99');
for (const t of TARGETS) {
  const s = summary[t];
  console.log(
    LABEL[t].padEnd(60) + Math.round(s.rps).toString().padStart(10) + s.cpu.toFixed(0).padStart(11) + s.p50.toFixed(2).padStart(9) + s.p99.toFixed(2).padStart(9) + '  |' + s.pacedP50.toFixed(2).padStart(14) + s.pacedP99.toFixed(2).padStart(7),
  );
}
if (only) process.exit(0);
const ab = summary.hub.rps / summary.bare.rps;
const ac = summary.hub.rps / summary.sdk.rps;
const checks = [
  { name: `a/b = ${(ab * 100).toFixed(0)} % of the bare server (floor 50 %)`, ok: ab >= 0.5 },
  { name: `a/c = ${ac.toFixed(2)}× the official SDK path (floor 1×)`, ok: ac >= 1 },
  { name: `paced p99 at ${RATE}/s = ${summary.hub.pacedP99.toFixed(2)} ms (floor < 20 ms)`, ok: summary.hub.pacedP99 < 20 },
  { name: `every request acked with 200 (hub ${summary.hub.non200}, bare ${summary.bare.non200}, sdk ${summary.sdk.non200} non-200)`, ok: TARGETS.every((t) => summary[t].non200 === 0) },
];
console.log('');
for (const c of checks) console.log(`${c.ok ? 'PASS' : 'FAIL'}  ${c.name}`);
process.exitCode = checks.every((c) => c.ok) ? 0 : 1;
