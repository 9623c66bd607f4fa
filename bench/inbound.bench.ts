/**
 * Inbound ack path, side by side on loopback, in one run:
 *   (a) hub   our receiver: raw-body signature + AES decryption + durable SQLite inbox (fsynced before the 200)
 *   (b) bare  a node:http server answering 200 {} (the ceiling)
 *   (c) sdk   the official SDK's EventDispatcher (encryptKey set: signature + decryption) behind express (the peer)
 *   (a') hub-normal  (a) with ?synchronous=normal, for information: what the fsync before each ack costs
 * Each server runs in its own child process (bench/inbound-server.ts), all four started once.
 * The load generator (node:http keep-alive Agent, bench/inbound-load.ts) runs in two placements:
 *   separate    in this process (on a 2-core machine: the generator has one core, the server the other)
 *   in-process  inside the server's own process (server and generator share one event loop)
 * Requests are signed and encrypted before the clock starts. Short throughput bursts alternate
 * between the targets for several rounds; ratios are taken per round (hub and bare measured
 * seconds apart see the same machine) and the median is reported, so load from other processes
 * does not decide the result. Paced runs (open loop, latency from the scheduled send time) alternate too.
 *
 * Floors, per placement: a/c ≥ 2× (the acceptance: at least twice the SDK + express path), paced p99
 * < 20 ms at 1,000 events/s, every request answered 200. a/b (the share of the bare server, once a
 * floor of 50 %) and a'/b are printed for information.
 * Run: npm run bench -- inbound [--quick], or
 *      node bin/run-ts.js bench/inbound.bench.ts [--rounds 7] [--requests 5000] [--connections 32]
 *      [--rate 1000] [--seconds 3] [--paced-rounds 3] [--placement separate|in-process|both] [--quick]
 *      (--quick: 3 rounds and 1 paced round unless given; BENCH_PROF=dir: CPU profiles of the servers)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, fdatasyncSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pct, runLoad, type LoadCommand, type LoadResult } from './inbound-load.js';
import { quick, reportResult, type BenchRow } from './result.js';

const argValue = (name: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const num = (name: string, fallback: number) => Number(argValue(name) ?? fallback);
const ROUNDS = num('rounds', quick ? 3 : 7);
const REQUESTS = num('requests', 5000);
const CONNECTIONS = num('connections', 32);
const RATE = num('rate', 1000);
const SECONDS = num('seconds', 3);
const PACED_ROUNDS = num('paced-rounds', quick ? 1 : 3);
const AC_FLOOR = 2;
const ENCRYPT_KEY = 'bench-encrypt-key-0123456789';
const TOKEN = 'bench-verification-token';
type Target = 'hub' | 'bare' | 'sdk' | 'hub-normal';
type Placement = 'separate' | 'in-process';
const TARGETS: Target[] = ['hub', 'bare', 'sdk', 'hub-normal'];
const placementArg = argValue('placement') ?? 'both';
const PLACEMENTS: Placement[] = placementArg === 'both' ? ['separate', 'in-process'] : [placementArg as Placement];
const LABEL: Record<Target, string> = {
  hub: '(a) feishu-hub receiver (sig + AES + durable SQLite inbox)',
  bare: '(b) bare node:http 200 (ceiling)',
  sdk: '(c) official SDK EventDispatcher + express',
  'hub-normal': "(a') (a) with ?synchronous=normal (no fsync: process-crash safe only)",
};

interface Server {
  child: ChildProcess;
  port: number;
}

async function startServer(target: Target): Promise<Server> {
  // BENCH_PROF=dir writes a CPU profile of each server (node --cpu-prof) for finding hot spots.
  const prof = process.env.BENCH_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROF}`] : [];
  const child = spawn(process.execPath, [...prof, 'bin/run-ts.js', 'bench/inbound-server.ts', target, ENCRYPT_KEY, TOKEN], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
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

/** CPU time (user + system, all threads) a process has used, in ms, from /proc (Linux). */
function cpuMs(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, USER_HZ = 100
  } catch {
    return NaN;
  }
}

function run(server: Server, placement: Placement, cmd: LoadCommand): Promise<LoadResult> {
  if (placement === 'separate') return runLoad(server.port, cmd, () => cpuMs(server.child.pid!));
  return new Promise((resolve, reject) => {
    server.child.once('message', (m: { ok: boolean; result?: LoadResult; error?: string }) => (m.ok ? resolve(m.result!) : reject(new Error(m.error))));
    server.child.send(cmd);
  });
}

/** fdatasync latency of the temp disk: the hub's ack waits for one, so it bounds its latency. */
function machineNote(): string {
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
const f = (n: number, d = 2) => n.toFixed(d);

console.log(`inbound ack benchmark — node ${process.version}, ${cpus().length} CPUs (${cpus()[0]?.model ?? '?'}), loopback 127.0.0.1`);
console.log(`machine before: ${machineNote()}`);
console.log(`load generator: node:http keep-alive Agent, placements: ${PLACEMENTS.join(', ')}`);
console.log(`  separate = in this process, each server in its own child process; in-process = inside each server's process`);
console.log(`throughput: ${ROUNDS} rounds × ${REQUESTS} events per target, ${CONNECTIONS} concurrent connections, closed loop, targets alternating`);
console.log(`paced: ${PACED_ROUNDS} rounds × ${SECONDS} s at ${RATE}/s per target, open loop (latency from the scheduled send time)`);

const servers = {} as Record<Target, Server>;
for (const t of TARGETS) servers[t] = await startServer(t);
const rows: BenchRow[] = [];
try {
  for (const placement of PLACEMENTS) {
    console.log(`\n== generator ${placement} ==`);
    const base = { connections: CONNECTIONS, encryptKey: ENCRYPT_KEY, token: TOKEN };
    for (const t of TARGETS) await run(servers[t], placement, { type: 'throughput', requests: 2000, tag: `warm-${placement}-${t}`, ...base });
    const tp = Object.fromEntries(TARGETS.map((t) => [t, [] as LoadResult[]])) as Record<Target, LoadResult[]>;
    const ratioAB: number[] = [];
    const ratioAC: number[] = [];
    const ratioNormal: number[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      const line: string[] = [];
      for (const t of TARGETS) {
        const r = await run(servers[t], placement, { type: 'throughput', requests: REQUESTS, tag: `tp-${placement}-${round}-${t}`, ...base });
        tp[t].push(r);
        line.push(`${t} ${Math.round(r.rps!)}/s ${f((r.cpuMs * 1000) / REQUESTS, 0)}µs`);
      }
      ratioAB.push(tp.hub[round - 1].rps! / tp.bare[round - 1].rps!);
      ratioAC.push(tp.hub[round - 1].rps! / tp.sdk[round - 1].rps!);
      ratioNormal.push(tp['hub-normal'][round - 1].rps! / tp.bare[round - 1].rps!);
      console.log(`round ${round}: ${line.join('  ')}  a/b ${f(ratioAB.at(-1)! * 100, 0)} %  a/c ${f(ratioAC.at(-1)!)}×  a'/b ${f(ratioNormal.at(-1)! * 100, 0)} %`);
    }
    const pc = Object.fromEntries(TARGETS.map((t) => [t, [] as LoadResult[]])) as Record<Target, LoadResult[]>;
    for (let round = 1; round <= PACED_ROUNDS; round++) {
      for (const t of TARGETS) pc[t].push(await run(servers[t], placement, { type: 'paced', rate: RATE, seconds: SECONDS, tag: `pc-${placement}-${round}-${t}`, encryptKey: ENCRYPT_KEY, token: TOKEN }));
      console.log(`paced round ${round}: ${TARGETS.map((t) => `${t} p99 ${f(pc[t].at(-1)!.p99)} ms`).join('  ')}`);
    }

    const cpuLabel = placement === 'separate' ? 'server CPU' : 'srv+gen CPU';
    console.log('\n' + 'median over rounds'.padEnd(60) + `acked ev/s  ${cpuLabel} µs/ev  p50 ms  p99 ms | paced@${RATE}/s p50  p99 (worst round)`);
    for (const t of TARGETS) {
      const rs = tp[t];
      const cpu = median(rs.map((r) => (r.cpuMs * 1000) / REQUESTS));
      const pacedP99s = pc[t].map((r) => r.p99);
      console.log(
        LABEL[t].padEnd(60) +
          Math.round(median(rs.map((r) => r.rps!))).toString().padStart(10) +
          f(cpu, 0).padStart(cpuLabel.length + 8) +
          f(median(rs.map((r) => r.p50))).padStart(8) +
          f(median(rs.map((r) => r.p99))).padStart(8) +
          ' |' +
          f(median(pc[t].map((r) => r.p50))).padStart(13) +
          f(median(pacedP99s)).padStart(6) +
          ` (${f(Math.max(...pacedP99s))})`,
      );
    }
    const ab = median(ratioAB);
    const ac = median(ratioAC);
    const abNormal = median(ratioNormal);
    const pacedP99 = median(pc.hub.map((r) => r.p99));
    const non200 = TARGETS.map((t) => [...tp[t], ...pc[t]].reduce((n, r) => n + r.non200, 0));
    const rps = (t: Target) => Math.round(median(tp[t].map((r) => r.rps!)));
    const evs = (t: Target) => `${rps(t).toLocaleString('en-US')} ev/s`;
    // Paced runs of hub-normal add nothing to the floors; they run anyway for the table.
    console.log(`\n(info) a/b = ${f(ab * 100, 1)} % of the bare server (median of per-round ratios; not a floor)`);
    console.log(`(info) a'/b = ${f(abNormal * 100, 0)} % of the bare server with ?synchronous=normal (the default acks only after fdatasync)`);
    const checks = [
      { name: `a/c = ${f(ac)}× the official SDK path (median of per-round ratios; floor ${AC_FLOOR}×)`, ok: ac >= AC_FLOOR },
      { name: `paced p99 at ${RATE}/s = ${f(pacedP99)} ms (median of rounds; floor < 20 ms)`, ok: pacedP99 < 20 },
      { name: `every request acked with 200 (non-200: hub ${non200[0]}, bare ${non200[1]}, sdk ${non200[2]}, hub-normal ${non200[3]})`, ok: non200.every((n) => n === 0) },
    ];
    console.log('');
    for (const c of checks) console.log(`${c.ok ? 'PASS' : 'FAIL'}  [${placement}] ${c.name}`);
    const where = `[generator ${placement}]`;
    rows.push(
      { figure: `a/c: receiver vs SDK EventDispatcher + express ${where}`, value: evs('hub'), reference: evs('sdk'), ratio: Number(f(ac, 3)), floor: `≥ ${AC_FLOOR}×`, pass: checks[0].ok },
      { figure: `a/b: receiver vs bare node:http ${where}`, value: evs('hub'), reference: evs('bare'), ratio: Number(f(ab, 3)), floor: null, pass: null },
      { figure: `a'/b: receiver with ?synchronous=normal vs bare ${where}`, value: evs('hub-normal'), reference: evs('bare'), ratio: Number(f(abNormal, 3)), floor: null, pass: null },
      { figure: `paced p99 ack latency at ${RATE}/s ${where}`, value: `${f(pacedP99)} ms`, reference: `SDK ${f(median(pc.sdk.map((r) => r.p99)))} ms`, ratio: null, floor: '< 20 ms', pass: checks[1].ok },
      { figure: `non-200 answers ${where}`, value: non200[0], reference: `bare ${non200[1]}, SDK ${non200[2]}`, ratio: null, floor: '0', pass: checks[2].ok },
    );
  }
} finally {
  for (const s of Object.values(servers)) s.child.kill('SIGINT');
}
console.log(`\nmachine after: ${machineNote()}`);
reportResult({ name: 'inbound', rows });
