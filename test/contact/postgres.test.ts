import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { startHub, type RunningHub } from '../../src/sandbox/index.js';
import type { DirectoryChange } from '../../src/contact/index.js';
import { PG_URL, dropSchema, postgresAvailable } from '../helpers/stores.js';
import { control, directoriesEqual, expectEqualDirectories, recordHooks, until } from './helpers.js';

/** The same flow on PostgreSQL (the scaled setup): full sync, events, a reconcile, the mirror. */
const pgUp = await postgresAvailable();
const skip = !pgUp && process.env.CI !== 'true';
if (skip) console.warn(`[directory PostgreSQL test] PostgreSQL is not reachable at ${PG_URL}: skipped (set CI=true to make this an error).`);

describe.skipIf(skip)('directory on PostgreSQL', () => {
  const schema = `t_dirhub_${process.pid}_${Date.now().toString(36)}`;
  let running: RunningHub;
  let hooks: DirectoryChange[] = [];
  beforeAll(async () => {
    const url = new URL(PG_URL);
    url.searchParams.set('schema', schema);
    const loaded = loadConfig({ env: {}, file: undefined, overrides: { HUB_PORT: 0, FEISHU_EMULATOR_PORT: 0, DATABASE_URL: url.toString(), LOG_LEVEL: 'silent', FEISHU_EVENT_MODE: 'webhook' } });
    running = await startHub({ ...loaded, sandbox: true, app: { encryptKeys: [], verificationTokens: [] } }, {
      sections: { directory: { enabled: true, reconcile_every_ms: 3_600_000, user_id_type: 'user_id', mirror: { table: 'hr_people' } } },
      setup: (hub) => void (hooks = recordHooks(hub)),
    });
  }, 30_000);
  afterAll(async () => {
    await running?.stop();
    if (!skip) await dropSchema(schema);
  });

  it('syncs, follows events, repairs with the reconcile, and keeps the mirror equal', async () => {
    const { hub, emulator } = running as Required<RunningHub>;
    await control(emulator, 'POST', '/__emulator/directory/seed', { users: 600, departments: 60, seed: 'pg' });
    const result = await hub.directory.sync();
    expect(result).toMatchObject({ users: 600, departments: 60 });
    await expectEqualDirectories(hub, emulator);
    const someone = (await hub.directory.users())[7];
    await control(emulator, 'PATCH', `/__emulator/directory/users/${someone.open_id}`, { name: 'PG Rename' });
    await until(() => directoriesEqual(hub, emulator), 10_000, 'the event');
    await control(emulator, 'PATCH', `/__emulator/apps/${emulator.app.appId}`, { event_url: null });
    await control(emulator, 'DELETE', `/__emulator/directory/users/${someone.open_id}`);
    hooks.length = 0;
    await hub.directory.reconcile();
    await expectEqualDirectories(hub, emulator);
    expect(hooks.map((c) => `${c.type}:${c.source}`)).toEqual(['user.deleted:reconcile']);
    const rows = (await sql<{ id: string; open_id: string }>`select id, open_id from hr_people`.execute(hub.store!.db)).rows;
    expect(rows).toHaveLength(599);
    const byOpen = new Map((await hub.directory.users()).map((u) => [u.open_id, u.user_id]));
    expect(rows.every((r) => r.id === byOpen.get(r.open_id))).toBe(true);
  }, 60_000);
});
