import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { demoChat, user } from '../helpers/im.js';
import { newBase, TASKS, wholeBase, type NewBase } from './bitable-helpers.js';

const env = useEmulator();
const records = () => env.client.bitable.v1.appTableRecord;
const at = (b: NewBase, i = 0) => ({ app_token: b.app_token, table_id: b.tables[i].table_id });

describe('bitable records: value formats per field type', () => {
  it('writes each type in its write format and reads it back in the read format', async () => {
    const base = await newBase(env, TASKS);
    const alice = user(env.emu, 'alice');
    const created = await records().create({
      path: at(base),
      params: { user_id_type: 'open_id' },
      data: {
        fields: {
          Title: 'Fix the build',
          Points: 3.5,
          Status: 'Todo',
          Tags: ['ci', 'urgent'],
          Due: 1767225600000,
          Flag: true,
          Owner: [{ id: alice.open_id }],
          Phone: '+8613800000000',
          Link: { text: 'Runbook', link: 'https://example.com/runbook' },
          Files: [{ file_token: 'boxcnFile1' }],
          Place: '116.397755,39.903179',
        },
      },
    });
    expect(created.code).toBe(0);
    const rec = created.data!.record!;
    expect(rec.record_id).toMatch(/^rec[A-Za-z0-9]{10}$/);
    expect((rec as { id?: string }).id).toBe(rec.record_id);
    const got = await records().get({ path: { ...at(base), record_id: rec.record_id! }, params: { text_field_as_array: true } });
    expect(got.data!.record!.fields).toEqual({
      Title: [{ type: 'text', text: 'Fix the build' }],
      Points: 3.5,
      Status: 'Todo',
      Tags: ['ci', 'urgent'],
      Due: 1767225600000,
      Flag: true,
      Owner: [{ id: alice.open_id, name: alice.name, en_name: alice.en_name, email: alice.email, avatar_url: expect.any(String) }],
      Phone: '+8613800000000',
      Link: { text: 'Runbook', link: 'https://example.com/runbook' },
      Files: [expect.objectContaining({ file_token: 'boxcnFile1', name: 'boxcnFile1', size: 0 })],
      Place: expect.objectContaining({ location: '116.397755,39.903179' }),
      No: '1',
    });
    // Without text_field_as_array the legacy get answers plain text as a string.
    expect((await records().get({ path: { ...at(base), record_id: rec.record_id! } })).data!.record!.fields.Title).toBe('Fix the build');
    // An unknown option name became an option of the field.
    const fields = (await env.client.bitable.v1.appTableField.list({ path: at(base) })).data!.items!;
    expect(fields.find((f) => f.field_name === 'Tags')!.property!.options!.map((o) => o.name)).toEqual(['ci', 'urgent']);
  });

  it('answers the type conversion errors with HTTP 200 and the 1254xxx code, writing nothing', async () => {
    const base = await newBase(env, TASKS);
    const cases: [Record<string, unknown>, number][] = [
      [{ Points: 'three' }, 1254061],
      [{ Title: 5 }, 1254060],
      [{ Status: ['a'] }, 1254062],
      [{ Tags: 'a' }, 1254063],
      [{ Due: '2026-01-01' }, 1254064],
      [{ Flag: 'yes' }, 1254065],
      [{ Owner: [{ id: 'ou_nobody' }] }, 1254066],
      [{ Link: 'https://x' }, 1254068],
      [{ Files: ['x'] }, 1254069],
      [{ Phone: 'call me' }, 1254072],
      [{ Nope: 1 }, 1254045],
      [{ Score: 1 }, 1254001],
      [{ No: '7' }, 1254001],
    ];
    for (const [fields, code] of cases) {
      const r = await records().create({ path: at(base), data: { fields } as never });
      expect([JSON.stringify(fields), r.code]).toEqual([JSON.stringify(fields), code]);
    }
    const raw = await fetch(`${env.emu.url}/open-apis/bitable/v1/apps/${base.app_token}/tables/${base.tables[0].table_id}/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${(await env.client.tokenManager.getTenantAccessToken())}` },
      body: JSON.stringify({ fields: { Points: 'x' } }),
    });
    expect(raw.status).toBe(200);
    expect((await wholeBase(env, base.app_token)).tables[0].records).toEqual([]);
  });

  it('links to records of another table, and null clears cells in an incremental update', async () => {
    const base = await newBase(env, [
      { name: 'Projects', fields: [{ field_name: 'Project', type: 1 }] },
      { name: 'Tasks', fields: [{ field_name: 'Task', type: 1 }, { field_name: 'Points', type: 2 }] },
    ]);
    await env.client.bitable.v1.appTableField.create({ path: at(base, 1), data: { field_name: 'Project', type: 21, property: { table_id: base.tables[0].table_id, back_field_name: 'Tasks' } } });
    const p = (await records().create({ path: at(base, 0), data: { fields: { Project: 'Apollo' } } })).data!.record!.record_id!;
    const t = (await records().create({ path: at(base, 1), data: { fields: { Task: 'Launch', Points: 8, Project: [p] } } })).data!.record!;
    expect(t.fields.Project).toEqual({ link_record_ids: [p] });
    const back = await records().get({ path: { ...at(base, 0), record_id: p } });
    expect(back.data!.record!.fields.Tasks).toEqual({ link_record_ids: [t.record_id] });
    // DuplexLinkFieldConvFail is one of the few bitable errors with HTTP 400 (the SDK throws).
    const bad = await records().create({ path: at(base, 1), data: { fields: { Project: ['recNoSuchRecord'] } } }).catch((e) => ({ status: e.response.status, ...e.response.data }));
    expect(bad).toMatchObject({ status: 400, code: 1254074 });

    const upd = await records().update({ path: { ...at(base, 1), record_id: t.record_id! }, data: { fields: { Points: null as unknown as number } } });
    expect(upd.code).toBe(0);
    expect(upd.data!.record!.fields).toEqual({ Task: [{ type: 'text', text: 'Launch' }], Project: { link_record_ids: [p] } });
    // Deleting the project unlinks it from the task.
    await records().delete({ path: { ...at(base, 0), record_id: p } });
    expect((await records().get({ path: { ...at(base, 1), record_id: t.record_id! } })).data!.record!.fields).toEqual({ Task: 'Launch' });
  });
});

describe('bitable records: computed and id-typed fields', () => {
  it('group chats, created/modified time, auto numbers, and people by user_id_type', async () => {
    const base = await newBase(env, [
      {
        name: 'T',
        fields: [
          { field_name: 'Title', type: 1 },
          { field_name: 'Chat', type: 23 },
          { field_name: 'Who', type: 11 },
          { field_name: 'Created', type: 1001 },
          { field_name: 'Modified', type: 1002 },
          { field_name: 'No', type: 1005 },
          { field_name: 'Mail', type: 1, ui_type: 'Email' },
        ],
      },
    ]);
    const chat = demoChat(env.emu);
    const bob = user(env.emu, 'bob');
    const r = await records().create({ path: at(base), params: { user_id_type: 'user_id' }, data: { fields: { Title: 'x', Chat: [{ id: chat.chat_id }], Who: [{ id: bob.user_id }], Mail: 'bob@example.com' } as never } });
    expect(r.code).toBe(0);
    const f = r.data!.record!.fields as Record<string, unknown>;
    expect(f.Chat).toEqual([{ id: chat.chat_id, name: chat.name, avatar_url: chat.avatar }]);
    expect(f.Who).toEqual([expect.objectContaining({ id: bob.user_id, name: bob.name })]);
    expect(f.Created).toEqual(expect.any(Number));
    expect(f.Modified).toBe(f.Created);
    expect(f.No).toBe('1');
    expect(f.Mail).toEqual([{ type: 'url', text: 'bob@example.com', link: 'mailto:bob@example.com' }]);
    const second = await records().create({ path: at(base), data: { fields: { Title: 'y' } } });
    expect((second.data!.record!.fields as Record<string, unknown>).No).toBe('2');
    const badChat = await records().create({ path: at(base), data: { fields: { Chat: [{ id: 'oc_nope' }] } as never } });
    expect(badChat.code).toBe(1254010);
    const byUserId = await records().search({ path: at(base), params: { user_id_type: 'user_id' }, data: { filter: { conjunction: 'and', conditions: [{ field_name: 'Who', operator: 'contains', value: [bob.user_id] }] } } });
    expect(byUserId.data!.items!.map((i) => i.record_id)).toEqual([r.data!.record!.record_id]);
  });
});

describe('bitable records: search', () => {
  async function seeded() {
    const base = await newBase(env, TASKS);
    const alice = user(env.emu, 'alice');
    const bob = user(env.emu, 'bob');
    const rows = [
      { Title: 'Alpha', Points: 1, Status: 'Todo', Tags: ['a'], Owner: [{ id: alice.open_id }], Due: Date.UTC(2026, 0, 10) },
      { Title: 'Beta', Points: 5, Status: 'Done', Tags: ['a', 'b'], Owner: [{ id: bob.open_id }], Flag: true },
      { Title: 'Gamma', Points: 3, Status: 'Todo', Tags: ['b'] },
      { Title: 'Delta beta', Points: 8, Status: 'Done' },
    ];
    const r = await records().batchCreate({ path: at(base), data: { records: rows.map((fields) => ({ fields })) as never } });
    expect(r.code).toBe(0);
    return { base, alice, bob, ids: r.data!.records!.map((x) => x.record_id!) };
  }
  const titles = (items: { fields: Record<string, unknown> }[] | undefined) => (items ?? []).map((i) => (i.fields.Title as { text: string }[])[0].text);

  it('filters with and/or conditions and the documented operators', async () => {
    const { base, alice } = await seeded();
    const search = async (filter: unknown) => {
      const r = await records().search({ path: at(base), data: { filter: filter as never } });
      expect(r.code).toBe(0);
      return titles(r.data!.items as never);
    };
    expect(await search({ conjunction: 'and', conditions: [{ field_name: 'Status', operator: 'is', value: ['Todo'] }] })).toEqual(['Alpha', 'Gamma']);
    expect(await search({ conjunction: 'and', conditions: [{ field_name: 'Points', operator: 'isGreater', value: ['3'] }] })).toEqual(['Beta', 'Delta beta']);
    expect(await search({ conjunction: 'and', conditions: [{ field_name: 'Points', operator: 'isLessEqual', value: ['3'] }, { field_name: 'Tags', operator: 'contains', value: ['b'] }] })).toEqual(['Gamma']);
    expect(await search({ conjunction: 'or', conditions: [{ field_name: 'Title', operator: 'contains', value: ['BETA'] }, { field_name: 'Owner', operator: 'is', value: [alice.open_id] }] })).toEqual(['Alpha', 'Beta', 'Delta beta']);
    expect(await search({ conjunction: 'and', conditions: [{ field_name: 'Tags', operator: 'isEmpty', value: [] }] })).toEqual(['Delta beta']);
    expect(await search({ conjunction: 'and', conditions: [{ field_name: 'Flag', operator: 'is', value: ['true'] }] })).toEqual(['Beta']);
    expect(await search({ conjunction: 'and', conditions: [{ field_name: 'Title', operator: 'doesNotContain', value: ['a'] }] })).toEqual([]);
    expect(await search({ conjunction: 'and', conditions: [{ field_name: 'Due', operator: 'is', value: ['ExactDate', String(Date.UTC(2026, 0, 10, 5))] }] })).toEqual(['Alpha']);
    expect(await search({ conjunction: 'and', conditions: [{ field_name: 'Title', operator: 'isNot', value: ['Alpha'] }], children: [{ conjunction: 'or', conditions: [{ field_name: 'Points', operator: 'is', value: ['3'] }, { field_name: 'Points', operator: 'is', value: ['8'] }] }] })).toEqual(['Gamma', 'Delta beta']);
    const bad = await records().search({ path: at(base), data: { filter: { conjunction: 'and', conditions: [{ field_name: 'Points', operator: 'like', value: ['1'] }] } } });
    expect(bad.code).toBe(1254018);
  });

  it('sorts, pages (page_size ≤ 500, page_token), picks field_names and adds automatic_fields', async () => {
    const { base } = await seeded();
    const r1 = await records().search({ path: at(base), params: { page_size: 3 }, data: { sort: [{ field_name: 'Points', desc: true }], field_names: ['Title', 'Points'], automatic_fields: true } });
    expect(r1.data).toMatchObject({ has_more: true, total: 4 });
    expect(r1.data!.items!.map((i) => i.fields.Points)).toEqual([8, 5, 3]);
    expect(Object.keys(r1.data!.items![0].fields)).toEqual(['Title', 'Points']);
    expect(r1.data!.items![0]).toHaveProperty('created_time');
    expect(r1.data!.items![0]).toHaveProperty('last_modified_time');
    const r2 = await records().search({ path: at(base), params: { page_size: 3, page_token: r1.data!.page_token }, data: { sort: [{ field_name: 'Points', desc: true }] } });
    expect(r2.data!.items!.map((i) => i.fields.Points)).toEqual([1]);
    expect(r2.data!.has_more).toBe(false);
    const badSort = await records().search({ path: at(base), data: { sort: [{ field_name: 'Nope' }] } });
    expect(badSort.code).toBe(1254016);
    const badNames = await records().search({ path: at(base), data: { field_names: ['Nope'] } });
    expect(badNames.code).toBe(1254045);
    // The SDK's iterator walks every page.
    const seen: number[] = [];
    for await (const page of await records().searchWithIterator({ path: at(base), params: { page_size: 1 }, data: {} })) seen.push(...(page?.items ?? []).map((i) => i.fields.Points as number));
    expect(seen).toEqual([1, 5, 3, 8]);
  });

  it('lists with the legacy formula filter and sort, and batch_get reports absent ids', async () => {
    const { base, ids } = await seeded();
    const list = await records().list({ path: at(base), params: { filter: 'AND(CurrentValue.[Points]>2, CurrentValue.[Status]="Done")', sort: '["Points ASC"]' } });
    expect(list.code).toBe(0);
    expect(list.data!.items!.map((i) => i.fields.Title)).toEqual(['Beta', 'Delta beta']);
    const orList = await records().list({ path: at(base), params: { filter: 'OR(CurrentValue.[Title]="Alpha",NOT(CurrentValue.[Points]<8))' } });
    expect(orList.data!.items!.map((i) => i.fields.Title)).toEqual(['Alpha', 'Delta beta']);
    expect((await records().list({ path: at(base), params: { filter: 'AND(' } })).code).toBe(1254018);
    const got = await records().batchGet({ path: at(base), data: { record_ids: [ids[1], 'recMissing00', ids[0]] } });
    expect(got.data!.records!.map((r) => r.record_id)).toEqual([ids[1], ids[0]]);
    expect(got.data!.absent_record_ids).toEqual(['recMissing00']);
    const tooMany = await records().batchGet({ path: at(base), data: { record_ids: Array.from({ length: 101 }, (_, i) => `rec${i}`) } });
    expect(tooMany.code).toBe(1254001);
  });
});

describe('bitable records: batch writes', () => {
  it('batch_create ≤ 1,000, batch_update ≤ 1,000 (incremental), batch_delete ≤ 500, all or nothing', async () => {
    const base = await newBase(env, TASKS);
    const many = Array.from({ length: 1000 }, (_, i) => ({ fields: { Title: `row ${i}`, Points: i } }));
    const created = await records().batchCreate({ path: at(base), data: { records: many } });
    expect(created.code).toBe(0);
    expect(created.data!.records).toHaveLength(1000);
    const over = await records().batchCreate({ path: at(base), data: { records: [...many, { fields: {} }] } });
    expect(over.code).toBe(1254104);
    const ids = created.data!.records!.map((r) => r.record_id!);
    // One bad record refuses the whole batch.
    const mixed = await records().batchUpdate({ path: at(base), data: { records: [{ record_id: ids[0], fields: { Points: 100 } }, { record_id: ids[1], fields: { Points: 'x' } }] } });
    expect(mixed.code).toBe(1254061);
    const missing = await records().batchUpdate({ path: at(base), data: { records: [{ record_id: ids[0], fields: { Points: 100 } }, { record_id: 'recNoSuchOne0', fields: {} }] } });
    expect(missing.code).toBe(1254043);
    expect((await records().get({ path: { ...at(base), record_id: ids[0] } })).data!.record!.fields.Points).toBe(0);
    const upd = await records().batchUpdate({ path: at(base), data: { records: [{ record_id: ids[0], fields: { Points: 100 } }, { record_id: ids[1], fields: { Status: 'Done' } }] } });
    expect(upd.data!.records!.map((r) => r.fields)).toEqual([
      { Title: [{ type: 'text', text: 'row 0' }], Points: 100, No: '1' },
      { Title: [{ type: 'text', text: 'row 1' }], Points: 1, Status: 'Done', No: '2' },
    ]);
    const delOver = await records().batchDelete({ path: at(base), data: { records: ids.slice(0, 501) } });
    expect(delOver.code).toBe(1254104);
    const delMissing = await records().batchDelete({ path: at(base), data: { records: [ids[0], 'recNoSuchOne0'] } });
    expect(delMissing.code).toBe(1254043);
    const del = await records().batchDelete({ path: at(base), data: { records: ids.slice(0, 500) } });
    expect(del.data!.records![0]).toEqual({ deleted: true, record_id: ids[0] });
    expect((await wholeBase(env, base.app_token)).tables[0].records).toHaveLength(500);
    const one = await records().delete({ path: { ...at(base), record_id: ids[999] } });
    expect(one.data).toEqual({ deleted: true, record_id: ids[999] });
    expect((await records().delete({ path: { ...at(base), record_id: ids[999] } })).code).toBe(1254043);
  });

  it('a client_token answers the first call again without writing twice', async () => {
    const base = await newBase(env, TASKS);
    const token = 'a8b3c1d2-0000-4000-8000-000000000001';
    const first = await records().batchCreate({ path: at(base), params: { client_token: token }, data: { records: [{ fields: { Title: 'once' } }] } });
    const again = await records().batchCreate({ path: at(base), params: { client_token: token }, data: { records: [{ fields: { Title: 'once' } }] } });
    expect(again.data).toEqual(first.data);
    expect((await wholeBase(env, base.app_token)).tables[0].records).toHaveLength(1);
    const other = await records().batchCreate({ path: at(base), params: { client_token: token }, data: { records: [{ fields: { Title: 'twice' } }] } }).catch((e) => e.response?.data);
    expect(other.code).toBe(1255006);
    const single = await records().create({ path: at(base), params: { client_token: 'b8b3c1d2-0000-4000-8000-000000000002' }, data: { fields: { Title: 'x' } } });
    const single2 = await records().create({ path: at(base), params: { client_token: 'b8b3c1d2-0000-4000-8000-000000000002' }, data: { fields: { Title: 'x' } } });
    expect(single2.data!.record!.record_id).toBe(single.data!.record!.record_id);
  });
});
