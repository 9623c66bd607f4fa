import { bitableApi as b } from '../bitable/scopes.js';
import type { ScopeNeed } from '../capability/index.js';
import type { SyncConfig } from './config.js';

const jobs = (c: SyncConfig) => Object.values(c.jobs);
const any = (test: (j: SyncConfig['jobs'][string]) => boolean) => (c: SyncConfig) => jobs(c).some(test);

/** What a sync job calls in Bitable: the base and its fields, the records both ways, the change feed. */
export const syncScopes: ScopeNeed<SyncConfig>[] = [
  { ...b.app, why: 'sync jobs: find the base', enabled: any(() => true) },
  { ...b.createApp, why: 'sync jobs: create the base (a job with base_name and no app_token)', enabled: any((j) => !j.bitable.app_token) },
  { ...b.tables, why: 'sync jobs: find the table by name', enabled: any((j) => !j.bitable.table_id) },
  { ...b.createTable, why: 'sync jobs: create the table (a job with table_name and no table_id)', enabled: any((j) => !j.bitable.table_id) },
  { ...b.fields, why: 'sync jobs: read the table\'s fields', enabled: any(() => true) },
  { ...b.createField, why: 'sync jobs: add mapped fields the table lacks (create_fields)', enabled: any((j) => j.create_fields) },
  { ...b.search, why: 'sync jobs: read the table\'s records (scan, verify)', enabled: any(() => true) },
  { ...b.batchGet, why: 'sync jobs: re-read changed records', enabled: any(() => true) },
  { ...b.batchCreate, why: 'sync jobs: write new rows to Bitable', enabled: any((j) => j.direction !== 'to_database') },
  { ...b.batchUpdate, why: 'sync jobs: write changed rows to Bitable', enabled: any((j) => j.direction !== 'to_database') },
  { ...b.batchDelete, why: 'sync jobs: delete removed rows in Bitable', enabled: any((j) => j.direction !== 'to_database') },
  { ...b.subscribe, why: 'sync jobs: receive record-changed events from the base', enabled: any((j) => j.direction !== 'to_bitable') },
];
