import { describe, expect, it } from 'vitest';
import { useEmulator } from '../helpers/emulator.js';
import { newBase, wholeBase } from './bitable-helpers.js';

const env = useEmulator();

describe('bitable bases, tables and fields (SDK over HTTP)', () => {
  it('creates a base through the control route and reads it back with apps get, tables list, fields list', async () => {
    const base = await newBase(env, [{ name: 'People', fields: [{ field_name: 'Name', type: 1 }, { field_name: 'Age', type: 2 }] }]);
    expect(base.app_token).toMatch(/^bascn[A-Za-z0-9]{22}$/);
    expect(base.tables[0].table_id).toMatch(/^tbl[A-Za-z0-9]{13}$/);
    expect(base.tables[0].fields.map((f) => f.field_name)).toEqual(['Name', 'Age']);
    const app = await env.client.bitable.v1.app.get({ path: { app_token: base.app_token } });
    expect(app.code).toBe(0);
    expect(app.data!.app).toMatchObject({ app_token: base.app_token, name: 'Ops', time_zone: 'Asia/Shanghai', is_advanced: false });
    const tables = await env.client.bitable.v1.appTable.list({ path: { app_token: base.app_token } });
    expect(tables.data).toMatchObject({ items: [{ table_id: base.tables[0].table_id, name: 'People' }], has_more: false, total: 1 });
    const fields = await env.client.bitable.v1.appTableField.list({ path: { app_token: base.app_token, table_id: base.tables[0].table_id } });
    expect(fields.data!.items!.map((f) => [f.field_name, f.type, f.ui_type, f.is_primary, f.property])).toEqual([
      ['Name', 1, 'Text', true, null],
      ['Age', 2, 'Number', false, { formatter: '0' }],
    ]);
  });

  it('creates and deletes tables; the first field is primary and has a primary type', async () => {
    const base = await newBase(env);
    expect(base.tables.map((t) => t.name)).toEqual(['数据表']);
    const created = await env.client.bitable.v1.appTable.create({
      path: { app_token: base.app_token },
      data: { table: { name: 'Orders', default_view_name: 'Grid', fields: [{ field_name: 'Order', type: 1 }, { field_name: 'Paid', type: 7 }] } },
    });
    expect(created.code).toBe(0);
    expect(created.data!.table_id).toMatch(/^tbl/);
    expect(created.data!.default_view_id).toMatch(/^vew/);
    expect(created.data!.field_id_list).toHaveLength(2);
    const badPrimary = await env.client.bitable.v1.appTable.create({ path: { app_token: base.app_token }, data: { table: { name: 'Bad', fields: [{ field_name: 'Done', type: 7 }] } } });
    expect(badPrimary.code).toBe(1254001);
    const badName = await env.client.bitable.v1.appTable.create({ path: { app_token: base.app_token }, data: { table: { name: 'a/b' } } });
    expect(badName.code).toBe(1254001);
    const del = await env.client.bitable.v1.appTable.delete({ path: { app_token: base.app_token, table_id: created.data!.table_id! } });
    expect(del.code).toBe(0);
    const again = await env.client.bitable.v1.appTable.delete({ path: { app_token: base.app_token, table_id: created.data!.table_id! } });
    expect(again.code).toBe(1254041);
    const unknown = await env.client.bitable.v1.app.get({ path: { app_token: 'bascnNoSuchBase000000000000' } });
    expect(unknown.code).toBe(1254040);
  });

  it('creates, updates and deletes fields with the property shape of each type; the primary field stays', async () => {
    const base = await newBase(env, [{ name: 'T', fields: [{ field_name: 'Name', type: 1 }] }]);
    const path = { app_token: base.app_token, table_id: base.tables[0].table_id };
    const mk = async (data: Record<string, unknown>) => (await env.client.bitable.v1.appTableField.create({ path, data: data as never })).data!.field!;
    const status = await mk({ field_name: 'Status', type: 3, property: { options: [{ name: 'Open', color: 3 }, { name: 'Closed' }] } });
    expect(status.property!.options!.map((o) => [o.name, o.color, /^opt/.test(o.id!)])).toEqual([['Open', 3, true], ['Closed', 1, true]]);
    expect((await mk({ field_name: 'Due', type: 5 })).property).toEqual({ date_formatter: 'yyyy/MM/dd', auto_fill: false });
    expect((await mk({ field_name: 'Owner', type: 11, property: { multiple: false } })).property).toEqual({ multiple: false });
    expect((await mk({ field_name: 'Price', type: 2, ui_type: 'Currency', property: { formatter: '0.00', currency_code: 'USD' } })).property).toEqual({ formatter: '0.00', currency_code: 'USD' });
    expect((await mk({ field_name: 'Mail', type: 1, ui_type: 'Email' })).ui_type).toBe('Email');
    expect((await mk({ field_name: 'Where', type: 22 })).property).toEqual({ location: { input_type: 'not_limit' } });
    const self = await mk({ field_name: 'Parent', type: 18, property: { table_id: path.table_id } });
    expect(self.property).toEqual({ table_id: path.table_id, multiple: true });
    const dup = await env.client.bitable.v1.appTableField.create({ path, data: { field_name: 'Status', type: 1 } });
    expect(dup.code).toBe(1254001);
    const lookup = await env.client.bitable.v1.appTableField.create({ path, data: { field_name: 'L', type: 19 } });
    expect(lookup.code).toBe(1254001);

    const upd = await env.client.bitable.v1.appTableField.update({ path: { ...path, field_id: status.field_id! }, data: { field_name: 'State', type: 3, property: { options: [{ name: 'Open' }, { name: 'Won' }] } } });
    expect(upd.code).toBe(0);
    expect(upd.data!.field!.field_name).toBe('State');
    expect(upd.data!.field!.property!.options!.map((o) => o.name)).toEqual(['Open', 'Won']);
    // The option kept its id through the update.
    expect(upd.data!.field!.property!.options![0].id).toBe(status.property!.options![0].id);

    const primary = base.tables[0].fields[0].field_id;
    const delPrimary = await env.client.bitable.v1.appTableField.delete({ path: { ...path, field_id: primary } });
    expect(delPrimary.code).toBe(1254001);
    const toCheckbox = await env.client.bitable.v1.appTableField.update({ path: { ...path, field_id: primary }, data: { field_name: 'Name', type: 7 } });
    expect(toCheckbox.code).toBe(1254001);
    const del = await env.client.bitable.v1.appTableField.delete({ path: { ...path, field_id: status.field_id! } });
    expect(del.data).toEqual({ field_id: status.field_id, deleted: true });
    const gone = await env.client.bitable.v1.appTableField.delete({ path: { ...path, field_id: status.field_id! } });
    expect(gone.code).toBe(1254044);
    const whole = await wholeBase(env, base.app_token);
    expect(whole.tables[0].fields.map((f: { field_name: string }) => f.field_name)).toEqual(['Name', 'Due', 'Owner', 'Price', 'Mail', 'Where', 'Parent']);
  });

  it('a two-way link adds its back field in the linked table', async () => {
    const base = await newBase(env, [
      { name: 'Projects', fields: [{ field_name: 'Project', type: 1 }] },
      { name: 'People', fields: [{ field_name: 'Person', type: 1 }] },
    ]);
    const [projects, people] = base.tables;
    const link = await env.client.bitable.v1.appTableField.create({
      path: { app_token: base.app_token, table_id: projects.table_id },
      data: { field_name: 'Members', type: 21, property: { table_id: people.table_id, back_field_name: 'Projects' } },
    });
    expect(link.code).toBe(0);
    const back = (await env.client.bitable.v1.appTableField.list({ path: { app_token: base.app_token, table_id: people.table_id } })).data!.items!;
    expect(back.map((f) => [f.field_name, f.type, f.property?.table_id])).toEqual([['Person', 1, null], ['Projects', 21, projects.table_id]].map(([n, t, id]) => [n, t, id ?? undefined]));
  });

  it('is reset and in snapshots', async () => {
    const base = await newBase(env);
    const snap = (await env.ctl.call('GET', '/__emulator/snapshot')).body;
    expect(snap.bitable.apps.map((a: { app_token: string }) => a.app_token)).toEqual([base.app_token]);
    await env.ctl.reset();
    expect((await env.ctl.call('GET', `/__emulator/bitable/apps/${base.app_token}`)).status).toBe(404);
    expect((await env.ctl.call('PUT', '/__emulator/snapshot', snap)).status).toBe(200);
    expect((await wholeBase(env, base.app_token)).tables).toHaveLength(1);
    const state = await env.ctl.state();
    expect(state.bitable_apps).toEqual([{ app_token: base.app_token, name: 'Ops', tables: [{ table_id: base.tables[0].table_id, name: '数据表', fields: 1, records: 0 }] }]);
  });
});
