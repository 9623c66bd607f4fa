import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/index.js';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { startHub, type RunningHub } from '../../src/sandbox/index.js';
import { captureLogs } from '../helpers/hubs.js';

export { until } from '../alerts/helpers.js';

/** A route of the emulator's control API (JSON in and out; a non-2xx status throws). */
export async function control(emuUrl: string, method: string, path: string, body?: unknown): Promise<Record<string, any>> {
  const res = await fetch(`${emuUrl}${path}`, { method, headers: body ? { 'content-type': 'application/json' } : {}, body: body ? JSON.stringify(body) : undefined });
  const json = (await res.json().catch(() => ({}))) as Record<string, any>;
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** An Open Platform call as the app (tenant token); a non-zero code throws. */
export async function api(emu: EmulatorHandle, method: string, path: string, body?: unknown): Promise<Record<string, any>> {
  const tokenRes = await fetch(`${emu.url}/open-apis/auth/v3/tenant_access_token/internal`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ app_id: emu.app.appId, app_secret: emu.app.appSecret }),
  });
  const token = ((await tokenRes.json()) as { tenant_access_token: string }).tenant_access_token;
  const res = await fetch(`${emu.url}${path}`, { method, headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: body ? JSON.stringify(body) : undefined });
  const json = (await res.json()) as { code: number; msg: string; data?: Record<string, any> };
  if (json.code !== 0) throw new Error(`${method} ${path}: ${json.code} ${json.msg}`);
  return json.data ?? {};
}

export interface TableRef {
  app_token: string;
  table_id: string;
}

/** A base with one table of these fields (through the control API: no 20/min limit). */
export async function makeBase(emuUrl: string, name: string, fields: { field_name: string; type: number; property?: unknown }[]): Promise<TableRef> {
  const base = await control(emuUrl, 'POST', '/__emulator/bitable/apps', { name, tables: [{ name, fields }] });
  return { app_token: base.app_token, table_id: base.tables[0].table_id };
}

export type Rec = { record_id: string; fields: Record<string, any> };

/** Every record of the table as the emulator holds it (read format). */
export async function recordsOf(emuUrl: string, t: TableRef): Promise<Rec[]> {
  const base = await control(emuUrl, 'GET', `/__emulator/bitable/apps/${t.app_token}`);
  return base.tables.find((x: { table_id: string }) => x.table_id === t.table_id).records as Rec[];
}

export async function fieldsOf(emuUrl: string, t: TableRef): Promise<{ field_id: string; field_name: string; type: number }[]> {
  const base = await control(emuUrl, 'GET', `/__emulator/bitable/apps/${t.app_token}`);
  return base.tables.find((x: { table_id: string }) => x.table_id === t.table_id).fields;
}

/** A person's edit in the Base page (pushes the record-changed event like a real edit). */
export const personEdit = (emuUrl: string, t: TableRef, recordId: string, fields: Record<string, unknown>, as = 'alice') =>
  control(emuUrl, 'PATCH', `/__emulator/bitable/apps/${t.app_token}/tables/${t.table_id}/records/${recordId}`, { fields, as });
export const personAdd = (emuUrl: string, t: TableRef, fields: Record<string, unknown>, as = 'alice') =>
  control(emuUrl, 'POST', `/__emulator/bitable/apps/${t.app_token}/tables/${t.table_id}/records`, { fields, as });
export const personDelete = (emuUrl: string, t: TableRef, recordId: string, as = 'alice') =>
  control(emuUrl, 'DELETE', `/__emulator/bitable/apps/${t.app_token}/tables/${t.table_id}/records/${recordId}?as=${as}`);

/** Text cells read back as segments; plain text for comparisons. */
export const text = (v: unknown) => (Array.isArray(v) ? v.map((s: any) => s.text ?? s).join('') : v);

/** A temp dir with the hub's SQLite store and the synced SQLite database. */
export function workDir(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), `feishu-hub-${prefix}-`));
  return { dir, hubDb: join(dir, 'hub.db'), syncDb: join(dir, 'orders.db'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The synced SQLite file opened from outside the hub (a person's or another program's writes). */
export function openSqlite(path: string) {
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  return db;
}

/** A sandbox hub against a running emulator with these capability sections (sync among them). */
export async function syncHub(emu: EmulatorHandle, hubDb: string, sections: Record<string, unknown>, logs = captureLogs()): Promise<{ h: RunningHub; logs: Record<string, any>[] }> {
  const loaded = loadConfig({ env: {}, file: undefined, overrides: { HUB_PORT: 0, DATABASE_URL: `sqlite:${hubDb}`, LOG_LEVEL: 'debug', FEISHU_EVENT_MODE: 'webhook' } });
  const h = await startHub({ ...loaded, sandbox: true, app: { encryptKeys: [], verificationTokens: [] } }, { emulatorUrl: emu.url, logger: logs.logger, sections });
  return { h, logs: logs.lines };
}

export { startEmulator, type EmulatorHandle };
