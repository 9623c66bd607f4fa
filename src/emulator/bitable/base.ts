import type { FastifyRequest } from 'fastify';
import { caller, type EmulatorContext } from '../context.js';
import { pageParams } from '../http.js';
import { bitableErrors } from './errors.js';
import { addTable } from './schema.js';
import { bitableIds, BitableState } from './state.js';
import type { BitableApp, BitableField } from './types.js';

/** What the routes share: creating a base, writes to one base at a time, client_token answers, paging. */

export function createBase(ctx: EmulatorContext, body: { name?: unknown; time_zone?: unknown; folder_token?: unknown; tables?: unknown }): BitableApp {
  const state = ctx.slice(BitableState);
  if (body.name !== undefined && (typeof body.name !== 'string' || body.name.length > 255)) throw bitableErrors.wrongBody('name is a string of at most 255 characters');
  const app: BitableApp = {
    app_token: bitableIds.app(),
    name: typeof body.name === 'string' ? body.name : '',
    revision: 1,
    time_zone: typeof body.time_zone === 'string' && body.time_zone ? body.time_zone : 'Asia/Shanghai',
    folder_token: typeof body.folder_token === 'string' ? body.folder_token : '',
    tables: [],
  };
  const tables = Array.isArray(body.tables) && body.tables.length ? body.tables : [{ name: '数据表' }];
  for (const t of tables) addTable(state, app, t);
  state.apps.set(app.app_token, app);
  return app;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Runs a write to one base. The platform takes one write per base at a time: a write arriving while
 * another is in progress answers 1254291 Write conflict. Writes take no time here unless a test set
 * `PUT /__emulator/bitable/apps/:app_token/write-latency`.
 */
export async function writeToBase<T>(ctx: EmulatorContext, appToken: string, fn: () => T): Promise<T> {
  const state = ctx.slice(BitableState);
  state.app(appToken);
  if (state.writing.has(appToken)) throw bitableErrors.writeConflict();
  state.writing.add(appToken);
  try {
    const latency = state.writeLatency.get(appToken);
    if (latency) await sleep(latency);
    return fn();
  } finally {
    state.writing.delete(appToken);
  }
}

/**
 * `client_token` idempotency: the same token with the same body answers what the first call did,
 * without writing again; with another body it is 1255006.
 */
export async function withClientToken(ctx: EmulatorContext, request: FastifyRequest, route: string, run: () => Promise<unknown>): Promise<unknown> {
  const token = (request.query as Record<string, unknown>).client_token;
  if (typeof token !== 'string' || token === '') return run();
  const state = ctx.slice(BitableState);
  const key = `${caller(request).appId} ${route} ${token}`;
  const hash = JSON.stringify([request.params, request.body ?? null]);
  const seen = state.clientTokens.get(key);
  if (seen) {
    if (seen.hash !== hash) throw bitableErrors.clientTokenConflict();
    return seen.data;
  }
  const data = await run();
  state.clientTokens.set(key, { hash, data });
  return data;
}

/** page_size / page_token, with the bitable codes. */
export function bitablePage(query: Record<string, unknown>, max: number, size = 20) {
  const raw = query.page_size;
  if (raw !== undefined && raw !== '' && Number(raw) <= 0) throw bitableErrors.pageSize(`page_size must be greater than 0 (got ${String(raw)})`);
  // Above the maximum the platform answers the maximum.
  const q = raw !== undefined && raw !== '' && Number(raw) > max ? { ...query, page_size: String(max) } : query;
  return pageParams(q, { size, max }, 1254011);
}

export function fieldView(f: BitableField, primary: boolean): Record<string, unknown> {
  return { field_id: f.field_id, field_name: f.field_name, type: f.type, ui_type: f.ui_type, property: f.property, ...(f.description ? { description: f.description } : {}), is_primary: primary, is_hidden: false };
}

/** The open_id of a user-token caller, '' for an app (tenant token). */
export const operatorOf = (request: FastifyRequest) => {
  const a = caller(request);
  return a.kind === 'user' ? (a.openId ?? '') : '';
};
