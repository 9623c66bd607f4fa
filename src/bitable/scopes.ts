import type { ScopeNeed } from '../capability/index.js';

const APP = 'bascnFeishuHubDoctorProbe';
const TABLE = 'tblFeishuHubDoctorProbe';
const table = '/open-apis/bitable/v1/apps/:app_token/tables/:table_id';
const probeTable = `/open-apis/bitable/v1/apps/${APP}/tables/${TABLE}`;

/**
 * Bitable APIs, each with its narrowest scope first (the `base:*` scopes open one operation each;
 * `bitable:app:readonly` every read and `bitable:app` everything). Probes name a base that does not
 * exist, so a granted scope answers "not found" and nothing is written.
 */
export const bitableApi = {
  app: { api: 'GET /open-apis/bitable/v1/apps/:app_token', scopes: ['base:app:read', 'bitable:app:readonly', 'bitable:app'], probe: { url: `/open-apis/bitable/v1/apps/${APP}` } },
  createApp: { api: 'POST /open-apis/bitable/v1/apps', scopes: ['base:app:create', 'bitable:app'] },
  tables: { api: 'GET /open-apis/bitable/v1/apps/:app_token/tables', scopes: ['base:table:read', 'bitable:app:readonly', 'bitable:app'], probe: { url: `/open-apis/bitable/v1/apps/${APP}/tables`, params: { page_size: 1 } } },
  createTable: { api: 'POST /open-apis/bitable/v1/apps/:app_token/tables', scopes: ['base:table:create', 'bitable:app'], probe: { url: `/open-apis/bitable/v1/apps/${APP}/tables`, data: { table: { name: 'probe' } } } },
  fields: { api: `GET ${table}/fields`, scopes: ['base:field:read', 'bitable:app:readonly', 'bitable:app'], probe: { url: `${probeTable}/fields`, params: { page_size: 1 } } },
  createField: { api: `POST ${table}/fields`, scopes: ['base:field:create', 'bitable:app'], probe: { url: `${probeTable}/fields`, data: { field_name: 'probe', type: 1 } } },
  search: { api: `POST ${table}/records/search`, scopes: ['base:record:retrieve', 'bitable:app:readonly', 'bitable:app'], probe: { url: `${probeTable}/records/search`, params: { page_size: 1 }, data: {} } },
  batchGet: { api: `POST ${table}/records/batch_get`, scopes: ['base:record:read', 'bitable:app:readonly', 'bitable:app'], probe: { url: `${probeTable}/records/batch_get`, data: { record_ids: ['recFeishuHubDoctorProbe'] } } },
  create: { api: `POST ${table}/records`, scopes: ['base:record:create', 'bitable:app'], probe: { url: `${probeTable}/records`, data: { fields: {} } } },
  batchCreate: { api: `POST ${table}/records/batch_create`, scopes: ['base:record:create', 'bitable:app'] },
  update: { api: `PUT ${table}/records/:record_id`, scopes: ['base:record:update', 'bitable:app'], probe: { url: `${probeTable}/records/recFeishuHubDoctorProbe`, data: { fields: {} } } },
  batchUpdate: { api: `POST ${table}/records/batch_update`, scopes: ['base:record:update', 'bitable:app'] },
  batchDelete: { api: `POST ${table}/records/batch_delete`, scopes: ['base:record:delete', 'bitable:app'], probe: { url: `${probeTable}/records/batch_delete`, data: { records: ['recFeishuHubDoctorProbe'] } } },
  subscribe: {
    api: 'POST /open-apis/drive/v1/files/:file_token/subscribe',
    scopes: ['docs:event:subscribe', 'drive:drive', 'docs:doc', 'sheets:spreadsheet'],
    probe: { url: `/open-apis/drive/v1/files/${APP}/subscribe`, params: { file_type: 'bitable' } },
  },
} satisfies Record<string, Omit<ScopeNeed, 'why'>>;

/**
 * `hub.bitable` and the `feishu-hub bitable` commands call Bitable only when code or an operator
 * asks: the capabilities that use it (sync, approval's bitable rules, the alerts' incident log)
 * declare what they call.
 */
export const bitableScopes: ScopeNeed<any>[] = [];
