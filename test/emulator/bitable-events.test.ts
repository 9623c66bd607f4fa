import * as lark from '@larksuiteoapi/node-sdk';
import { describe, expect, it, onTestFinished } from 'vitest';
import { BitableState } from '../../src/emulator/bitable/index.js';
import { useEmulator } from '../helpers/emulator.js';
import { user } from '../helpers/im.js';
import { codeFor, REDIRECT, tokenV2 } from './authen-helpers.js';
import { newBase, type NewBase } from './bitable-helpers.js';

const env = useEmulator();
const records = () => env.client.bitable.v1.appTableRecord;
const at = (b: NewBase) => ({ app_token: b.app_token, table_id: b.tables[0].table_id });
const TYPE = 'drive.file.bitable_record_changed_v1';
const changed = async () => ((await env.ctl.call('GET', `/__emulator/events?type=${TYPE}`)).body.events as any[]);

describe('bitable record-changed events', () => {
  it('are pushed after each write to a subscribed base, with the values before and after', async () => {
    const base = await newBase(env, [{ name: 'Tasks', fields: [{ field_name: 'Title', type: 1 }, { field_name: 'Points', type: 2 }, { field_name: 'Owner', type: 11 }] }]);
    const other = await newBase(env);
    const [title, points, owner] = base.tables[0].fields.map((f) => f.field_id);
    await records().create({ path: at(base), data: { fields: { Title: 'before subscribing' } } });
    const sub = await env.client.drive.v1.file.subscribe({ path: { file_token: base.app_token }, params: { file_type: 'bitable' } });
    expect(sub.code).toBe(0);
    await records().create({ path: { app_token: other.app_token, table_id: other.tables[0].table_id }, data: { fields: {} } });
    expect(await changed()).toEqual([]);

    const alice = user(env.emu, 'alice');
    const rec = (await records().create({ path: at(base), data: { fields: { Title: 'Ship', Points: 2, Owner: [{ id: alice.open_id }] } } })).data!.record!.record_id!;
    await records().update({ path: { ...at(base), record_id: rec }, data: { fields: { Points: 5 } } });
    await records().delete({ path: { ...at(base), record_id: rec } });
    const log = await changed();
    expect(log).toHaveLength(3);
    const events = log.map((e) => e.envelope.event);
    expect(events[0]).toMatchObject({
      file_type: 'bitable',
      file_token: base.app_token,
      table_id: base.tables[0].table_id,
      revision: expect.any(Number),
      operator_id: expect.any(Object),
      subscriber_id_list: [],
      update_time: expect.any(Number),
    });
    expect(events[0].action_list).toEqual([
      {
        record_id: rec,
        action: 'record_added',
        before_value: [],
        after_value: [
          { field_id: title, field_value: JSON.stringify([{ type: 'text', text: 'Ship' }]) },
          { field_id: points, field_value: '2' },
          {
            field_id: owner,
            field_value: expect.stringContaining(alice.open_id),
            field_identity_value: { users: [{ user_id: { open_id: alice.open_id, union_id: alice.union_id, user_id: alice.user_id }, name: alice.name, en_name: alice.en_name, avatar_url: expect.any(String) }] },
          },
        ],
      },
    ]);
    expect(events[1].action_list).toEqual([{ record_id: rec, action: 'record_edited', before_value: [{ field_id: points, field_value: '2' }], after_value: [{ field_id: points, field_value: '5' }] }]);
    expect(events[2].action_list[0]).toMatchObject({ record_id: rec, action: 'record_deleted', after_value: [] });
    expect(events[2].action_list[0].before_value).toHaveLength(3);
    expect(events[2].revision).toBeGreaterThan(events[0].revision);

    // One event per batch, one action per record.
    const batch = await records().batchCreate({ path: at(base), data: { records: [{ fields: { Title: 'a' } }, { fields: { Title: 'b' } }] } });
    expect(batch.code).toBe(0);
    const last = (await changed()).at(-1);
    expect(last.envelope.event.action_list.map((a: { action: string }) => a.action)).toEqual(['record_added', 'record_added']);

    expect((await env.client.drive.v1.file.getSubscribe({ path: { file_token: base.app_token }, params: { file_type: 'bitable' } })).data).toEqual({ is_subscribe: true });
    await env.client.drive.v1.file.deleteSubscribe({ path: { file_token: base.app_token }, params: { file_type: 'bitable' } });
    await records().create({ path: at(base), data: { fields: { Title: 'after unsubscribing' } } });
    expect(await changed()).toHaveLength(4);
  });

  it('a write with a user access token names its author: created_by, last_modified_by and operator_id', async () => {
    const base = await newBase(env, [{ name: 'T', fields: [{ field_name: 'Title', type: 1 }, { field_name: 'By', type: 1003 }] }]);
    await env.client.drive.v1.file.subscribe({ path: { file_token: base.app_token }, params: { file_type: 'bitable' } });
    const { code } = await codeFor(env.emu, 'carol');
    const token = (await tokenV2(env.emu, { grant_type: 'authorization_code', code, redirect_uri: REDIRECT })).json.access_token as string;
    const carol = user(env.emu, 'carol');
    const r = await records().create({ path: at(base), data: { fields: { Title: 'mine' } } }, lark.withUserAccessToken(token));
    expect(r.code).toBe(0);
    expect(r.data!.record!.fields.By).toEqual([expect.objectContaining({ id: carol.open_id, name: carol.name })]);
    const found = await records().search({ path: at(base), data: { automatic_fields: true } });
    expect(found.data!.items![0]).toMatchObject({ created_by: { id: carol.open_id }, last_modified_by: { id: carol.open_id } });
    const ev = (await changed()).at(-1).envelope.event;
    expect(ev.operator_id).toEqual({ open_id: carol.open_id, union_id: carol.union_id, user_id: carol.user_id });
  });

  it('subscribe refuses other file types and unknown bases', async () => {
    const base = await newBase(env);
    const docx = await env.client.drive.v1.file.subscribe({ path: { file_token: base.app_token }, params: { file_type: 'docx' } }).catch((e) => e.response.data);
    expect(docx.code).toBe(1061002);
    const none = await env.client.drive.v1.file.subscribe({ path: { file_token: 'bascnNope' }, params: { file_type: 'bitable' } }).catch((e) => e.response.data);
    expect(none.code).toBe(1061003);
  });
});

describe('bitable limits', () => {
  it('a write arriving while another write to the same base is in progress is 1254291 Write conflict', async () => {
    const base = await newBase(env, [{ name: 'T', fields: [{ field_name: 'Title', type: 1 }] }]);
    const other = await newBase(env, [{ name: 'T', fields: [{ field_name: 'Title', type: 1 }] }]);
    expect((await env.ctl.call('PUT', `/__emulator/bitable/apps/${base.app_token}/write-latency`, { ms: 300 })).status).toBe(200);
    const slow = records().create({ path: at(base), data: { fields: { Title: 'slow' } } });
    const writing = env.emu.context.slice(BitableState).writing;
    while (!writing.has(base.app_token)) await new Promise((r) => setTimeout(r, 5));
    const [conflict, elsewhere, read] = await Promise.all([
      records().create({ path: at(base), data: { fields: { Title: 'second' } } }),
      records().create({ path: at(other), data: { fields: { Title: 'other base' } } }),
      records().search({ path: at(base), data: {} }),
    ]);
    expect(conflict.code).toBe(1254291);
    expect(conflict.msg).toBe('Write conflict');
    expect(elsewhere.code).toBe(0);
    expect(read.code).toBe(0);
    expect((await slow).code).toBe(0);
    expect((await records().create({ path: at(base), data: { fields: { Title: 'after' } } })).code).toBe(0);
  });

  it('limits reads to 20/s and writes to 50/s per app (HTTP 429, 99991400)', async () => {
    const base = await newBase(env, [{ name: 'T', fields: [{ field_name: 'Title', type: 1 }] }]);
    // A tenth of the limits (2/s, 5/s), so a burst exceeds one window however slow the machine is.
    expect((await records().search({ path: at(base), data: {} })).code).toBe(0); // the SDK caches its token first
    await env.ctl.rateLimits({ scale: 0.1 });
    onTestFinished(async () => {
      await env.ctl.rateLimits({ scale: 1 });
    });
    const fail = (p: Promise<{ code?: number }>) => p.then((r) => ({ status: 200, code: r.code }), (e) => ({ status: e.response?.status, code: e.response?.data?.code, limit: e.response?.headers['x-ogw-ratelimit-limit'] }));
    const reads = await Promise.all(Array.from({ length: 12 }, () => fail(records().search({ path: at(base), data: {} }))));
    const limited = reads.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(limited[0]).toMatchObject({ code: 99991400, limit: '2' });
    const writes = await Promise.all(Array.from({ length: 25 }, () => fail(records().create({ path: at(base), data: { fields: { Title: 'x' } } }))));
    const wl = writes.filter((r) => r.status === 429);
    expect(wl.length).toBeGreaterThan(0);
    expect(wl[0]).toMatchObject({ code: 99991400, limit: '5' });
    expect(writes.filter((r) => r.code === 0).length).toBeGreaterThanOrEqual(5);
  });
});
