import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context.js';
import { JSON_TYPE } from '../http.js';
import { AuthState } from '../auth/index.js';
import { busOf } from './context.js';

const injectBody = z
  .object({
    app_id: z.string().optional(),
    event_type: z.string().min(1),
    event: z.record(z.string(), z.unknown()),
    schema: z.enum(['1.0', '2.0']).optional(),
    tenant_key: z.string().optional(),
  })
  .strict();

/** The delivery log as the control API shows it (also part of GET /__emulator/state). */
export function eventLog(ctx: EmulatorContext, filter: { app_id?: string; type?: string; event_id?: string } = {}) {
  const bus = busOf(ctx);
  bus.flushStaleHolds();
  return bus.records.filter(
    (r) => (!filter.app_id || r.app_id === filter.app_id) && (!filter.type || r.type === filter.type) && (!filter.event_id || r.event_id === filter.event_id),
  );
}

export function registerEventControlRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get('/__emulator/events', async (req) => {
    const q = req.query as { app_id?: string; type?: string; event_id?: string };
    const bus = busOf(ctx);
    return { events: eventLog(ctx, q), verifications: [...bus.verifications.values()], connections: bus.connections.list() };
  });

  // Inject any event, signed/encrypted as the app is configured (Stripe CLI `trigger`, Probot `receive`).
  app.post('/__emulator/events', async (req, reply) => {
    const p = injectBody.safeParse(req.body ?? {});
    if (!p.success) return reply.status(400).send({ error: 'invalid body', issues: p.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`) });
    const { event_type, event, schema = '2.0', tenant_key } = p.data;
    const appId = p.data.app_id ?? ctx.slice(AuthState).defaultApp.appId;
    if (!ctx.slice(AuthState).apps.has(appId)) return reply.status(404).send({ error: `no app ${appId}` });
    const eventId = schema === '1.0' ? ctx.events.publishV1(appId, { type: event_type, ...event }) : ctx.events.publish(appId, event_type, event, { tenantKey: tenant_key });
    return { event_id: eventId, schema };
  });

  // Long-connection endpoint discovery (WSClient). Errors are HTTP 200 with a code, which the SDK treats as final.
  app.post('/callback/ws/endpoint', async (req, reply) => {
    const b = (req.body && typeof req.body === 'object' ? req.body : {}) as { AppID?: unknown; AppSecret?: unknown };
    reply.type(JSON_TYPE);
    const a = typeof b.AppID === 'string' ? ctx.slice(AuthState).apps.get(b.AppID) : undefined;
    if (!a || typeof b.AppSecret !== 'string' || a.appSecret !== b.AppSecret) return { code: 514, msg: 'auth failed: app_id or app_secret is invalid', data: {} };
    return { code: 0, msg: 'ok', data: busOf(ctx).connections.endpoint(a.appId, ctx.baseUrl()) };
  });
}
