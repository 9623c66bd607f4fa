import { afterAll, beforeEach, describe, expect, it } from 'vitest';
import { IdempotencyBusyError, IdempotencyKeys, KvStore, openDatabase, type Store } from '../../src/store/index.js';
import { sqliteBackend, testBackends } from '../helpers/stores.js';

const backends = await testBackends();

describe.each(backends)('idempotency keys and kv on $backend.name', ({ backend, skip }) => {
  let store: Store;
  let now: number;
  let keys: IdempotencyKeys;

  afterAll(() => backend.cleanup());
  beforeEach(async ({ skip: skipTest }) => {
    if (skip) skipTest('PostgreSQL not reachable');
    store = await backend.open();
    now = 1_700_000_000_000;
    keys = new IdempotencyKeys(store, { now: () => now, staleMs: 60_000 });
  });

  it('runs an effect once per key and returns the first result to later calls', async () => {
    let runs = 0;
    const effect = async () => ({ message_id: `om_${++runs}` });
    expect(await keys.once('send:ev1', effect)).toEqual({ message_id: 'om_1' });
    expect(await keys.once('send:ev1', effect)).toEqual({ message_id: 'om_1' });
    expect(await keys.once('send:ev2', effect)).toEqual({ message_id: 'om_2' });
    expect(runs).toBe(2);
    expect(await keys.has('send:ev1')).toBe(true);
    expect(await keys.once('void:1', async () => undefined)).toBeUndefined();
    expect(await keys.has('void:1')).toBe(true);
    // Driver results carry bigints (insert ids): stored as strings rather than failing the effect.
    expect(await keys.once('big', async () => ({ id: 7n }))).toEqual({ id: 7n });
    expect(await keys.once('big', async () => ({ id: 8n }))).toEqual({ id: '7' });
  });

  it('releases the key when the effect throws, so a retry runs it', async () => {
    await expect(keys.once('k', async () => Promise.reject(new Error('platform down')))).rejects.toThrow('platform down');
    expect(await keys.has('k')).toBe(false);
    expect(await keys.once('k', async () => 'ok')).toBe('ok');
  });

  it('refuses a second concurrent run; takes over a claim left by a crashed run after staleMs', async () => {
    let release!: () => void;
    const slow = keys.once('busy', () => new Promise<string>((r) => (release = () => r('first'))));
    await new Promise((r) => setTimeout(r, 20));
    await expect(keys.once('busy', async () => 'second')).rejects.toBeInstanceOf(IdempotencyBusyError);
    release();
    expect(await slow).toBe('first');

    // A claim whose owner died: no result, older than staleMs.
    await store.db.insertInto('idempotency_keys').values({ key: 'orphan', created_at: now, result: null }).execute();
    await expect(keys.once('orphan', async () => 'x')).rejects.toBeInstanceOf(IdempotencyBusyError);
    now += 60_001;
    expect(await keys.once('orphan', async () => 'recovered')).toBe('recovered');
  });

  it('onceAtomic commits the effect and the key together, or neither', async () => {
    await store.db.schema.createTable('effects').ifNotExists().addColumn('event_id', 'varchar(64)').execute();
    const write = (id: string) => (trx: any) => trx.insertInto('effects').values({ event_id: id }).execute().then(() => id);
    expect(await keys.onceAtomic('fx:1', write('1'))).toBe('1');
    expect(await keys.onceAtomic('fx:1', write('1'))).toBe('1');
    await expect(
      keys.onceAtomic('fx:2', async (trx) => {
        await write('2')(trx);
        throw new Error('after the write');
      }),
    ).rejects.toThrow('after the write');
    const rows = await (store.db as any).selectFrom('effects').select('event_id').execute();
    expect(rows.map((r: any) => r.event_id)).toEqual(['1']);
    expect(await keys.has('fx:2')).toBe(false);
    await (store.db as any).schema.dropTable('effects').execute();
  });

  it('kv: set, get, overwrite, expire, delete', async () => {
    const kv = new KvStore(store, () => now);
    await kv.set('app_ticket', 'cli_1', 't1', 1000);
    expect(await kv.get('app_ticket', 'cli_1')).toBe('t1');
    await kv.set('app_ticket', 'cli_1', 't2', 1000);
    expect(await kv.get('app_ticket', 'cli_1')).toBe('t2');
    await kv.set('cursor', 'x', 'forever');
    now += 1000;
    expect(await kv.get('app_ticket', 'cli_1')).toBeUndefined();
    expect(await kv.prune()).toBe(1);
    expect(await kv.get('cursor', 'x')).toBe('forever');
    await kv.delete('cursor', 'x');
    expect(await kv.get('cursor', 'x')).toBeUndefined();
  });
});

describe('openDatabase', () => {
  it('creates the folder of a SQLite file, keeps data across reopen, and rejects unknown URLs', async () => {
    const b = sqliteBackend();
    const store = await b.open();
    await store.db.insertInto('kv').values({ namespace: 'n', key: 'k', value: 'v', expires_at: null }).execute();
    await b.cleanup();
    await expect(openDatabase('mysql://x')).rejects.toThrow(/sqlite: or postgres:\/\//);

    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'fh-open-'));
    const url = `sqlite:${join(dir, 'nested', 'deeper', 'hub.db')}`;
    const first = await openDatabase(url);
    await new KvStore(first).set('n', 'k', 'kept');
    await first.close();
    const second = await openDatabase(url);
    expect(await new KvStore(second).get('n', 'k')).toBe('kept');
    await second.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
