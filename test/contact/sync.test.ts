import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { DirectoryState } from '../../src/emulator/directory/index.js';
import type { DirectoryChange } from '../../src/contact/index.js';
import { createTestHub, type TestHub } from '../../src/testing/index.js';
import { control, directoriesEqual, emulatorDirectory, expectEqualDirectories, recordHooks, until } from './helpers.js';

/**
 * The org-chart sync over real HTTP against the in-process emulator: a 5,000-person directory
 * synced whole, kept equal by contact events alone, and repaired by the reconcile job after
 * event pushes were off for a while (the pushes that come late change nothing).
 */
describe('directory: full sync, events, reconcile', () => {
  let t: TestHub;
  let hooks: DirectoryChange[];
  const dir = () => t.emulator.context.slice(DirectoryState);
  const ctl = (method: string, path: string, body?: unknown) => control(t.emulator, method, path, body);
  const idOf = (c: DirectoryChange) => ('user' in c ? c.user.open_id : c.department.open_department_id);
  const mirrorRows = async () => (await sql<Record<string, any>>`select * from hr_people order by open_id`.execute(t.hub.store!.db)).rows;

  beforeAll(async () => {
    t = await createTestHub({
      sections: { directory: { enabled: true, reconcile_every_ms: 3_600_000, mirror: { table: 'hr_people', departments_table: 'hr_departments' } } },
      setup: (hub) => void (hooks = recordHooks(hub)),
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('has the seeded directory at start: lookups by open_id, email, name and department', async () => {
    await expectEqualDirectories(t.hub, t.emulator);
    const alice = t.users.alice;
    expect(await t.hub.directory.user(alice.open_id)).toMatchObject({ name: alice.name, email: 'alice@example.com', status: 'active' });
    expect(await t.hub.directory.user('alice')).toMatchObject({ open_id: alice.open_id });
    expect((await t.hub.directory.find('ALICE@example.com')).map((u) => u.open_id)).toEqual([alice.open_id]);
    expect((await t.hub.directory.find('carol')).map((u) => u.user_id)).toEqual(['carol']);
    expect(await t.hub.directory.user(t.users.frank.open_id)).toBeUndefined(); // resigned: not in any department list
    const sre = await t.hub.directory.department('sre');
    expect(sre).toMatchObject({ name: 'SRE', department_id: 'sre' });
    expect((await t.hub.directory.department('engineering'))?.open_department_id).toBe(sre!.parent_id);
    expect((await t.hub.directory.status()).lastFullSyncAt).toBeGreaterThan(0);
    expect((await mirrorRows()).map((r) => r.email).sort()).toEqual(['alice@example.com', 'bob@example.com', 'carol@example.com', 'dave@example.com', 'erin@example.com']);
  });

  it('syncs 5,000 people in 500 departments whole; every change fires its hook once', async () => {
    const before = new Set((await t.hub.directory.users()).map((u) => u.open_id));
    const seeded = await ctl('POST', '/__emulator/directory/seed', { users: 5000, departments: 500, seed: 'feishu-hub-directory-test' });
    expect(seeded.status).toBeLessThan(300);
    hooks.length = 0;
    const result = await t.hub.directory.sync();
    await expectEqualDirectories(t.hub, t.emulator);
    const after = new Set(emulatorDirectory(t.emulator).users.map((u) => u.open_id));
    expect(result.users).toBe(5000);
    expect(result.departments).toBe(500);
    const ids = (type: string) => hooks.filter((c) => c.type === type).map(idOf).sort();
    expect(ids('user.created')).toEqual([...after].filter((id) => !before.has(id)).sort());
    expect(ids('user.deleted')).toEqual([...before].filter((id) => !after.has(id)).sort());
    expect(new Set(hooks.map((c) => `${c.type}:${idOf(c)}`)).size).toBe(hooks.length); // once each
    expect(hooks.every((c) => c.source === 'sync')).toBe(true);
    expect(ids('department.created').length + ids('department.updated').length).toBeGreaterThanOrEqual(496);
    // The mirror table holds the same people.
    const rows = await mirrorRows();
    expect(rows.length).toBe(5000);
    const one = dir().users.find((u) => !u.resigned && u.department_ids.length === 2)!;
    const row = rows.find((r) => r.open_id === one.open_id)!;
    expect(row).toMatchObject({ id: one.open_id, name: one.name, email: one.email, user_id: one.user_id, status: 'active' });
    expect(JSON.parse(row.department_ids)).toHaveLength(2);
    // A second sync finds nothing to change.
    hooks.length = 0;
    const again = await t.hub.directory.sync();
    expect(hooks).toEqual([]);
    expect(again.created.users + again.updated.users + again.deleted.users).toBe(0);
  }, 120_000);

  it('moves, renames and deletions of people and departments stay equal through events alone', async () => {
    hooks.length = 0;
    const s = dir();
    const leaders = new Set(s.departments.map((d) => d.leader_user_id));
    const [renamed, moved, emailed, leaving] = s.users.filter((u) => !u.resigned && !leaders.has(u.open_id) && u.department_ids.length === 1).slice(10, 14);
    const target = s.departments.find((d) => !moved.department_ids.includes(d.department_id))!;
    const deptRenamed = s.departments[40];
    const deptMoved = s.departments.find((d) => d.parent_department_id !== '0' && d !== deptRenamed)!;

    await ctl('PATCH', `/__emulator/directory/users/${renamed.open_id}`, { name: 'Renamed Person', en_name: 'Renamed Person' });
    await ctl('PATCH', `/__emulator/directory/users/${moved.open_id}`, { department_ids: [target.department_id] });
    await ctl('PATCH', `/__emulator/directory/users/${emailed.open_id}`, { email: 'new.address@example.com' });
    await ctl('DELETE', `/__emulator/directory/users/${leaving.open_id}`);
    const created = (await ctl('POST', '/__emulator/directory/users', { name: 'New Hire', en_name: 'New Hire', email: 'new.hire@example.com', department_ids: [target.department_id], job_title: 'Engineer' })).body;
    await ctl('POST', '/__emulator/directory/departments', { name: 'Skunkworks', department_id: 'skunkworks', parent_department_id: target.department_id });
    await ctl('PATCH', `/__emulator/directory/departments/${deptRenamed.department_id}`, { name: 'Platform (renamed)' });
    await ctl('PATCH', `/__emulator/directory/departments/${deptMoved.department_id}`, { parent_department_id: '0' });
    await ctl('POST', '/__emulator/directory/departments', { name: 'Short-lived', department_id: 'short_lived' });
    await until(() => t.hub.directory.department('short_lived'), 5000, 'the new department');
    await ctl('DELETE', '/__emulator/directory/departments/short_lived');

    await until(() => directoriesEqual(t.hub, t.emulator), 15_000, 'the store to equal the emulator through events');
    await expectEqualDirectories(t.hub, t.emulator);
    expect(await t.hub.directory.user(leaving.open_id)).toBeUndefined();
    expect((await t.hub.directory.find('new.hire@example.com'))[0]).toMatchObject({ name: 'New Hire', job_title: 'Engineer' });
    expect((await t.hub.directory.find('new.address@example.com'))[0]?.open_id).toBe(emailed.open_id);
    expect(await t.hub.directory.department('short_lived')).toBeUndefined();
    expect((await t.hub.directory.department('skunkworks'))?.parent_id).toBe(target.open_department_id);

    // Each change came from an event and fired its hook once.
    await new Promise((r) => setTimeout(r, 300));
    expect(hooks.every((c) => c.source === 'event')).toBe(true);
    const of = (id: string) => hooks.filter((c) => idOf(c) === id).map((c) => c.type);
    expect(of(renamed.open_id)).toEqual(['user.updated']);
    expect(hooks.find((c) => idOf(c) === renamed.open_id)!.changes).toEqual(expect.arrayContaining(['name', 'en_name']));
    expect(of(moved.open_id)).toEqual(['user.updated']);
    expect(of(emailed.open_id)).toEqual(['user.updated']);
    expect(of(leaving.open_id)).toEqual(['user.deleted']);
    expect(of(String(created.open_id ?? created.user?.open_id ?? (await t.hub.directory.find('new.hire@example.com'))[0].open_id))).toEqual(['user.created']);
    expect(of(deptRenamed.open_department_id)).toEqual(['department.updated']);
    expect(of(deptMoved.open_department_id)).toEqual(['department.updated']);
    const shortLived = hooks.filter((c) => 'department' in c && c.department.department_id === 'short_lived').map((c) => c.type);
    expect(shortLived).toEqual(['department.created', 'department.deleted']);
    // The mirror followed.
    const rows = await mirrorRows();
    expect(rows.find((r) => r.open_id === renamed.open_id)?.name).toBe('Renamed Person');
    expect(rows.some((r) => r.open_id === leaving.open_id)).toBe(false);
    expect(JSON.parse(rows.find((r) => r.open_id === moved.open_id)!.department_ids)).toEqual([target.open_department_id]);
  }, 60_000);

  it('with event pushes off for a while, the reconcile makes it equal again; the late pushes change nothing', async () => {
    const appId = t.emulator.app.appId;
    await ctl('PATCH', `/__emulator/apps/${appId}`, { event_url: null });
    hooks.length = 0;
    const s = dir();
    const leaders = new Set(s.departments.map((d) => d.leader_user_id));
    const [renamed, moved, leaving] = s.users.filter((u) => !u.resigned && !leaders.has(u.open_id) && u.department_ids.length === 1).slice(30, 33);
    const target = s.departments.find((d) => !moved.department_ids.includes(d.department_id))!;
    const deptRenamed = s.departments[77];
    await ctl('PATCH', `/__emulator/directory/users/${renamed.open_id}`, { name: 'Missed Rename' });
    await ctl('PATCH', `/__emulator/directory/users/${moved.open_id}`, { department_ids: [target.department_id] });
    await ctl('DELETE', `/__emulator/directory/users/${leaving.open_id}`);
    await ctl('POST', '/__emulator/directory/users', { name: 'Missed Hire', email: 'missed.hire@example.com', department_ids: [target.department_id] });
    await ctl('PATCH', `/__emulator/directory/departments/${deptRenamed.department_id}`, { name: 'Missed Department Rename' });
    await ctl('POST', '/__emulator/directory/departments', { name: 'Missed Department', department_id: 'missed_dept', parent_department_id: target.department_id });
    await new Promise((r) => setTimeout(r, 500));
    expect(await directoriesEqual(t.hub, t.emulator)).toBe(false);
    expect(hooks).toEqual([]);

    const result = await t.hub.directory.reconcile();
    await expectEqualDirectories(t.hub, t.emulator);
    const hire = (await t.hub.directory.find('missed.hire@example.com'))[0];
    const missedDept = (await t.hub.directory.department('missed_dept'))!;
    const got = hooks.map((c) => `${c.type}:${idOf(c)}`).sort();
    expect(got).toEqual(
      [
        `user.updated:${renamed.open_id}`,
        `user.updated:${moved.open_id}`,
        `user.deleted:${leaving.open_id}`,
        `user.created:${hire.open_id}`,
        `department.updated:${deptRenamed.open_department_id}`,
        `department.created:${missedDept.open_department_id}`,
      ].sort(),
    );
    expect(hooks.every((c) => c.source === 'reconcile')).toBe(true);
    expect(result.updated.users + result.created.users + result.deleted.users).toBe(4);

    // Pushes back on: the platform retries the missed events (15 s later); they are older than the store's data.
    await ctl('PATCH', `/__emulator/apps/${appId}`, { event_url: `${t.hub.url}/webhook/event` });
    hooks.length = 0;
    const missed = async () => ((await ctl('GET', '/__emulator/events')).body.events as { type: string; delivered: boolean; attempts: unknown[] }[]).filter((e) => e.type.startsWith('contact.') && e.attempts.length > 1);
    await ctl('POST', '/__emulator/clock', { advance_ms: 16_000 });
    await until(async () => (await missed()).length >= 6 && (await missed()).every((e) => e.delivered), 15_000, 'the retried pushes');
    await until(async () => {
      const st = (await t.hub.inbox!.stats()) as Record<string, number>;
      return !st.pending && !st.processing;
    }, 10_000, 'the inbox to be processed');
    await new Promise((r) => setTimeout(r, 300));
    await expectEqualDirectories(t.hub, t.emulator);
    expect(hooks).toEqual([]);
  }, 120_000);
});
