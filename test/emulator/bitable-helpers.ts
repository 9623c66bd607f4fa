import type { EmulatorPerFile } from '../helpers/emulator.js';

export interface NewBase {
  app_token: string;
  tables: { table_id: string; name: string; default_view_id: string; fields: { field_id: string; field_name: string }[] }[];
}

/** A base through the control route (no 20/min app-create limit). */
export async function newBase(env: EmulatorPerFile, tables?: { name: string; fields: { field_name: string; type: number; ui_type?: string; property?: unknown }[] }[], name = 'Ops'): Promise<NewBase> {
  const r = await env.ctl.call('POST', '/__emulator/bitable/apps', { name, ...(tables ? { tables } : {}) });
  if (r.status !== 200) throw new Error(`base create: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** The whole base as the control route shows it. */
export async function wholeBase(env: EmulatorPerFile, token: string) {
  return (await env.ctl.call('GET', `/__emulator/bitable/apps/${token}`)).body;
}

export const TASKS = [
  {
    name: 'Tasks',
    fields: [
      { field_name: 'Title', type: 1 },
      { field_name: 'Points', type: 2 },
      { field_name: 'Status', type: 3, property: { options: [{ name: 'Todo' }, { name: 'Done' }] } },
      { field_name: 'Tags', type: 4 },
      { field_name: 'Due', type: 5 },
      { field_name: 'Flag', type: 7 },
      { field_name: 'Owner', type: 11 },
      { field_name: 'Phone', type: 13 },
      { field_name: 'Link', type: 15 },
      { field_name: 'Files', type: 17 },
      { field_name: 'Place', type: 22 },
      { field_name: 'Score', type: 20, property: { formula_expression: 'bitable::$table[tbl].$field[fld]*2' } },
      { field_name: 'No', type: 1005 },
    ],
  },
];
