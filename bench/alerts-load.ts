/**
 * The load generator of bench/alerts.bench.ts (not a benchmark itself), run as its own process so
 * that it does not share the event loop of the server it measures (as Alertmanager would not):
 *   node bin/run-ts.js bench/alerts-load.ts '<LoadSpec as JSON>'
 * It prepares every body first (all distinct, serialised before the clock starts), sends `warmup`
 * of them, then `count` more through `connections` keep-alive connections (node:http Agent), each
 * connection sending its next POST when the previous one was answered (closed loop), and prints
 * one line `LOAD_RESULT {json}`.
 */
import { Agent, request } from 'node:http';
import { intakeBodies, LOAD_PREFIX, type LoadResult, type LoadSpec } from './alerts-payloads.js';

const spec = JSON.parse(process.argv[2] ?? '{}') as LoadSpec;
const agent = new Agent({ keepAlive: true, maxSockets: spec.connections });

function post(body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const r = request(
      { host: '127.0.0.1', port: spec.port, path: spec.path, method: 'POST', agent, headers: { 'content-type': 'application/json', authorization: `Bearer ${spec.token}`, 'content-length': Buffer.byteLength(body) } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    r.on('error', reject);
    r.end(body);
  });
}

async function run(bodies: string[]) {
  const latencies: number[] = new Array(bodies.length);
  const statuses: Record<string, number> = {};
  let ok = 0;
  let accepted = 0;
  let duplicates = 0;
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: spec.connections }, async () => {
      while (next < bodies.length) {
        const i = next++;
        const t0 = performance.now();
        const res = await post(bodies[i]);
        latencies[i] = performance.now() - t0;
        statuses[res.status] = (statuses[res.status] ?? 0) + 1;
        if (res.status !== 200) continue;
        ok++;
        const answer = JSON.parse(res.text) as { duplicate?: boolean; alerts?: number };
        if (answer.duplicate) duplicates++;
        else accepted += answer.alerts ?? 0;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  const endedAt = Date.now();
  const sorted = [...latencies].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  return { seconds, ok, accepted, duplicates, statuses, p50: at(50), p99: at(99), max: sorted[sorted.length - 1], endedAt };
}

const warm = intakeBodies(`${spec.tag}-warm`, spec.warmup, spec.groups, spec.startsAt);
const bodies = intakeBodies(spec.tag, spec.count, spec.groups, spec.startsAt);
const w = spec.warmup ? await run(warm) : { accepted: 0 };
const r = await run(bodies);
agent.destroy();
const result: LoadResult = { posts: bodies.length, seconds: r.seconds, ok: r.ok, alertsAccepted: r.accepted, duplicates: r.duplicates, statuses: r.statuses, p50: r.p50, p99: r.p99, max: r.max, warmupAccepted: w.accepted, endedAt: r.endedAt };
process.stdout.write(`${LOAD_PREFIX}${JSON.stringify(result)}\n`);
