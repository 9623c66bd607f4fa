import { randomBytes } from 'node:crypto';
import type { EmulatorContext } from '../context.js';
import type { Slice } from '../product.js';
import { bitableErrors } from './errors.js';
import type { BitableApp, BitableField, BitableSnapshot, BitableTable } from './types.js';

const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
/** Random letters and digits, as the platform's base, table, field and record ids are made of. */
export function alnum(n: number): string {
  const bytes = randomBytes(n);
  let s = '';
  for (let i = 0; i < n; i++) s += ALNUM[bytes[i] % ALNUM.length];
  return s;
}

export const bitableIds = {
  app: () => `bascn${alnum(22)}`,
  table: () => `tbl${alnum(13)}`,
  view: () => `vew${alnum(7)}`,
  field: () => `fld${alnum(7)}`,
  record: () => `rec${alnum(10)}`,
  option: () => `opt${alnum(7)}`,
};

/** Bases by app_token, the apps' record-change subscriptions, and client_token answers. */
export class BitableState implements Slice<BitableSnapshot> {
  readonly apps = new Map<string, BitableApp>();
  readonly subscriptions = new Map<string, Set<string>>();
  readonly clientTokens = new Map<string, { hash: string; data: unknown }>();
  /** Bases with a write in progress (not state: a write in flight is lost on restore). */
  readonly writing = new Set<string>();
  /** app_token → how long each write to it takes (ms), so tests can overlap writes. */
  readonly writeLatency = new Map<string, number>();

  constructor(private readonly ctx: EmulatorContext) {}

  reset(): void {
    this.restore({ apps: [], subscriptions: {}, client_tokens: {} });
  }

  snapshot(): BitableSnapshot {
    return {
      apps: [...this.apps.values()],
      subscriptions: Object.fromEntries([...this.subscriptions].map(([app, tokens]) => [app, [...tokens]])),
      client_tokens: Object.fromEntries(this.clientTokens),
    };
  }

  restore(json: BitableSnapshot): void {
    this.apps.clear();
    for (const a of json.apps ?? []) this.apps.set(a.app_token, a);
    this.subscriptions.clear();
    for (const [app, tokens] of Object.entries(json.subscriptions ?? {})) this.subscriptions.set(app, new Set(tokens));
    this.clientTokens.clear();
    for (const [k, v] of Object.entries(json.client_tokens ?? {})) this.clientTokens.set(k, v);
    this.writing.clear();
    this.writeLatency.clear();
  }

  inspect(): Record<string, unknown> {
    return {
      bitable_apps: [...this.apps.values()].map((a) => ({
        app_token: a.app_token,
        name: a.name,
        tables: a.tables.map((t) => ({ table_id: t.table_id, name: t.name, fields: t.fields.length, records: t.records.length })),
      })),
    };
  }

  app(token: string): BitableApp {
    const a = this.apps.get(token);
    if (!a) throw bitableErrors.baseNotFound(token);
    return a;
  }

  table(token: string, tableId: string): BitableTable {
    const t = this.app(token).tables.find((x) => x.table_id === tableId);
    if (!t) throw bitableErrors.tableNotFound(tableId);
    return t;
  }

  /** Finds a table of any base (links point across tables of one base). */
  tableOf(app: BitableApp, tableId: string): BitableTable | undefined {
    return app.tables.find((t) => t.table_id === tableId);
  }

  now(): number {
    return this.ctx.clock.now();
  }
}

export const fieldByName = (t: BitableTable, name: string): BitableField | undefined => t.fields.find((f) => f.field_name === name);
