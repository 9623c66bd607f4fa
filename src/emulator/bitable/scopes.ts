import type { ScopeTable } from '../product.js';

const table = '/open-apis/bitable/v1/apps/:app_token/tables/:table_id';

/**
 * The scopes of bitable v1 and of the drive file subscription, from each API's "权限要求" (any one
 * suffices) in the platform's docs (服务端 API › 多维表格, 云空间 › 订阅): `bitable:app` opens everything,
 * `bitable:app:readonly` the reads, and the finer `base:*` scopes one operation each.
 */
export const bitableScopes: ScopeTable = {
  'POST /open-apis/bitable/v1/apps': ['base:app:create', 'bitable:app'],
  'GET /open-apis/bitable/v1/apps/:app_token': ['base:app:read', 'bitable:app', 'bitable:app:readonly'],
  'GET /open-apis/bitable/v1/apps/:app_token/tables': ['base:table:read', 'bitable:app', 'bitable:app:readonly'],
  'POST /open-apis/bitable/v1/apps/:app_token/tables': ['base:table:create', 'bitable:app'],
  [`PATCH ${table}`]: ['base:table:update', 'bitable:app'],
  [`DELETE ${table}`]: ['base:table:delete', 'bitable:app'],
  [`GET ${table}/fields`]: ['base:field:read', 'bitable:app', 'bitable:app:readonly'],
  [`POST ${table}/fields`]: ['base:field:create', 'bitable:app'],
  [`PUT ${table}/fields/:field_id`]: ['base:field:update', 'bitable:app'],
  [`DELETE ${table}/fields/:field_id`]: ['base:field:delete', 'bitable:app'],
  [`GET ${table}/views`]: ['base:view:read', 'bitable:app', 'bitable:app:readonly'],
  [`POST ${table}/views`]: ['base:view:write_only', 'bitable:app'],
  [`GET ${table}/views/:view_id`]: ['base:view:read', 'bitable:app', 'bitable:app:readonly'],
  [`PATCH ${table}/views/:view_id`]: ['base:view:write_only', 'bitable:app'],
  [`DELETE ${table}/views/:view_id`]: ['base:view:write_only', 'bitable:app'],
  [`GET ${table}/records`]: ['bitable:app', 'bitable:app:readonly'],
  [`POST ${table}/records/search`]: ['base:record:retrieve', 'bitable:app', 'bitable:app:readonly'],
  [`GET ${table}/records/:record_id`]: ['bitable:app', 'bitable:app:readonly'],
  [`POST ${table}/records/batch_get`]: ['base:record:read', 'bitable:app', 'bitable:app:readonly'],
  [`POST ${table}/records`]: ['base:record:create', 'bitable:app'],
  [`POST ${table}/records/batch_create`]: ['base:record:create', 'bitable:app'],
  [`PUT ${table}/records/:record_id`]: ['base:record:update', 'bitable:app'],
  [`POST ${table}/records/batch_update`]: ['base:record:update', 'bitable:app'],
  [`DELETE ${table}/records/:record_id`]: ['base:record:delete', 'bitable:app'],
  [`POST ${table}/records/batch_delete`]: ['base:record:delete', 'bitable:app'],
  'POST /open-apis/drive/v1/files/:file_token/subscribe': ['docs:doc', 'docs:event:subscribe', 'drive:drive', 'sheets:spreadsheet'],
  'GET /open-apis/drive/v1/files/:file_token/get_subscribe': ['docs:doc', 'docs:event:subscribe', 'drive:drive', 'sheets:spreadsheet'],
  'DELETE /open-apis/drive/v1/files/:file_token/delete_subscribe': ['docs:doc', 'docs:event:subscribe', 'drive:drive', 'sheets:spreadsheet'],
};

export const bitableScopeNames: Record<string, string> = {
  'bitable:app': 'View, comment, edit and manage Base',
  'bitable:app:readonly': 'View, comment and export Base',
  'base:app:create': 'Create a Base',
  'base:app:read': 'Read Base information',
  'base:table:read': 'Read tables',
  'base:table:create': 'Add tables',
  'base:table:update': 'Update tables',
  'base:table:delete': 'Delete tables',
  'base:field:read': 'Read fields',
  'base:field:create': 'Add fields',
  'base:field:update': 'Update fields',
  'base:field:delete': 'Delete fields',
  'base:view:read': 'Read views',
  'base:view:write_only': 'Add, update and delete views',
  'base:record:retrieve': 'Search records by condition',
  'base:record:read': 'Read given records',
  'base:record:create': 'Add records',
  'base:record:update': 'Update records',
  'base:record:delete': 'Delete records',
  'docs:doc': 'View, comment, edit and manage documents',
  'docs:event:subscribe': 'Subscribe to document events',
  'drive:drive': 'View, comment, edit and manage all files in My Space',
  'sheets:spreadsheet': 'View, comment, edit and manage spreadsheets',
};
