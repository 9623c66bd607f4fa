import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Store } from '../../src/store/index.js';
import { approvalMigrations } from '../../src/approval/index.js';
import { PG_URL, dropSchema, postgresAvailable } from '../helpers/stores.js';

/** The approval migrations as the hub stores them (`approval/<name>`). */
const migrations = Object.fromEntries(Object.entries(approvalMigrations).map(([k, v]) => [`approval/${k}`, v]));

export interface ApprovalBackend {
  name: 'sqlite' | 'postgres';
  skip: boolean;
  open(): Promise<Store>;
  /** A second, independent handle on the same database (another process or replica). */
  reopen(store: Store): Promise<Store>;
  cleanup(): Promise<void>;
}

/**
 * testBackends() (test/helpers/stores.ts) with the approval tables migrated: a temp SQLite file,
 * and a fresh PostgreSQL schema, skipped with a message when unreachable unless CI=true.
 */
export async function approvalBackends(): Promise<ApprovalBackend[]> {
  const pgUp = await postgresAvailable();
  const skipPg = !pgUp && process.env.CI !== 'true';
  if (skipPg) console.warn(`[approval tests] PostgreSQL is not reachable at ${PG_URL}: skipping the PostgreSQL backend (set CI=true to make this an error).`);
  const dirs: string[] = [];
  const sqliteStores: Store[] = [];
  const pgStores: { store: Store; schema: string }[] = [];
  const extraPg: Store[] = [];
  return [
    {
      name: 'sqlite',
      skip: false,
      async open() {
        const dir = mkdtempSync(join(tmpdir(), 'feishu-hub-approval-'));
        dirs.push(dir);
        const store = await openDatabase(`sqlite:${join(dir, 'hub.db')}`, { migrations });
        sqliteStores.push(store);
        return store;
      },
      async reopen(store) {
        const again = await openDatabase(`sqlite:${store.file}`, { migrations });
        sqliteStores.unshift(again);
        return again;
      },
      async cleanup() {
        for (const s of sqliteStores.splice(0)) await s.close();
        for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
      },
    },
    {
      name: 'postgres',
      skip: skipPg,
      async open() {
        const schema = `t_appr_${process.pid}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
        const store = await openDatabase(PG_URL, { schema, poolSize: 6, migrations });
        pgStores.push({ store, schema });
        return store;
      },
      async reopen(store) {
        const again = await openDatabase(PG_URL, { schema: store.schema, poolSize: 6, migrations });
        // Closed before the schema is dropped (cleanup drops each schema once, with its first handle).
        extraPg.push(again);
        return again;
      },
      async cleanup() {
        for (const s of extraPg.splice(0)) await s.close();
        for (const { store, schema } of pgStores.splice(0)) {
          await store.close();
          await dropSchema(schema);
        }
      },
    },
  ];
}
