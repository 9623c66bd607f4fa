/**
 * Inbound ack path, side by side on loopback, in one run:
 *   (a) hub   our receiver: raw-body signature + AES decryption + durable SQLite inbox (fsynced before the 200)
 *   (b) bare  a node:http server answering 200 {} (the ceiling)
 *   (c) sdk   the official SDK's EventDispatcher (encryptKey set: signature + decryption) behind express (the peer)
 * Every server runs in its own child process (bench/inbound-server.ts). The load generator
 * (node:http keep-alive Agent, bench/inbound-load.ts) runs in two placements, both reported:
 *   separate    in this process: on a 2-core machine the generator has one core, the server the other
 *   in-process  inside the server's process: server and generator share one event loop
 * Requests are signed and encrypted before the clock starts. Targets are interleaved over several
 * rounds and the median is reported, so other load on the machine hits all three alike.
 *
 * Floors (issue 4): a/b ≥ 50 %, a/c ≥ 1×, paced p99 < 20 ms at 1,000 events/s.
 * Run: node bin/run-ts.js bench/inbound.ts [--requests 20000] [--connections 32] [--rounds 3] [--rate 1000] [--seconds 5]
 *      [--placement separate|in-process|both] [--only hub|bare|sdk|fastify]   (BENCH_PROF=dir: CPU profiles of the servers)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fdatasyncSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pct, runAll, type RunParams, type RunResult } from './inbound-load.js';

const argValue = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const num = (name: string, fallback: number) => Number(argValue(name) ?? fallback);
const REQUESTS = num('requests', 20_000);
const CONNECTIONS = num('connections', 32);
const ROUNDS = num('rounds', 3);
const RATE = num('rate', 1000);
const SECONDS = num('seconds', 5);
const ENCRYPT_KEY = 'bench-encrypt-key-0123456789';
const TOKEN = 'bench-verification-token';
type Target = 'hub' | 'bare' | 'sdk' | 'fastify';
type Placement = 'separate' | 'in-process';
const only = argValue('only') as Target | undefined;
const TARGETS: Target[] = only ? [only] : ['hub', 'bare', 'sdk'];
const PLACEMENTS: Placement[] = argValue('placement') === 'separate' ? ['separate'] : argValue('placement') === 'in-process' ? ['in-process'] : ['separate', 'in-process'];
const LABEL: Record<Target, string> = {
  hub: '(a) feishu-hub receiver (sig + AES + durable SQLite inbox)',
  bare: '(b) bare node:http 200 (ceiling)',
  sdk: '(c) official SDK EventDispatcher + express',
  fastify: '(ref) Fastify answering {} (framework floor)',
};

function spawnServer(target: Target, selfload?: RunParams): ChildProcess {
  // BENCH_PROF=dir writes a CPU profile of each server (node --cpu-prof) for finding hot spots.
  const prof = process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [];
  const args = [...prof, 'bin/run-ts.js', 'bench/inbound-server.ts', target, ENCRYPT_KEY, TOKEN, ...(selfload ? [JSON.stringify(selfload)] : [])];
  return spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
}

function lineFrom(child: ChildProcess, prefix: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = new RegExp(`${prefix} (.+)\\n`).exec(out);
      if (m) resolve(m[1]);
    });
    child.once('exit', (code) => reject(new Error(`server exited (${code}) before "${prefix}"`)));
  });
}

/** CPU time (user + system, all threads) a process has used, in ms, from /proc (Linux). */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, USER_HZ = 100
  } catch {
    return NaN;
  }
}

async function measure(target: Target, placement: Placement, tag: string): Promise<RunResult> {
  const params: RunParams = { requests: REQUESTS, connections: CONNECTIONS, rate: RATE, seconds: SECONDS, encryptKey: ENCRYPT_KEY, token: TOKEN, tag };
  if (placement === 'in-process') {
    const child = spawnServer(target, params);
    return JSON.parse(await lineFrom(child, 'RESULT')) as RunResult;
  }
  const child = spawnServer(target);
  try {
    const port = Number(await lineFrom(child, 'READY'));
    return await runAll(port, params, () => cpuMs(child.pid!));
  } finally {
    child.kill('SIGINT');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('exit', r)));
  }
}

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

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const fmt = (n: number, d = 2) => n.toFixed(d);

console.log(`inbound ack benchmark — node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), loopback 127.0.0.1`);
console.log(`machine before: ${fsyncProbe()}`);
console.log(`load generator: node:http keep-alive Agent; placements: ${PLACEMENTS.join(', ')} (separate = this process, each server in its own child; in-process = inside the server's process)`);
console.log(`throughput: ${REQUESTS} events, ${CONNECTIONS} concurrent connections, closed loop; paced: ${RATE}/s for ${SECONDS} s, open loop; ${ROUNDS} interleaved rounds, median reported`);

let allOk = true;
for (const placement of PLACEMENTS) {
  console.log(`\n== generator ${placement} ==`);
  const runs = Object.fromEntries(TARGETS.map((t) => [t, [] as RunResult[]])) as Record<Target, RunResult[]>;
  for (let round = 1; round <= ROUNDS; round++) {
    for (const target of TARGETS) {
      const r = await measure(target, placement, `${placement}${round}${target}`);
      runs[target].push(r);
      console.log(
        `round ${round} ${target.padEnd(7)} ${Math.round(r.rps).toString().padStart(6)} ev/s  CPU ${fmt(r.cpuPerEvent, 0)} µs/event  p50 ${fmt(r.p50)} ms  p99 ${fmt(r.p99)} ms | paced p50 ${fmt(r.paced.p50)} ms  p99 ${fmt(r.paced.p99)} ms${r.non200 ? `  NON-200: ${r.non200}` : ''}`,
      );
    }
  }
  const s = Object.fromEntries(
    TARGETS.map((t) => {
      const rs = runs[t];
      return [t, { rps: median(rs.map((r) => r.rps)), cpu: median(rs.map((r) => r.cpuPerEvent)), p50: median(rs.map((r) => r.p50)), p99: median(rs.map((r) => r.p99)), pacedP50: median(rs.map((r) => r.paced.p50)), pacedP99: median(rs.map((r) => r.paced.p99)), non200: rs.reduce((n, r) => n + r.non200, 0) }];
    }),
  ) as Record<Target, { rps: number; cpu: number; p50: number; p99: number; pacedP50: number; pacedP99: number; non200: number }>;

  const cpuNote = placement === 'separate' ? 'server CPU' : 'server+generator CPU';
  console.log('\n' + 'target'.padEnd(60) + `acked ev/s  ${cpuNote} µs/ev   p50 ms   p99 ms  | paced@${RATE}/s p50   p99`);
  for (const t of TARGETS) {
    const x = s[t];
    console.log(LABEL[t].padEnd(60) + Math.round(x.rps).toString().padStart(10) + fmt(x.cpu, 0).padStart(cpuNote.length + 8) + fmt(x.p50).padStart(9) + fmt(x.p99).padStart(9) + '  |' + fmt(x.pacedP50).padStart(14) + fmt(x.pacedP99).padStart(7));
  }
  if (only) continue;
  const ab = s.hub.rps / s.bare.rps;
  const ac = s.hub.rps / s.sdk.rps;
  const checks = [
    { name: `a/b = ${(ab * 100).toFixed(0)} % of the bare server (floor 50 %)`, ok: ab >= 0.5 },
    { name: `a/c = ${ac.toFixed(2)}× the official SDK path (floor 1×)`, ok: ac >= 1 },
    { name: `paced p99 at ${RATE}/s = ${fmt(s.hub.pacedP99)} ms (floor < 20 ms)`, ok: s.hub.pacedP99 < 20 },
    { name: `every request acked with 200 (non-200: hub ${s.hub.non200}, bare ${s.bare.non200}, sdk ${s.sdk.non200})`, ok: TARGETS.every((t) => s[t].non200 === 0) },
  ];
  console.log('');
  for (const c of checks) console.log(`${c.ok ? 'PASS' : 'FAIL'}  [${placement}] ${c.name}`);
  allOk &&= checks.every((c) => c.ok);
}
console.log(`\nmachine after: ${fsyncProbe()}`);
process.exitCode = allOk ? 0 : 1;
