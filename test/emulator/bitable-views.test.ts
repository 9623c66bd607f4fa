import { describe, expect, it } from 'vitest';
import { BitableState } from '../../src/emulator/bitable/index.js';
import { useEmulator } from '../helpers/emulator.js';
import { newBase, type NewBase } from './bitable-helpers.js';

const env = useEmulator();
const views = () => env.client.bitable.v1.appTableView;
const records = () => env.client.bitable.v1.appTableRecord;
const at = (b: NewBase) => ({ app_token: b.app_token, table_id: b.tables[0].table_id });

const TABLE = [
  {
    name: 'Tasks',
    fields: [
      { field_name: 'Title', type: 1 },
      { field_name: 'Points', type: 2 },
      { field_name: 'Status', type: 3, property: { options: [{ name: 'Todo' }, { name: 'Done' }] } },
    ],
  },
];

/** A base with three records: a (1, Todo), b (5, Done), c (8, Done). */
async function seeded() {
  const base = await newBase(env, TABLE);
  const made = await records().batchCreate({
    path: at(base),
    data: { records: [{ fields: { Title: 'a', Points: 1, Status: 'Todo' } }, { fields: { Title: 'b', Points: 5, Status: 'Done' } }, { fields: { Title: 'c', Points: 8, Status: 'Done' } }] },
  });
  expect(made.code).toBe(0);
  const fields = base.tables[0].fields;
  const id = (name: string) => fields.find((f) => f.field_name === name)!.field_id;
  return { base, id };
}

const titles = (items: { fields: Record<string, unknown> }[] | undefined) =>
  (items ?? []).map((r) => {
    const t = r.fields.Title;
    return Array.isArray(t) ? t.map((s: { text: string }) => s.text).join('') : t;
  });

describe('bitable views', () => {
  it('creates, lists, gets, renames and deletes views (not the last one)', async () => {
    const base = await newBase(env, TABLE);
    const created = await views().create({ path: at(base), data: { view_name: 'Board', view_type: 'kanban' } });
    expect(created.code).toBe(0);
    const view = created.data!.view!;
    expect(view).toMatchObject({ view_id: expect.stringMatching(/^vew/), view_name: 'Board', view_type: 'kanban' });
    const list = await views().list({ path: at(base) });
    expect(list.data!.items!.map((v) => [v.view_name, v.view_type])).toEqual([
      [expect.any(String), 'grid'],
      ['Board', 'kanban'],
    ]);
    expect(list.data!.total).toBe(2);
    expect((await views().get({ path: { ...at(base), view_id: view.view_id! } })).data!.view!.view_name).toBe('Board');

    // A view type not in the list, an empty name and a name taken are 1254001.
    expect((await views().create({ path: at(base), data: { view_name: 'X', view_type: 'calendar' as 'grid' } })).code).toBe(1254001);
    expect((await views().create({ path: at(base), data: { view_name: 'Board' } })).code).toBe(1254001);

    const renamed = await views().patch({ path: { ...at(base), view_id: view.view_id! }, data: { view_name: 'Kanban' } });
    expect(renamed.data!.view!.view_name).toBe('Kanban');
    expect((await views().delete({ path: { ...at(base), view_id: view.view_id! } })).code).toBe(0);
    expect((await views().get({ path: { ...at(base), view_id: view.view_id! } })).code).toBe(1254042);
    const last = base.tables[0].default_view_id;
    expect((await views().delete({ path: { ...at(base), view_id: last } })).code).toBe(1254001);
  });

  it("a view's filter applies to records/search and the legacy list with its view_id (and with the call's own filter)", async () => {
    const { base, id } = await seeded();
    const view = (await views().create({ path: at(base), data: { view_name: 'Done only' } })).data!.view!;
    const options = (await env.client.bitable.v1.appTableField.list({ path: at(base) })).data!.items!.find((f) => f.field_name === 'Status')!.property!.options!;
    const done = options.find((o) => o.name === 'Done')!.id!;
    const patched = await views().patch({
      path: { ...at(base), view_id: view.view_id! },
      data: { property: { filter_info: { conjunction: 'and', conditions: [{ field_id: id('Status'), operator: 'is', value: JSON.stringify([done]) }] } } },
    });
    expect(patched.code).toBe(0);
    expect(patched.data!.view!.property!.filter_info).toMatchObject({ conjunction: 'and', conditions: [{ field_id: id('Status'), operator: 'is', condition_id: expect.any(String) }] });

    const inView = await records().search({ path: at(base), data: { view_id: view.view_id } });
    expect(inView.code).toBe(0);
    expect(titles(inView.data!.items as never)).toEqual(['b', 'c']);
    expect(inView.data!.total).toBe(2);
    // Without the view every record; with the view and a filter of the call both apply.
    expect(titles((await records().search({ path: at(base), data: {} })).data!.items as never)).toEqual(['a', 'b', 'c']);
    const both = await records().search({ path: at(base), data: { view_id: view.view_id, filter: { conjunction: 'and', conditions: [{ field_name: 'Points', operator: 'isGreater', value: ['6'] }] } } });
    expect(titles(both.data!.items as never)).toEqual(['c']);
    // The legacy list honours it too.
    const legacy = await records().list({ path: at(base), params: { view_id: view.view_id } });
    expect(titles(legacy.data!.items as never)).toEqual(['b', 'c']);
    // The default view has no filter.
    expect(titles((await records().search({ path: at(base), data: { view_id: base.tables[0].default_view_id } })).data!.items as never)).toEqual(['a', 'b', 'c']);

    // A number condition with a plain value, or-conjunction.
    await views().patch({
      path: { ...at(base), view_id: view.view_id! },
      data: { property: { filter_info: { conjunction: 'or', conditions: [{ field_id: id('Points'), operator: 'isLess', value: '2' }, { field_id: id('Points'), operator: 'isGreater', value: '7' }] } } },
    });
    expect(titles((await records().search({ path: at(base), data: { view_id: view.view_id } })).data!.items as never)).toEqual(['a', 'c']);

    // Unknown views and bad filters.
    expect((await records().search({ path: at(base), data: { view_id: 'vewNope000' } })).code).toBe(1254042);
    const badOp = await views().patch({ path: { ...at(base), view_id: view.view_id! }, data: { property: { filter_info: { conjunction: 'and', conditions: [{ field_id: id('Points'), operator: 'isAround' as 'is', value: '1' }] } } } });
    expect(badOp.code).toBe(1254018);
    const badField = await views().patch({ path: { ...at(base), view_id: view.view_id! }, data: { property: { filter_info: { conjunction: 'and', conditions: [{ field_id: 'fldNope', operator: 'is', value: '1' }] } } } });
    expect(badField.code).toBe(1254018);
    // A refused patch changed nothing.
    expect(titles((await records().search({ path: at(base), data: { view_id: view.view_id } })).data!.items as never)).toEqual(['a', 'c']);
  });

  it('hidden_fields show as is_hidden in the field list with that view_id (the primary field cannot be hidden)', async () => {
    const { base, id } = await seeded();
    const view = (await views().create({ path: at(base), data: { view_name: 'Slim' } })).data!.view!;
    const hide = await views().patch({ path: { ...at(base), view_id: view.view_id! }, data: { property: { hidden_fields: [id('Points')] } } });
    expect(hide.code).toBe(0);
    expect(hide.data!.view!.property!.hidden_fields).toEqual([id('Points')]);
    const hidden = async (viewId?: string) =>
      Object.fromEntries((await env.client.bitable.v1.appTableField.list({ path: at(base), params: viewId ? { view_id: viewId } : {} })).data!.items!.map((f) => [f.field_name, f.is_hidden]));
    expect(await hidden(view.view_id)).toEqual({ Title: false, Points: true, Status: false });
    expect(await hidden()).toEqual({ Title: false, Points: false, Status: false });
    expect(await hidden(base.tables[0].default_view_id)).toEqual({ Title: false, Points: false, Status: false });
    // Hidden fields do not change what records read.
    const r = await records().search({ path: at(base), data: { view_id: view.view_id } });
    expect(r.data!.items![0].fields).toHaveProperty('Points', 1);

    expect((await views().patch({ path: { ...at(base), view_id: view.view_id! }, data: { property: { hidden_fields: [id('Title')] } } })).code).toBe(1254001);
    expect((await views().patch({ path: { ...at(base), view_id: view.view_id! }, data: { property: { hidden_fields: ['fldNope000'] } } })).code).toBe(1254044);
    expect((await env.client.bitable.v1.appTableField.list({ path: at(base), params: { view_id: 'vewNope000' } })).code).toBe(1254042);

    // Deleting a hidden field drops it from the view.
    await env.client.bitable.v1.appTableField.delete({ path: { ...at(base), field_id: id('Points') } });
    expect((await views().get({ path: { ...at(base), view_id: view.view_id! } })).data!.view!.property!.hidden_fields).toEqual([]);
  });

  it('a base holds at most 200 views (1254101 ViewExceedLimit), the default views of its tables included', async () => {
    const base = await newBase(env, [...TABLE, { name: 'Other', fields: [{ field_name: 'Name', type: 1 }] }]);
    // Two default views; fill the base straight in the state up to 199, then the API adds the 200th.
    const table = env.emu.context.slice(BitableState).table(base.app_token, base.tables[0].table_id);
    for (let i = 0; i < 197; i++) table.views.push({ view_id: `vewFill${String(i).padStart(3, '0')}`, view_name: `fill ${i}`, view_type: 'grid' });
    const last = await views().create({ path: at(base), data: { view_name: 'the 200th' } });
    expect(last.code).toBe(0);
    const over = await views().create({ path: { app_token: base.app_token, table_id: base.tables[1].table_id }, data: { view_name: 'the 201st' } });
    expect(over.code).toBe(1254101);
    expect(over.msg).toBe('ViewExceedLimit');
    expect((await views().list({ path: { app_token: base.app_token, table_id: base.tables[1].table_id } })).data!.total).toBe(1);
    // Deleting one makes room again.
    expect((await views().delete({ path: { ...at(base), view_id: last.data!.view!.view_id! } })).code).toBe(0);
    expect((await views().create({ path: { app_token: base.app_token, table_id: base.tables[1].table_id }, data: { view_name: 'the 200th again' } })).code).toBe(0);
  });
});
