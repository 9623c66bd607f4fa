import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { Inbox, type Store } from '../../src/store/index.js';
import { testBackends } from '../helpers/stores.js';

const HOUR = 3_600_000;
const backends = await testBackends();

describe.each(backends)('Inbox on $backend.name', ({ backend, skip }) => {
  let store: Store;
  let now: number;
  let inbox: Inbox;
  const clock = () => now;
  const event = (id: string, type = 'im.message.receive_v1') => ({ id, type, source: 'webhook' as const, payload: { schema: '2.0', header: { event_id: id, event_type: type }, event: { n: id } } });

  afterAll(() => backend.cleanup());
  beforeEach(async ({ skip: skipTest }) => {
    if (skip) skipTest('PostgreSQL not reachable');
    store = await backend.open();
    now = 1_700_000_000_000;
    inbox = new Inbox(store, { now: clock, maxAttempts: 3, backoff: { baseMs: 1000, maxMs: 60_000 } });
  });

  it('stores an event once: a re-send of the same event_id is a duplicate', async () => {
    expect(await inbox.put(event('e1'))).toBe('new');
    expect(await inbox.put(event('e1'))).toBe('duplicate');
    const item = await inbox.get('e1');
    expect(item).toMatchObject({ id: 'e1', type: 'im.message.receive_v1', source: 'webhook', status: 'pending', attempts: 0 });
    expect(item!.payload).toEqual(event('e1').payload);
  });

  it('concurrent puts of one id (one batch) give exactly one "new"', async () => {
    const results = await Promise.all([...Array(20)].map(() => inbox.put(event('same'))));
    expect(results.filter((r) => r === 'new')).toHaveLength(1);
    const mixed = await Promise.all(['a', 'b', 'a', 'c', 'b'].map((id) => inbox.put(event(id))));
    expect(mixed).toEqual(['new', 'new', 'duplicate', 'new', 'duplicate']);
  });

  it('wakes listeners for new events only', async () => {
    let calls = 0;
    const off = inbox.onNew(() => calls++);
    await inbox.put(event('w1'));
    await inbox.put(event('w1'));
    off();
    await inbox.put(event('w2'));
    expect(calls).toBe(1);
  });

  it('claims due events once, in arrival order, and never hands one to two workers', async () => {
    for (const id of ['c1', 'c2', 'c3', 'c4', 'c5']) {
      await inbox.put(event(id));
      now += 1;
    }
    const [a, b] = await Promise.all([inbox.claim('w-a', 3, 30_000), inbox.claim('w-b', 3, 30_000)]);
    const ids = [...a, ...b].map((i) => i.id).sort();
    expect(ids).toEqual(['c1', 'c2', 'c3', 'c4', 'c5']);
    expect(await inbox.claim('w-c', 10, 30_000)).toEqual([]);
    const first = a.length === 3 ? a : b;
    expect(first.map((i) => i.id)).toEqual(['c1', 'c2', 'c3']);
    expect(first[0]).toMatchObject({ status: 'processing', attempts: 1, lockedBy: first === a ? 'w-a' : 'w-b' });
  });

  it('completed events are not claimed again and their re-sends stay duplicates', async () => {
    await inbox.put(event('d1'));
    const [item] = await inbox.claim('w', 1, 30_000);
    await inbox.complete(item.id);
    expect((await inbox.get('d1'))!.status).toBe('done');
    now += 60 * 60_000;
    expect(await inbox.claim('w', 1, 30_000)).toEqual([]);
    expect(await inbox.put(event('d1'))).toBe('duplicate');
  });

  it('retries a failed event with growing backoff, then dead-letters it; replay brings it back', async () => {
    await inbox.put(event('f1'));
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 2; attempt++) {
      const [item] = await inbox.claim('w', 1, 30_000);
      expect(item.attempts).toBe(attempt);
      expect(await inbox.fail(item.id, new Error(`boom ${attempt}`), 'w')).toBe('retry');
      const after = (await inbox.get('f1'))!;
      expect(after).toMatchObject({ status: 'pending', lastError: expect.stringContaining(`boom ${attempt}`) });
      delays.push(after.nextAttemptAt - now);
      expect(await inbox.claim('w', 1, 30_000)).toEqual([]); // not due yet
      now = after.nextAttemptAt;
    }
    expect(delays[0]).toBeGreaterThanOrEqual(500);
    expect(delays[1]).toBeGreaterThanOrEqual(1000);
    const [last] = await inbox.claim('w', 1, 30_000);
    expect(await inbox.fail(last.id, new Error('boom 3'), 'w')).toBe('dead');
    now += 24 * HOUR;
    expect(await inbox.claim('w', 1, 30_000)).toEqual([]);
    const dead = await inbox.listDead();
    expect(dead.map((d) => d.id)).toEqual(['f1']);
    expect(dead[0]).toMatchObject({ attempts: 3, lastError: expect.stringContaining('boom 3') });

    expect(await inbox.replay('f1')).toBe(true);
    const [again] = await inbox.claim('w', 1, 30_000);
    expect(again).toMatchObject({ id: 'f1', attempts: 1 });
    await inbox.complete('f1');
    expect(await inbox.listDead()).toEqual([]);
    expect(await inbox.replay('missing')).toBe(false);
  });

  it('takes over events whose worker crashed (lease expired); the old worker cannot overwrite', async () => {
    await inbox.put(event('l1'));
    const [first] = await inbox.claim('crashed', 1, 10_000);
    expect(await inbox.claim('other', 1, 10_000)).toEqual([]); // lease still held
    now += 10_001;
    const [taken] = await inbox.claim('other', 1, 10_000);
    expect(taken).toMatchObject({ id: first.id, lockedBy: 'other', attempts: 2 });
    expect(await inbox.fail('l1', new Error('late'), 'crashed')).toBe('stale');
    expect((await inbox.get('l1'))!.status).toBe('processing');
    await inbox.complete('l1');
    expect((await inbox.get('l1'))!.status).toBe('done');
  });

  it('extends the lease of a long-running event', async () => {
    await inbox.put(event('x1'));
    await inbox.claim('w', 1, 10_000);
    now += 9_000;
    await inbox.extend(['x1'], 'w', 10_000);
    now += 9_000;
    expect(await inbox.claim('thief', 1, 10_000)).toEqual([]);
  });

  it('dead-letters an event whose lease expires on its last attempt (a crash loop ends)', async () => {
    await inbox.put(event('p1'));
    for (let i = 0; i < 3; i++) {
      expect(await inbox.claim('w', 1, 1_000)).toHaveLength(1);
      now += 1_001;
    }
    expect(await inbox.claim('w', 1, 1_000)).toEqual([]);
    expect((await inbox.get('p1'))!).toMatchObject({ status: 'dead', lastError: expect.stringContaining('lease expired') });
  });

  it('prunes done events after the dedup window only (≥ 7 h), keeping dead ones', async () => {
    await expect(inbox.prune(HOUR)).rejects.toThrow(/at least 7 h/);
    await inbox.put(event('old-done'));
    await inbox.put(event('old-dead'));
    await inbox.put(event('old-pending'));
    const oneShot = new Inbox(store, { now: clock, maxAttempts: 1 });
    for (const item of await inbox.claim('w', 2, 30_000)) {
      if (item.id === 'old-done') await inbox.complete(item.id);
      else expect(await oneShot.fail(item.id, new Error('poison'), 'w')).toBe('dead');
    }
    now += 7.5 * HOUR;
    expect(await inbox.prune()).toBe(0); // default window is 8 h: a 7.1 h re-send is still caught
    expect(await inbox.put(event('old-done'))).toBe('duplicate');
    now += 1 * HOUR;
    expect(await inbox.prune()).toBe(1);
    expect(await inbox.get('old-done')).toBeUndefined();
    expect(await inbox.stats()).toEqual({ pending: 1, processing: 0, done: 0, dead: 1 });
  });

  it('counts rows per status', async () => {
    await inbox.put(event('s1'));
    await inbox.put(event('s2'));
    await inbox.claim('w', 1, 30_000);
    expect(await inbox.stats()).toEqual({ pending: 1, processing: 1, done: 0, dead: 0 });
  });
});

describe('Inbox on SQLite when the writer thread dies', () => {
  it('falls back to writing on the main thread; nothing stored is lost', async () => {
    const { sqliteBackend } = await import('../helpers/stores.js');
    const backend = sqliteBackend();
    const store = await backend.open();
    const inbox = new Inbox(store);
    const ev = (id: string) => ({ id, type: 't', source: 'webhook' as const, payload: { id } });
    try {
      expect(await inbox.put(ev('before'))).toBe('new');
      const warned = new Promise((resolve) => process.once('warning', resolve));
      await (store.writer as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
      expect(String(await warned)).toMatch(/writer thread exited/);
      expect(store.writer!.failed).toBe(true);
      expect(await inbox.put(ev('after'))).toBe('new');
      expect(await inbox.put(ev('before'))).toBe('duplicate');
      expect((await inbox.stats()).pending).toBe(2);
    } finally {
      await backend.cleanup();
    }
  });
});
