import type { FastifyInstance } from 'fastify';
import { caller, type EmulatorContext } from '../context.js';
import { ApiError } from '../errors.js';
import { ok } from '../http.js';
import { createBase, fieldView } from './base.js';
import { BitableState } from './state.js';
import { recordView } from './values.js';

/**
 * `/__emulator/bitable/…` for tests: create a base without the 20/min limit, read a whole base, make
 * writes to a base slow (to overlap them: 1254291). And the platform's drive subscription route.
 */
export function registerBitableControlRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const state = () => ctx.slice(BitableState);

  app.post('/__emulator/bitable/apps', async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    try {
      const base = createBase(ctx, { name: body.name ?? '', tables: body.tables, time_zone: body.time_zone });
      return {
        app_token: base.app_token,
        tables: base.tables.map((t) => ({ table_id: t.table_id, name: t.name, default_view_id: t.views[0].view_id, fields: t.fields.map((f) => ({ field_id: f.field_id, field_name: f.field_name })) })),
      };
    } catch (e) {
      if (!(e instanceof ApiError)) throw e;
      return reply.status(400).send({ error: `${e.message}: ${e.extra.fieldViolations?.[0]?.description ?? ''}`, code: e.code });
    }
  });

  app.get('/__emulator/bitable/apps', async () => ({
    apps: [...state().apps.values()].map((a) => ({ app_token: a.app_token, name: a.name, tables: a.tables.map((t) => ({ table_id: t.table_id, name: t.name, records: t.records.length })) })),
  }));

  app.get('/__emulator/bitable/apps/:app_token', async (request, reply) => {
    const base = state().apps.get((request.params as { app_token: string }).app_token);
    if (!base) return reply.status(404).send({ error: 'no such base', code: 1254040 });
    const read = { ctx, idType: 'open_id' as const };
    return {
      app_token: base.app_token,
      name: base.name,
      revision: base.revision,
      time_zone: base.time_zone,
      tables: base.tables.map((t) => ({
        table_id: t.table_id,
        name: t.name,
        revision: t.revision,
        views: t.views,
        fields: t.fields.map((f, i) => fieldView(f, i === 0)),
        records: t.records.map((r) => recordView(read, t, r, { automatic: true })),
      })),
    };
  });

  app.put('/__emulator/bitable/apps/:app_token/write-latency', async (request, reply) => {
    const token = (request.params as { app_token: string }).app_token;
    const ms = Number((request.body as Record<string, unknown> | undefined)?.ms);
    if (!state().apps.has(token)) return reply.status(404).send({ error: 'no such base', code: 1254040 });
    if (!Number.isFinite(ms) || ms < 0 || ms > 60_000) return reply.status(400).send({ error: 'ms is 0–60000' });
    if (ms === 0) state().writeLatency.delete(token);
    else state().writeLatency.set(token, ms);
    return { ok: true, ms };
  });

  // The platform's drive subscription, for bitable files only (docs, sheets are not emulated).
  const fileType = (q: unknown) => (q as Record<string, unknown>).file_type;
  const subscription = (request: import('fastify').FastifyRequest) => {
    const token = (request.params as { file_token: string }).file_token;
    if (fileType(request.query) !== 'bitable') {
      throw new ApiError(400, 1061002, 'params error.', { fieldViolations: [{ field: 'file_type', description: 'only file_type=bitable is emulated' }] });
    }
    if (!state().apps.has(token)) throw new ApiError(400, 1061003, 'not found.', { fieldViolations: [{ field: 'file_token', description: `no base ${token}` }] });
    return token;
  };
  app.post('/open-apis/drive/v1/files/:file_token/subscribe', async (request, reply) => {
    const token = subscription(request);
    const appId = caller(request).appId;
    let set = state().subscriptions.get(appId);
    if (!set) state().subscriptions.set(appId, (set = new Set()));
    set.add(token);
    return ok(reply, {});
  });
  app.get('/open-apis/drive/v1/files/:file_token/get_subscribe', async (request, reply) => {
    const token = subscription(request);
    return ok(reply, { is_subscribe: state().subscriptions.get(caller(request).appId)?.has(token) ?? false });
  });
  app.delete('/open-apis/drive/v1/files/:file_token/delete_subscribe', async (request, reply) => {
    const token = subscription(request);
    state().subscriptions.get(caller(request).appId)?.delete(token);
    return ok(reply, {});
  });
}
