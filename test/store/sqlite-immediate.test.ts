import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { Inbox, openDatabase } from '../../src/store/index.js';

const dir = mkdtempSync(join(tmpdir(), 'feishu-hub-immediate-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/**
 * A transaction that reads, then writes, while the inbox's writer thread commits in between: with
 * a deferred BEGIN SQLite refuses the write at once ("database is locked"); the store's
 * transactions begin immediate, so the writer waits its turn and both succeed.
 */
it('a read-then-write transaction survives an inbox commit landing in the middle', async () => {
  const store = await openDatabase(`sqlite:${join(dir, 'hub.db')}`);
  const inbox = new Inbox(store);
  expect(store.writer).toBeDefined();
  let put: Promise<unknown> | undefined;
  await store.db.transaction().execute(async (trx) => {
    await trx.selectFrom('kv').selectAll().execute();
    put = inbox.put({ id: 'ev-during-trx', type: 't', source: 'webhook', payload: {} });
    await new Promise((r) => setTimeout(r, 100));
    await trx.insertInto('kv').values({ namespace: 'test', key: 'k', value: 'v', expires_at: null }).execute();
  });
  expect(await put).toBe('new');
  expect((await store.db.selectFrom('kv').selectAll().where('key', '=', 'k').execute()).length).toBe(1);
  await store.close();
});
