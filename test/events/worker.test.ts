import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startWorkers, type InboundEvent, type Workers } from '../../src/events/index.js';
import { Inbox, openDatabase, type Store } from '../../src/store/index.js';
import { v2Event } from '../helpers/receiver.js';

let dir: string;
let store: Store;
let workers: Workers | undefined;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'feishu-hub-worker-'));
  store = await openDatabase(`sqlite:${join(dir, 'hub.db')}`);
});
afterEach(async () => {
  await workers?.stop();
  workers = undefined;
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const put = (inbox: Inbox, ev = v2Event()) => inbox.put({ id: ev.header.event_id, type: ev.header.event_type, source: 'webhook', payload: ev }).then(() => ev);
const until = async (check: () => boolean | Promise<boolean>) => {
  while (!(await check())) await new Promise((r) => setTimeout(r, 5));
};

describe('inbox workers', () => {
  it('hand each stored event to the handler as an InboundEvent and mark it done', async () => {
    const inbox = new Inbox(store);
    const seen: InboundEvent[] = [];
    // A poll interval longer than the test timeout: only the put's wake-up can make this pass.
    workers = startWorkers({ inbox, pollMs: 10 * 60_000, handle: async (e) => void seen.push(e) });
    const ev = await put(inbox);
    await until(() => seen.length === 1);
    expect(seen[0]).toMatchObject({ id: ev.header.event_id, type: 'im.message.receive_v1', schema: 'v2', appId: ev.header.app_id, tenantKey: 'tenant_1', source: 'webhook', payload: ev });
    await until(async () => (await inbox.get(ev.header.event_id))?.status === 'done');
  });

  it('retry a failing handler with backoff and dead-letter it after the max attempts', async () => {
    const inbox = new Inbox(store, { maxAttempts: 3, backoff: { baseMs: 5, maxMs: 20 } });
    let calls = 0;
    workers = startWorkers({ inbox, pollMs: 5, handle: async () => {
      calls++;
      throw new Error('downstream is down');
    } });
    const ev = await put(inbox);
    await until(async () => (await inbox.get(ev.header.event_id))?.status === 'dead');
    expect(calls).toBe(3);
    const [dead] = await inbox.listDead();
    expect(dead).toMatchObject({ id: ev.header.event_id, attempts: 3, lastError: expect.stringContaining('downstream is down') });
  });

  it('a handler that fails once succeeds on the retry; the event runs again only because it failed', async () => {
    const inbox = new Inbox(store, { backoff: { baseMs: 5, maxMs: 5 } });
    const attempts = new Map<string, number>();
    workers = startWorkers({ inbox, pollMs: 5, concurrency: 3, handle: async (e) => {
      const n = (attempts.get(e.id) ?? 0) + 1;
      attempts.set(e.id, n);
      if (n === 1 && e.id.endsWith('0')) throw new Error('first try fails');
    } });
    const ids = await Promise.all([...Array(20)].map((_, i) => put(inbox, v2Event('im.message.receive_v1', { eventId: `evt_${i}` })).then((e) => e.header.event_id)));
    await until(async () => (await inbox.stats()).done === 20);
    for (const id of ids) expect(attempts.get(id)).toBe(id.endsWith('0') ? 2 : 1);
  });

  it('never runs more handlers at once than the concurrency', async () => {
    const inbox = new Inbox(store);
    let running = 0;
    let peak = 0;
    workers = startWorkers({ inbox, concurrency: 3, handle: async () => {
      peak = Math.max(peak, ++running);
      await new Promise((r) => setTimeout(r, 2));
      running--;
    } });
    await Promise.all([...Array(30)].map(() => put(inbox)));
    await until(async () => (await inbox.stats()).done === 30);
    expect(peak).toBe(3);
  });

  it('stop() waits for running handlers and leaves unclaimed events for the next start', async () => {
    const inbox = new Inbox(store);
    let release!: () => void;
    let started = 0;
    let finished = 0;
    workers = startWorkers({ inbox, concurrency: 1, handle: async () => {
      started++;
      await new Promise<void>((r) => (release = r));
      finished++;
    } });
    const first = await put(inbox);
    await until(() => started === 1);
    const second = await put(inbox);
    const stopping = workers.stop();
    release();
    await stopping;
    workers = undefined;
    expect(finished).toBe(1);
    expect((await inbox.get(first.header.event_id))?.status).toBe('done');
    expect((await inbox.get(second.header.event_id))?.status).toBe('pending');
  });
});
