import { beforeEach, describe, expect, it } from 'vitest';
import { sdkClient, useEmulator } from '../helpers/emulator.js';
import { sdkFailure } from '../helpers/im.js';

/**
 * The directory at the size the hub's org sync is built for: 5,000 people in 500 departments,
 * generated in one control call, read back through the official SDK page by page.
 */

const env = useEmulator();
const seed = (body: Record<string, unknown>) => env.ctl.call('POST', '/__emulator/directory/seed', body);

beforeEach(async () => {
  // These tests read the whole organisation: hundreds of calls, more than tier 4 allows in a second.
  await env.ctl.rateLimits({ enabled: false });
});

describe('POST /__emulator/directory/seed', () => {
  it('replaces the directory with 5,000 people in 500 departments, deterministically per seed', async () => {
    const res = await seed({ users: 5000, departments: 500, seed: 'acme' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ users: 5000, departments: 500, active_users: 5000, leaders: 500 });
    expect(res.body.with_two_departments).toBeGreaterThan(100);
    const first = (await env.ctl.call('GET', '/__emulator/snapshot')).body.directory;

    await seed({ users: 5000, departments: 500, seed: 'acme' });
    const again = (await env.ctl.call('GET', '/__emulator/snapshot')).body.directory;
    expect(again).toEqual(first);
    await seed({ users: 5000, departments: 500, seed: 'other' });
    const other = (await env.ctl.call('GET', '/__emulator/snapshot')).body.directory;
    expect(other.users.slice(5).map((u: { open_id: string }) => u.open_id)).not.toEqual(first.users.slice(5).map((u: { open_id: string }) => u.open_id));

    // A tree under the root, unique emails and mobiles, everyone somewhere, each department led by one of its people.
    const users = first.users as { open_id: string; user_id: string; email: string; mobile: string; department_ids: string[] }[];
    const depts = first.departments as { department_id: string; parent_department_id: string; leader_user_id: string }[];
    expect(new Set(users.map((u) => u.email)).size).toBe(5000);
    expect(new Set(users.map((u) => u.mobile)).size).toBe(5000);
    expect(new Set(users.map((u) => u.open_id)).size).toBe(5000);
    const keys = new Set(depts.map((d) => d.department_id));
    expect(depts.every((d) => d.parent_department_id === '0' || keys.has(d.parent_department_id))).toBe(true);
    expect(depts.filter((d) => d.parent_department_id === '0').length).toBeGreaterThan(3);
    expect(users.every((u) => u.department_ids.length >= 1 && u.department_ids.every((k) => keys.has(k)))).toBe(true);
    const members = new Map<string, Set<string>>();
    for (const u of users) for (const k of u.department_ids) members.set(k, (members.get(k) ?? new Set()).add(u.open_id));
    expect(depts.every((d) => members.get(d.department_id)?.has(d.leader_user_id))).toBe(true);
    // The default seed's people stay (other products' seeds name them); Frank, who had left, does not.
    expect(users.slice(0, 5).map((u) => u.user_id)).toEqual(['alice', 'bob', 'carol', 'dave', 'erin']);
    expect(users.slice(0, 5).map((u) => u.email)).toEqual(['alice@example.com', 'bob@example.com', 'carol@example.com', 'dave@example.com', 'erin@example.com']);
  });

  it('refuses a bad body and pushes no events; a reset brings the six seeded people back', async () => {
    expect((await seed({ users: -1, departments: 5 })).status).toBe(400);
    expect((await seed({ users: 10 })).status).toBe(400);
    await seed({ users: 50, departments: 5, seed: 'x' });
    const events = (await env.ctl.call('GET', '/__emulator/events')).body.events as { type: string }[];
    expect(events.filter((e) => e.type.startsWith('contact.'))).toEqual([]);
    await env.ctl.reset();
    expect(env.emu.state.users.map((u) => u.user_id)).toEqual(['alice', 'bob', 'carol', 'dave', 'erin', 'frank']);
  });
});

describe('reading 5,000 people through the SDK', () => {
  beforeEach(async () => {
    await seed({ users: 5000, departments: 500, seed: 'acme' });
  });

  it('pages through everyone with the users list (100 a page) and through every department’s direct members', async () => {
    const state = (await env.ctl.call('GET', '/__emulator/snapshot')).body.directory;
    const expected = (state.users as { open_id: string }[]).map((u) => u.open_id);

    const listed: string[] = [];
    let pages = 0;
    for await (const page of await env.client.contact.user.listWithIterator({ params: { page_size: 100 } })) {
      pages++;
      listed.push(...page!.items!.map((u) => u.open_id!));
    }
    expect(pages).toBe(50);
    expect(listed).toEqual(expected);

    // Departments: the whole tree from the root, 50 a page.
    const departments: { open_department_id: string; member_count: number; parent_department_id: string }[] = [];
    for await (const page of await env.client.contact.department.childrenWithIterator({ path: { department_id: '0' }, params: { fetch_child: true, page_size: 50 } })) {
      departments.push(...(page!.items as typeof departments));
    }
    expect(departments).toHaveLength(500);

    // Direct members of every department add up to everyone (some twice: people in two departments).
    const seen = new Set<string>();
    let memberships = 0;
    for (const d of departments) {
      for await (const page of await env.client.contact.user.findByDepartmentWithIterator({ params: { department_id: d.open_department_id, page_size: 50 } })) {
        for (const u of page!.items!) {
          seen.add(u.open_id!);
          memberships++;
        }
      }
    }
    expect(seen.size).toBe(5000);
    expect(memberships).toBe((state.users as { department_ids: string[] }[]).reduce((n, u) => n + u.department_ids.length, 0));

    // member_count counts a department and its sub-departments, each person once.
    const byOpen = new Map(departments.map((d) => [d.open_department_id, d]));
    const topLevel = departments.filter((d) => d.parent_department_id === '0');
    const expectedTotal = topLevel.reduce((n, d) => n + d.member_count, 0);
    const twoTopLevels = (state.users as { department_ids: string[] }[]).filter((u) => {
      const tops = new Set(
        u.department_ids.map((k) => {
          let d = (state.departments as { department_id: string; open_department_id: string; parent_department_id: string }[]).find((x) => x.department_id === k)!;
          while (d.parent_department_id !== '0') d = (state.departments as (typeof d)[]).find((x) => x.department_id === d.parent_department_id)!;
          return d.open_department_id;
        }),
      );
      return tops.size > 1;
    }).length;
    expect(expectedTotal).toBe(5000 + twoTopLevels);
    expect(byOpen.size).toBe(500);
  });

  it('finds people by email and mobile in batches of 50, and gets 50 users at once', async () => {
    const users = (await env.ctl.call('GET', '/__emulator/snapshot')).body.directory.users as { user_id: string; email: string; mobile: string }[];
    const some = users.filter((_, i) => i % 97 === 3).slice(0, 50);
    const byEmail = (await env.client.contact.user.batchGetId({ params: { user_id_type: 'user_id' }, data: { emails: some.map((u) => u.email) } })).data!;
    expect(byEmail.user_list!.map((e) => e.user_id)).toEqual(some.map((u) => u.user_id));
    const byMobile = (await env.client.contact.user.batchGetId({ params: { user_id_type: 'user_id' }, data: { mobiles: some.map((u) => u.mobile) } })).data!;
    expect(byMobile.user_list!.map((e) => e.user_id)).toEqual(some.map((u) => u.user_id));
    const batch = (await env.client.contact.user.batch({ params: { user_ids: some.map((u) => u.user_id), user_id_type: 'user_id' } })).data!;
    expect(batch.items!.map((u) => u.email)).toEqual(some.map((u) => u.email));
  });

  it('keeps the platform’s tier 4 on contact APIs (scaled down here): over the limit is HTTP 429, 99991400', async () => {
    await env.ctl.rateLimits({ enabled: true, scale: 0.01 });
    const client = sdkClient(env.emu);
    const outcomes: number[] = [];
    for (let i = 0; i < 12; i++) {
      try {
        await client.contact.user.list({ params: { page_size: 1 } });
        outcomes.push(200);
      } catch (e) {
        const f = await sdkFailure(Promise.reject(e));
        expect(f.data.code).toBe(99991400);
        expect(f.headers['x-ogw-ratelimit-limit']).toBeDefined();
        outcomes.push(f.status);
      }
    }
    expect(outcomes).toContain(429);
    await env.ctl.rateLimits({ enabled: true, scale: 1 });
  });

  it('a snapshot of the generated organisation restores whole', async () => {
    const snap = (await env.ctl.call('GET', '/__emulator/snapshot')).body;
    await env.ctl.reset();
    expect(env.emu.state.users).toHaveLength(6);
    expect((await env.ctl.call('PUT', '/__emulator/snapshot', snap)).status).toBe(200);
    expect((await env.ctl.call('GET', '/__emulator/snapshot')).body.directory).toEqual(snap.directory);
    const client = sdkClient(env.emu);
    const last = snap.directory.users[4999] as { user_id: string; email: string };
    const found = (await client.contact.user.batchGetId({ params: { user_id_type: 'user_id' }, data: { emails: [last.email] } })).data!;
    expect(found.user_list![0].user_id).toBe(last.user_id);
  });
});
