import { afterAll, describe, expect, it } from 'vitest';
import { createTestHub, type TestHub } from '../../src/testing/index.js';
import { captureLogs } from '../helpers/hubs.js';
import { control, directoriesEqual, expectEqualDirectories, recordHooks, until } from './helpers.js';
import type { DirectoryChange } from '../../src/contact/index.js';

/** The capability's edges: off by config, config errors at start, a sync cut off and resumed. */
describe('directory capability', () => {
  const hubs: TestHub[] = [];
  afterAll(async () => {
    for (const t of hubs) await t.close();
  });

  it('turned off, it calls no contact API and answers lookups with nothing', async () => {
    const t = await createTestHub({ sections: { directory: { enabled: false } } });
    hubs.push(t);
    expect(t.hub.directory.enabled).toBe(false);
    expect(await t.hub.directory.user(t.users.alice.open_id)).toBeUndefined();
    expect(await t.hub.directory.find('alice')).toEqual([]);
    await expect(t.hub.directory.sync()).rejects.toThrow(/directory is not enabled/);
    // (Other capabilities may look people up: the alerts demo binds by email.)
    expect(t.emulator.state.calls.filter((c) => /^\/open-apis\/contact\/v3\/(scopes|users\/find_by_department|departments)/.test(c.path))).toEqual([]);
  });

  it('a wrong section stops the start with the key named', async () => {
    const err = await createTestHub({ sections: { directory: { enabled: true, mirror: { table: 'people; drop table x' }, page_size: 500 } } }).then(
      async (t) => (await t.close(), undefined),
      (e: Error) => e,
    );
    expect(err?.message).toMatch(/directory\.mirror\.table must be a plain SQL table name/);
    expect(err?.message).toMatch(/directory\.page_size/);
  });

  it('a full sync cut off half-way resumes where it stopped and ends equal', async () => {
    const t = await createTestHub({ sections: { directory: { enabled: true, concurrency: 2 } } });
    hubs.push(t);
    await control(t.emulator, 'POST', '/__emulator/directory/seed', { users: 400, departments: 40, seed: 'resume' });
    let faulted = false;
    const first = t.hub.directory.sync({
      onProgress: (p) => {
        if (faulted || p.departmentsDone < 15) return;
        faulted = true;
        // Feishu starts refusing the member lists (a non-retryable answer): the run stops.
        void control(t.emulator, 'POST', '/__emulator/faults', { path: '/open-apis/contact/v3/users/find_by_department', status: 400, code: 40003, msg: 'internal error' });
      },
    });
    await expect(first).rejects.toThrow();
    const status = await t.hub.directory.status();
    expect(status.running).toMatchObject({ phase: 'users' });
    expect(status.lastError).toBeTruthy();
    await control(t.emulator, 'DELETE', '/__emulator/faults');
    const second = await t.hub.directory.sync();
    expect(second.resumed).toBe(true);
    expect(second.calls).toBeLessThan(40); // the departments already fetched are not fetched again
    await expectEqualDirectories(t.hub, t.emulator);
    expect((await t.hub.directory.status()).running).toBeUndefined();
  }, 60_000);

  it('the reconcile job runs on its interval and logs what it repaired', async () => {
    const logs = captureLogs();
    let hooks: DirectoryChange[] = [];
    const t = await createTestHub({ logger: logs.logger, sections: { directory: { enabled: true, reconcile_every_ms: 10_000 } }, setup: (hub) => void (hooks = recordHooks(hub)) });
    hubs.push(t);
    await control(t.emulator, 'PATCH', `/__emulator/apps/${t.emulator.app.appId}`, { event_url: null });
    await control(t.emulator, 'PATCH', `/__emulator/directory/users/${t.users.carol.open_id}`, { name: 'Carol Renamed' });
    expect(await directoriesEqual(t.hub, t.emulator)).toBe(false);
    const line = await until(() => logs.lines.find((l) => /directory reconcile repaired/.test(l.msg)), 20_000, 'the reconcile job');
    expect(line).toMatchObject({ level: 40, updated: { users: 1, departments: 0 }, repaired: [{ type: 'user.updated', id: t.users.carol.open_id, name: 'Carol Renamed', changes: ['name'] }] });
    expect(line!.msg).toBe('directory reconcile repaired 1 change(s) the events had not brought');
    await expectEqualDirectories(t.hub, t.emulator);
    // The start sync created the seeded people (source sync); the job repaired one thing.
    expect(hooks.filter((c) => c.source === 'sync').map((c) => c.type)).toEqual([...Array(4).fill('department.created'), ...Array(5).fill('user.created')]);
    expect(hooks.filter((c) => c.source !== 'sync').map((c) => [c.type, c.source])).toEqual([['user.updated', 'reconcile']]);
  }, 40_000);

  it('syncs what the app\'s contact scope covers: a department\'s subtree and single people; a narrower scope deletes the rest', async () => {
    const t = await createTestHub({ sections: { directory: { enabled: true } } });
    hubs.push(t);
    const appId = t.emulator.app.appId;
    await control(t.emulator, 'PUT', `/__emulator/apps/${appId}/contact-scope`, { department_ids: ['engineering'], user_ids: [t.users.dave.open_id] });
    const result = await t.hub.directory.sync();
    expect(result.scope).toEqual([(await t.hub.directory.department('engineering'))?.open_department_id]);
    expect(result.deleted).toEqual({ users: 1, departments: 2 }); // Erin, Sales and Finance were synced at start
    expect((await t.hub.directory.users()).map((u) => u.user_id).sort()).toEqual(['alice', 'bob', 'carol', 'dave']);
    expect((await t.hub.directory.departments()).map((d) => d.department_id).sort()).toEqual(['engineering', 'sre']);
    expect(await t.hub.directory.user('erin')).toBeUndefined();
    expect(await t.hub.directory.department('sales')).toBeUndefined();
  });

  it('events delivered out of order and twice: the older never overwrites the newer, each change fires once', async () => {
    let hooks: DirectoryChange[] = [];
    const t = await createTestHub({ sections: { directory: { enabled: true } }, setup: (hub) => void (hooks = recordHooks(hub)) });
    hubs.push(t);
    const bob = t.users.bob.open_id;
    // The three renames are held and pushed newest first, each twice.
    await control(t.emulator, 'POST', '/__emulator/faults/events', { reorder: 3, duplicate: true, event_type: 'contact.user.updated_v3', count: 3 });
    for (const name of ['Bob One', 'Bob Two', 'Bob Three']) {
      await control(t.emulator, 'PATCH', `/__emulator/directory/users/${bob}`, { name });
      await new Promise((r) => setTimeout(r, 5)); // distinct create_times (ms)
    }
    const pushes = async () => ((await control(t.emulator, 'GET', '/__emulator/events')).body.events as { type: string; delivered: boolean; envelope: { event: { object: { open_id: string } } } }[]).filter((e) => e.type === 'contact.user.updated_v3' && e.envelope.event.object.open_id === bob);
    await until(async () => (await pushes()).length === 3 && (await pushes()).every((e) => e.delivered), 10_000, 'the three pushes');
    expect((await pushes()).every((e) => (e as unknown as { attempts: unknown[] }).attempts.length === 2)).toBe(true);
    await until(async () => {
      const st = (await t.hub.inbox!.stats()) as Record<string, number>;
      return !st.pending && !st.processing;
    }, 10_000, 'the inbox to be processed');
    expect((await t.hub.directory.user(bob))?.name).toBe('Bob Three');
    await expectEqualDirectories(t.hub, t.emulator);
    // Bob Three arrived first; the two older renames changed nothing.
    expect(hooks.filter((c) => c.source === 'event').map((c) => ('user' in c ? c.user.name : ''))).toEqual(['Bob Three']);
  }, 30_000);
});
