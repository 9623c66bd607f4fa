import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Inbox, openDatabase, type Store } from '../../src/store/index.js';

function cli(args: string[], env: Record<string, string>) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['bin/feishu-hub.js', ...args], { env: { ...process.env, FEISHU_HUB_CONFIG: '', ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('feishu-hub events', () => {
  const dir = mkdtempSync(join(tmpdir(), 'feishu-hub-events-cli-'));
  const env = { DATABASE_URL: `sqlite:${join(dir, 'hub.db')}` };
  let store: Store;
  let inbox: Inbox;
  beforeAll(async () => {
    store = await openDatabase(env.DATABASE_URL);
    inbox = new Inbox(store);
    // One event that failed for good, as a worker records it (with the hub's note about the user).
    await inbox.put({ id: 'ev_dead_1', type: 'im.message.receive_v1', source: 'webhook', payload: { schema: '2.0', header: { event_id: 'ev_dead_1', event_type: 'im.message.receive_v1' }, event: {} } });
    await inbox.put({ id: 'ev_ok_1', type: 'contact.user.created_v3', source: 'webhook', payload: { schema: '2.0', header: { event_id: 'ev_ok_1', event_type: 'contact.user.created_v3' }, event: {} } });
    const claimed = await inbox.claim('test-worker', 10, 60_000);
    const err = Object.assign(new Error('230002 Bot/User can NOT be out of the chat.'), { permanent: true, notes: ['the chat refused the answer (230002); the user was told in p2p'] });
    await inbox.fail(claimed.find((c) => c.id === 'ev_dead_1')!.id, err, 'test-worker');
    await inbox.complete('ev_ok_1');
    await inbox.drain();
  });
  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts events by status, lists dead letters with their error and note, and replays one', async () => {
    const stats = await cli(['events', '--json'], env);
    expect(stats.code).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({ pending: 0, done: 1, dead: 1 });

    const dead = await cli(['events', 'dead'], env);
    expect(dead.code).toBe(0);
    const [header, row] = dead.stdout.trim().split('\n');
    expect(header).toMatch(/^EVENT ID\s+TYPE\s+RECEIVED\s+TRIES\s+ERROR\s+NOTE$/);
    expect(row).toMatch(/^ev_dead_1\s+im\.message\.receive_v1\s+\S+\s+1\s+Error: 230002 Bot\/User can NOT be out of the chat\.\s+the chat refused the answer \(230002\); the user was told in p2p$/);

    const replay = await cli(['events', 'replay', 'ev_dead_1', 'ev_missing'], env);
    expect(replay.stdout).toContain('ev_dead_1  queued again');
    expect(replay.stdout).toContain('ev_missing  not found');
    expect(replay.code).toBe(1);
    expect((await inbox.get('ev_dead_1'))?.status).toBe('pending');
  });

  it('says what to do when the database has no inbox yet', async () => {
    const r = await cli(['events'], { DATABASE_URL: `sqlite:${join(dir, 'empty.db')}` });
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`feishu-hub: no event inbox in DATABASE_URL=sqlite:${join(dir, 'empty.db')} yet: start the hub once there (or point DATABASE_URL at the hub's database)`);
  });
});
