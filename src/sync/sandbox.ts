import { dirname, join } from 'node:path';
import type { HubConfig } from '../config/index.js';

/**
 * The sandbox demo's sync job: a SQLite table of orders next to the hub's database, kept equal to a
 * base "Orders (demo)" the engine creates in the local Feishu (seeded with a few rows the first time).
 */
const statuses = ['new', 'paid', 'shipped', 'delivered'];
const customers = ['李博', 'Alice Chen', 'Bob Li', '王芳', 'Carol Wu', 'Dan Zhao'];

export const sandboxSyncConfig = (hub: HubConfig) => ({
  jobs: {
    orders: {
      bitable: { base_name: 'Orders (demo)', table_name: 'Orders' },
      database: {
        url: `sqlite:${demoDatabasePath(hub.databaseUrl)}`,
        table: 'orders',
        create: true,
        seed: Array.from({ length: 12 }, (_, i) => ({
          id: `SO-${1001 + i}`,
          customer: customers[i % customers.length],
          amount: Math.round((120 + i * 37.5) * 100) / 100,
          status: statuses[i % statuses.length],
          paid: i % 4 !== 0,
          due: Date.UTC(2026, 11, 3 + i),
        })),
      },
      key: { column: 'id', field: 'Order' },
      fields: [
        { field: 'Customer', column: 'customer', kind: 'text' },
        { field: 'Amount', column: 'amount', kind: 'number' },
        { field: 'Status', column: 'status', kind: 'text', type: 'SingleSelect' },
        { field: 'Paid', column: 'paid', kind: 'boolean' },
        { field: 'Due', column: 'due', kind: 'timestamp' },
      ],
      poll_every_ms: 500,
    },
  },
});

/** Beside the hub's SQLite file; ./data when the hub's store is elsewhere (PostgreSQL). */
function demoDatabasePath(hubDatabaseUrl: string): string {
  const file = hubDatabaseUrl.startsWith('sqlite:') ? hubDatabaseUrl.slice('sqlite:'.length) : '';
  return file && file !== ':memory:' ? join(dirname(file), 'demo-orders.db') : './data/demo-orders.db';
}
