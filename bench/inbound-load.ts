/**
 * Load generation for bench/inbound.bench.ts, shared by both placements of the generator (in the
 * orchestrating process, or inside the server's own process): request material, a keep-alive
 * client (node:http Agent), a closed-loop throughput run and an open-loop paced run.
 */
import { Agent, request } from 'node:http';
import { signPush } from '../src/events/index.js';

export { signPush };

/** A realistic im.message.receive_v1 envelope (≈1 KB, ≈1.7 KB encrypted). */
export function v2Event(eventId: string, token: string) {
  return {
    schema: '2.0',
    header: { event_id: eventId, token, create_time: String(Date.now()), event_type: 'im.message.receive_v1', tenant_key: '2ca1d211f64f6438', app_id: 'cli_a1b2c3d4e5f60708' },
    event: {
      sender: { sender_id: { union_id: 'on_8ed6aa67826108097d9ee143816345', user_id: 'e33ggbyz', open_id: 'ou_84aad35d084aa403a838cf73ee18467' }, sender_type: 'user', tenant_key: '2ca1d211f64f6438' },
      message: {
        message_id: `om_${eventId}`,
        root_id: '',
        parent_id: '',
        create_time: String(Date.now()),
        update_time: String(Date.now()),
        chat_id: 'oc_5ad11d72b830411d72b836c20',
        chat_type: 'group',
        message_type: 'text',
        content: JSON.stringify({ text: '@_user_1 /deploy api --env production --reason "hotfix for the checkout timeout"' }),
        mentions: [{ key: '@_user_1', id: { union_id: 'on_bot', user_id: '', open_id: 'ou_bot' }, name: 'hub-bot', tenant_key: '2ca1d211f64f6438' }],
        user_agent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Lark/7.1.0',
      },
    },
  };
}

export type PreparedRequest = { body: string; headers: Record<string, string> };

/** Signed, encrypted pushes with unique event ids, made before the clock starts. */
export function makeRequests(n: number, tag: string, encryptKey: string, token: string): PreparedRequest[] {
  return [...Array(n)].map((_, i) => signPush(v2Event(`${tag}_${i}`, token), { encryptKey }));
}

export function client(port: number) {
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const post = (req: PreparedRequest) =>
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

export const pct = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

/** Closed loop: `connections` senders, each sends its next request when the previous is acked. */
export async function throughput(port: number, reqs: PreparedRequest[], connections: number) {
  const c = client(port);
  const lat: number[] = [];
  let non200 = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    [...Array(connections)].map(async () => {
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

/** Open loop at `rate`/s: request i is due at t0 + i/rate; latency counts from when it was due. */
export async function paced(port: number, reqs: PreparedRequest[], rate: number) {
  const c = client(port);
  const lat: number[] = [];
  let non200 = 0;
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  let i = 0;
  while (i < reqs.length) {
    const now = performance.now();
    while (i < reqs.length && t0 + (i * 1000) / rate <= now) {
      const due = t0 + (i * 1000) / rate;
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

/** What one measurement command asks of a generator (in the orchestrator or in the server's process). */
export type LoadCommand =
  | { type: 'throughput'; requests: number; connections: number; tag: string; encryptKey: string; token: string }
  | { type: 'paced'; rate: number; seconds: number; tag: string; encryptKey: string; token: string };

export type LoadResult = { rps?: number; p50: number; p99: number; max?: number; non200: number; cpuMs: number };

/** Runs one command against `port`, charging the CPU time `cpuMs()` reports over the measured part. */
export async function runLoad(port: number, cmd: LoadCommand, cpuMs: () => number): Promise<LoadResult> {
  if (cmd.type === 'throughput') {
    const reqs = makeRequests(cmd.requests, cmd.tag, cmd.encryptKey, cmd.token);
    const cpu0 = cpuMs();
    const r = await throughput(port, reqs, cmd.connections);
    return { ...r, cpuMs: cpuMs() - cpu0 };
  }
  const reqs = makeRequests(cmd.rate * cmd.seconds, cmd.tag, cmd.encryptKey, cmd.token);
  const cpu0 = cpuMs();
  const r = await paced(port, reqs, cmd.rate);
  return { ...r, cpuMs: cpuMs() - cpu0 };
}
