import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent } from 'node:http';
import { request } from 'node:http';
import Database from 'better-sqlite3';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/config/index.js';
import { inboundReceiver, signPush, startWorkers } from '../../src/events/index.js';
import { Inbox, openDatabase, type Store } from '../../src/store/index.js';
import { postgresBackend, testBackends } from '../helpers/stores.js';
import { APP_ID, ENCRYPT_KEY, TOKEN, v2Event } from '../helpers/receiver.js';

const pgSkip = (await testBackends()).find((b) => b.backend.name === 'postgres')!.skip;

const cleanups: (() => Promise<void> | void)[] = [];
afterAll(async () => {
  for (const c of cleanups.reverse()) await c();
});

/** POSTs with a keep-alive agent (one TCP connection per concurrent sender, like Feishu's pushers). */
function poster(baseUrl: string) {
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  cleanups.push(() => agent.destroy());
  const { hostname, port } = new URL(baseUrl);
  return (path: string, body: string, headers: Record<string, string>) =>
    new Promise<number>((resolve, reject) => {
      const req = request({ host: hostname, port, path, method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
}

/** Runs `jobs` with at most `n` in flight. */
async function pool<T>(items: T[], n: number, job: (item: T, index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    [...Array(n)].map(async () => {
      while (next < items.length) {
        const i = next++;
        await job(items[i], i);
      }
    }),
  );
}

/** A deterministic pseudo-random generator, so a failing run can be reproduced. */
function rng(seed: number) {
  return () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
}

describe('durability', () => {
  // SQLite (the embedded default) takes the full 10,000; PostgreSQL (replicas) a shorter run of the same mix.
  it.for([
    { backend: 'sqlite', TOTAL: 10_000 },
    { backend: 'postgres', TOTAL: 3_000 },
  ])('$TOTAL pushes on $backend with 30 % duplicates and 10 % reordered: the handler runs exactly once per event_id', async ({ backend, TOTAL }, ctx) => {
    let store: Store;
    if (backend === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'feishu-hub-durable-'));
      cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
      store = await openDatabase(`sqlite:${join(dir, 'hub.db')}`);
      cleanups.push(() => store!.close());
    } else {
      if (pgSkip) return ctx.skip('PostgreSQL not reachable');
      const pgBackend = postgresBackend();
      store = await pgBackend.open();
      cleanups.push(() => pgBackend.cleanup());
    }
    const inbox = new Inbox(store);
    const runs = new Map<string, number>();
    const wrongType: string[] = [];
    const workers = startWorkers({
      inbox,
      concurrency: 8,
      handle: async (event) => {
        runs.set(event.id, (runs.get(event.id) ?? 0) + 1);
        if (event.type !== (event.payload as any).header.event_type) wrongType.push(event.id);
        await new Promise((r) => setImmediate(r));
      },
    });
    const app = Fastify({ logger: false });
    await app.register(inboundReceiver, { inbox, logger: createLogger({ level: 'warn' }), encryptKeys: [ENCRYPT_KEY], verificationTokens: [TOKEN], appId: APP_ID });
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    cleanups.push(async () => {
      await workers.stop();
      await app.close();
    });

    const random = rng(42);
    const UNIQUE = Math.round(TOTAL * 0.7);
    const events = [...Array(UNIQUE)].map((_, i) => v2Event(i % 5 === 0 ? 'contact.user.created_v3' : 'im.message.receive_v1', { eventId: `ev_${i}` }));
    const sends = events.map((e) => e);
    // 30 %: re-sends of events already in the stream; some right next to the original (concurrent puts).
    for (let k = 0; k < TOTAL - UNIQUE; k++) {
      const pos = Math.floor(random() * sends.length);
      const original = sends[Math.floor(random() * (pos + 1))];
      sends.splice(k % 3 === 0 ? Math.min(sends.indexOf(original) + 1, sends.length) : pos, 0, original);
    }
    // 10 %: swapped with another position (out-of-order delivery).
    for (let k = 0; k < TOTAL / 10 / 2; k++) {
      const a = Math.floor(random() * sends.length);
      const b = Math.floor(random() * sends.length);
      [sends[a], sends[b]] = [sends[b], sends[a]];
    }
    expect(sends).toHaveLength(TOTAL);

    const post = poster(url);
    const statuses = new Map<number, number>();
    await pool(sends, 32, async (ev) => {
      // Every delivery is signed afresh (new timestamp and nonce), as Feishu's re-sends are.
      const { body, headers } = signPush(ev, { encryptKey: ENCRYPT_KEY });
      const status = await post('/webhook/event', body, headers);
      statuses.set(status, (statuses.get(status) ?? 0) + 1);
    });
    expect(Object.fromEntries(statuses)).toEqual({ 200: TOTAL });

    while ((await inbox.stats()).done < UNIQUE) await new Promise((r) => setTimeout(r, 20));
    await workers.stop();
    expect(runs.size).toBe(UNIQUE);
    expect([...runs.values()].every((n) => n === 1)).toBe(true);
    expect(wrongType).toEqual([]);
    expect(await inbox.stats()).toEqual({ pending: 0, processing: 0, done: UNIQUE, dead: 0 });
  });

  it('kill -9 mid-run and a restart on the same SQLite file: every acked event is processed exactly once', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'feishu-hub-crash-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const file = join(dir, 'hub.db');
    const env = { ...process.env, CRASH_ENCRYPT_KEY: ENCRYPT_KEY, CRASH_TOKEN: TOKEN };

    const children: ChildProcess[] = [];
    cleanups.push(() => children.forEach((c) => c.exitCode === null && c.kill('SIGKILL')));
    const startHub = () =>
      new Promise<{ child: ChildProcess; url: string }>((resolve, reject) => {
        const child = spawn(process.execPath, ['bin/run-ts.js', 'test/fixtures/inbound-crash-hub.ts', file], { env, stdio: ['ignore', 'pipe', 'inherit'] });
        children.push(child);
        let out = '';
        child.stdout!.on('data', (d) => {
          out += String(d);
          const m = /READY (\S+)/.exec(out);
          if (m) resolve({ child, url: m[1] });
        });
        child.once('exit', (code) => reject(new Error(`hub exited early (${code}): ${out}`)));
      });

    const first = await startHub();
    const post = poster(first.url);
    const acked = new Set<string>();
    const events = [...Array(3000)].map((_, i) => v2Event('im.message.receive_v1', { eventId: `crash_${i}` }));
    let killedAt = -1;
    let processedAtKill = 0;
    await pool(events, 16, async (ev) => {
      if (killedAt >= 0) return;
      const { body, headers } = signPush(ev, { encryptKey: ENCRYPT_KEY });
      try {
        if ((await post('/webhook/event', body, headers)) === 200) acked.add(ev.header.event_id);
      } catch {
        return; // the connection died with the process: not acked, Feishu would re-send
      }
      if (acked.size >= 600 && killedAt < 0) {
        killedAt = acked.size;
        first.child.kill('SIGKILL');
        const db = new Database(file, { readonly: true, fileMustExist: true });
        processedAtKill = (db.prepare('SELECT count(*) AS n FROM processed').get() as { n: number }).n;
        db.close();
      }
    });
    await new Promise((r) => (first.child.exitCode !== null || first.child.signalCode ? r(null) : first.child.once('exit', r)));
    expect(first.child.signalCode).toBe('SIGKILL');
    // The crash came with a backlog: events were acked but not yet processed.
    expect(processedAtKill).toBeLessThan(acked.size);

    const second = await startHub();
    const db = new Database(file, { readonly: true, fileMustExist: true });
    cleanups.push(() => void db.close());
    const counts = () => new Map((db.prepare('SELECT event_id, count(*) AS n FROM processed GROUP BY event_id').all() as { event_id: string; n: number }[]).map((r) => [r.event_id, r.n]));
    let processed = counts();
    const deadline = Date.now() + 60_000;
    while ([...acked].some((id) => !processed.has(id)) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      processed = counts();
    }
    const missing = [...acked].filter((id) => !processed.has(id));
    const statusOf = db.prepare('SELECT status, attempts, locked_until, last_error FROM inbox WHERE event_id = ?');
    expect(missing.slice(0, 5).map((id) => ({ id, row: statusOf.get(id) }))).toEqual([]);
    // Let the restarted hub finish anything else it holds, then check nothing ran twice.
    const open = () => (db.prepare("SELECT count(*) AS n FROM inbox WHERE status IN ('pending', 'processing')").get() as { n: number }).n;
    while (open() > 0) await new Promise((r) => setTimeout(r, 50));
    processed = counts();
    second.child.kill('SIGKILL');
    for (const id of acked) expect(processed.get(id), id).toBe(1);
    expect([...processed.values()].every((n) => n === 1)).toBe(true);
  }, 120_000);
});
