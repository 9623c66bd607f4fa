import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { user } from '../helpers/im.js';
import { newBase, TASKS, type NewBase } from './bitable-helpers.js';

/** The Base page's control routes: one table as a view shows it, the people, edits as a person. */

const env = useEmulator();
const TYPE = 'drive.file.bitable_record_changed_v1';
const changed = async () => (await env.ctl.call('GET', `/__emulator/events?type=${TYPE}`)).body.events as any[];
const tableUrl = (b: NewBase, i = 0) => `/__emulator/bitable/apps/${b.app_token}/tables/${b.tables[i].table_id}`;
const at = (b: NewBase) => ({ app_token: b.app_token, table_id: b.tables[0].table_id });
const subscribe = (b: NewBase) => env.client.drive.v1.file.subscribe({ path: { file_token: b.app_token }, params: { file_type: 'bitable' } });

describe('bitable control: the Base page routes', () => {
  it('GET people lists the directory; GET a table answers fields, views and records as the view shows them', async () => {
    const people = (await env.ctl.call('GET', '/__emulator/bitable/people')).body.people as { open_id: string; name: string; email: string }[];
    const alice = user(env.emu, 'alice');
    expect(people.length).toBeGreaterThan(1);
    expect(people).toContainEqual(expect.objectContaining({ open_id: alice.open_id, name: alice.name, email: alice.email }));

    const base = await newBase(env, TASKS);
    await env.client.bitable.v1.appTableRecord.batchCreate({ path: at(base), data: { records: [{ fields: { Title: 'a', Points: 1 } }, { fields: { Title: 'b', Points: 9 } }] } });
    const points = base.tables[0].fields.find((f) => f.field_name === 'Points')!.field_id;
    const view = (await env.client.bitable.v1.appTableView.create({ path: at(base), data: { view_name: 'Big' } })).data!.view!;
    await env.client.bitable.v1.appTableView.patch({
      path: { ...at(base), view_id: view.view_id! },
      data: { property: { filter_info: { conjunction: 'and', conditions: [{ field_id: points, operator: 'isGreater', value: '5' }] }, hidden_fields: [points] } },
    });

    const all = (await env.ctl.call('GET', tableUrl(base))).body;
    expect(all).toMatchObject({ app_token: base.app_token, name: 'Ops', table: { table_id: base.tables[0].table_id, name: 'Tasks', view_id: base.tables[0].default_view_id, total: 2 } });
    expect(all.table.views.map((v: { view_name: string }) => v.view_name)).toEqual([expect.any(String), 'Big']);
    expect(all.table.records).toHaveLength(2);
    expect(all.table.records[0]).toMatchObject({ record_id: expect.stringMatching(/^rec/), fields: { Title: [{ type: 'text', text: 'a' }], Points: 1, No: '1' } });
    expect(all.table.fields.find((f: { field_name: string }) => f.field_name === 'Points').is_hidden).toBe(false);

    const big = (await env.ctl.call('GET', `${tableUrl(base)}?view_id=${view.view_id}`)).body.table;
    expect(big.view_id).toBe(view.view_id);
    expect(big.total).toBe(2);
    expect(big.records.map((r: { fields: { Points: number } }) => r.fields.Points)).toEqual([9]);
    expect(big.fields.find((f: { field_name: string }) => f.field_name === 'Points').is_hidden).toBe(true);

    expect((await env.ctl.call('GET', `/__emulator/bitable/apps/bascnNope/tables/${base.tables[0].table_id}`)).status).toBe(404);
    expect((await env.ctl.call('GET', `/__emulator/bitable/apps/${base.app_token}/tables/tblNope`)).status).toBe(404);
  });

  it('edits as a person through the write path: create, patch, delete, each pushing the record-changed event with that operator', async () => {
    const base = await newBase(env, TASKS);
    expect((await subscribe(base)).code).toBe(0);
    const alice = user(env.emu, 'alice');
    const fieldId = (name: string) => base.tables[0].fields.find((f) => f.field_name === name)!.field_id;

    const created = await env.ctl.call('POST', `${tableUrl(base)}/records`, { fields: { Title: 'From the page', Points: 2 }, as: alice.open_id });
    expect(created.status).toBe(200);
    const rec = created.body.record;
    expect(rec).toMatchObject({ record_id: expect.stringMatching(/^rec/), fields: { Title: [{ type: 'text', text: 'From the page' }], Points: 2 }, created_by: { id: alice.open_id } });
    expect(created.body.revision).toEqual(expect.any(Number));

    // `as` may name the person by email too.
    const patched = await env.ctl.call('PATCH', `${tableUrl(base)}/records/${rec.record_id}`, { fields: { Points: 7, Status: 'Done', Flag: true }, as: alice.email });
    expect(patched.status).toBe(200);
    expect(patched.body.record.fields).toMatchObject({ Points: 7, Status: 'Done', Flag: true });
    expect(patched.body.record.last_modified_by).toMatchObject({ id: alice.open_id });

    // The API reads the edit.
    const got = await env.client.bitable.v1.appTableRecord.get({ path: { ...at(base), record_id: rec.record_id } });
    expect(got.data!.record!.fields).toMatchObject({ Points: 7, Status: 'Done', Flag: true });

    const gone = await env.ctl.call('DELETE', `${tableUrl(base)}/records/${rec.record_id}?as=${alice.open_id}`);
    expect(gone.status).toBe(200);
    expect(gone.body).toMatchObject({ deleted: true, record_id: rec.record_id });

    const events = (await changed()).map((e) => e.envelope.event);
    expect(events.map((e) => e.action_list[0].action)).toEqual(['record_added', 'record_edited', 'record_deleted']);
    for (const e of events) {
      expect(e.file_token).toBe(base.app_token);
      expect(e.operator_id).toEqual({ open_id: alice.open_id, union_id: alice.union_id, user_id: alice.user_id });
    }
    expect(events[1].action_list[0]).toEqual({
      record_id: rec.record_id,
      action: 'record_edited',
      before_value: [{ field_id: fieldId('Points'), field_value: '2' }],
      after_value: expect.arrayContaining([
        { field_id: fieldId('Points'), field_value: '7' },
        { field_id: fieldId('Status'), field_value: '"Done"' },
        { field_id: fieldId('Flag'), field_value: 'true' },
      ]),
    });
    expect(events[1].action_list[0].after_value).toHaveLength(3);
    expect((await env.ctl.call('GET', tableUrl(base))).body.table.records).toEqual([]);
  });

  it('a bad cell value is 400 naming the field; an unknown person in "as" is 400; nothing is written, no event', async () => {
    const base = await newBase(env, TASKS);
    await subscribe(base);
    const alice = user(env.emu, 'alice');
    const rec = (await env.ctl.call('POST', `${tableUrl(base)}/records`, { fields: { Title: 'x', Points: 1 }, as: alice.open_id })).body.record;
    const before = (await changed()).length;
    const url = `${tableUrl(base)}/records/${rec.record_id}`;

    const bad = await env.ctl.call('PATCH', url, { fields: { Points: 'many' }, as: alice.open_id });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ field: 'Points', code: 1254061 });
    expect(bad.body.error).toContain('Points');

    const phone = await env.ctl.call('PATCH', url, { fields: { Phone: 'call me' }, as: alice.open_id });
    expect(phone).toMatchObject({ status: 400, body: { field: 'Phone', code: 1254072 } });

    const unknown = await env.ctl.call('PATCH', url, { fields: { Nope: 1 }, as: alice.open_id });
    expect(unknown).toMatchObject({ status: 400, body: { field: 'Nope', code: 1254045 } });

    const readOnly = await env.ctl.call('PATCH', url, { fields: { No: '5' }, as: alice.open_id });
    expect(readOnly).toMatchObject({ status: 400, body: { field: 'No', code: 1254001 } });

    const nobody = await env.ctl.call('PATCH', url, { fields: { Points: 3 }, as: 'ou_nobody' });
    expect(nobody.status).toBe(400);
    expect(nobody.body.error).toContain('ou_nobody');
    expect((await env.ctl.call('POST', `${tableUrl(base)}/records`, { fields: { Title: 'y' }, as: 'nobody@example.com' })).status).toBe(400);
    expect((await env.ctl.call('DELETE', `${url}?as=ou_nobody`)).status).toBe(400);

    expect((await env.ctl.call('PATCH', `${tableUrl(base)}/records/recNope000000`, { fields: { Points: 3 }, as: alice.open_id })).status).toBe(404);

    const now = (await env.ctl.call('GET', tableUrl(base))).body.table.records;
    expect(now).toHaveLength(1);
    expect(now[0].fields.Points).toBe(1);
    expect(await changed()).toHaveLength(before);
  });

  it('a write to a base in the middle of another write is 409', async () => {
    const base = await newBase(env, TASKS);
    const alice = user(env.emu, 'alice');
    await env.ctl.call('PUT', `/__emulator/bitable/apps/${base.app_token}/write-latency`, { ms: 300 });
    const slow = env.ctl.call('POST', `${tableUrl(base)}/records`, { fields: { Title: 'slow' }, as: alice.open_id });
    await new Promise((r) => setTimeout(r, 100));
    const second = await env.ctl.call('POST', `${tableUrl(base)}/records`, { fields: { Title: 'second' }, as: alice.open_id });
    expect(second).toMatchObject({ status: 409, body: { code: 1254291 } });
    expect((await slow).status).toBe(200);
  });
});
