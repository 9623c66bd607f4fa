import { expect, it } from 'vitest';
import { BitableClient, FieldType } from '../../src/index.js';
import { createTestHub } from '../../src/testing/index.js';

it('hub.bitable is the client over the hub\'s platform: it reads and writes a base of the sandbox\'s local Feishu', async () => {
  const t = await createTestHub();
  try {
    expect(t.hub.bitable).toBeInstanceOf(BitableClient);
    expect(t.hub.capabilities.map((c) => c.name)).toContain('bitable');
    const res = await fetch(`${t.emulator.url}/__emulator/bitable/apps`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'Hub', tables: [{ name: 'T', fields: [{ field_name: 'Name', type: FieldType.Text }] }] }),
    });
    const base = (await res.json()) as { app_token: string; tables: { table_id: string }[] };
    const tableId = base.tables[0].table_id;
    const { created } = await t.hub.bitable.ensureFields(base.app_token, tableId, [{ field_name: 'When', type: FieldType.DateTime }]);
    expect(created.map((f) => f.field_name)).toEqual(['When']);
    const when = new Date('2026-01-01T00:00:00Z');
    await t.hub.bitable.table(base.app_token, tableId).insert([{ Name: 'from the hub', When: when }]);
    const rows = [];
    for await (const r of t.hub.bitable.table(base.app_token, tableId).rows()) rows.push(r.fields);
    expect(rows).toEqual([{ Name: 'from the hub', When: when }]);
  } finally {
    await t.close();
  }
}, 60_000);
