import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { ApiError } from '../errors.js';
import { JSON_TYPE } from '../http.js';
import { newId } from '../ids.js';
import type { AppRecord } from '../types.js';
import { AuthState } from './state.js';

/** auth/v3 errors have no `error` object; the token fields of a success sit at the top level. */
const authError = (code: number, msg: string) => new ApiError(400, code, msg, { bare: true });

function body(req: { body: unknown }): Record<string, unknown> {
  return req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
}

function checkApp(ctx: EmulatorContext, b: Record<string, unknown>): AppRecord {
  if (typeof b.app_id !== 'string' || typeof b.app_secret !== 'string' || !b.app_id || !b.app_secret) {
    throw authError(10003, 'invalid param');
  }
  const app = ctx.slice(AuthState).apps.get(b.app_id);
  if (!app) throw authError(10003, 'invalid param: app_id not found');
  if (app.appSecret !== b.app_secret) throw authError(10015, 'app secret invalid');
  return app;
}

/** Pushes a fresh app_ticket to a store app, as the platform does hourly and on resend. */
export function pushAppTicket(ctx: EmulatorContext, app: AppRecord): string {
  const ticket = newId.appTicket();
  ctx.slice(AuthState).appTickets.set(app.appId, ticket);
  ctx.events.publishV1(app.appId, { app_id: app.appId, app_ticket: ticket, type: 'app_ticket' });
  return ticket;
}

export function registerAuthRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const now = () => ctx.clock.now();
  const tokens = ctx.slice(AuthState).tokens;

  app.post('/open-apis/auth/v3/tenant_access_token/internal', async (req, reply) => {
    const a = checkApp(ctx, body(req));
    if (a.type !== 'self_built') throw authError(10003, 'invalid param: store apps use /auth/v3/tenant_access_token');
    const { token, expire } = tokens.issue('tenant', a.appId, a.tenantKeys[0], now());
    reply.type(JSON_TYPE);
    return { code: 0, msg: 'ok', tenant_access_token: token, expire };
  });

  app.post('/open-apis/auth/v3/app_access_token/internal', async (req, reply) => {
    const a = checkApp(ctx, body(req));
    if (a.type !== 'self_built') throw authError(10003, 'invalid param: store apps use /auth/v3/app_access_token');
    // A self-built app's app token is its tenant token (the documented example returns the same t- value).
    const { token, expire } = tokens.issue('tenant', a.appId, a.tenantKeys[0], now());
    reply.type(JSON_TYPE);
    return { code: 0, msg: 'ok', app_access_token: token, expire, tenant_access_token: token };
  });

  app.post('/open-apis/auth/v3/app_access_token', async (req, reply) => {
    const b = body(req);
    const a = checkApp(ctx, b);
    const ticket = ctx.slice(AuthState).appTickets.get(a.appId);
    if (a.type !== 'store' || typeof b.app_ticket !== 'string' || !ticket || b.app_ticket !== ticket) {
      throw authError(10012, 'get app access token fail: app_ticket is invalid');
    }
    const { token, expire } = tokens.issue('app', a.appId, undefined, now());
    reply.type(JSON_TYPE);
    return { code: 0, msg: 'success', app_access_token: token, expire };
  });

  app.post('/open-apis/auth/v3/tenant_access_token', async (req, reply) => {
    const b = body(req);
    if (typeof b.app_access_token !== 'string' || typeof b.tenant_key !== 'string') throw authError(10003, 'invalid param');
    const rec = tokens.resolve(b.app_access_token, now());
    if (typeof rec === 'string' || rec.kind !== 'app') throw authError(99991664, 'invalid app token');
    const a = ctx.slice(AuthState).apps.get(rec.appId)!;
    if (!a.tenantKeys.includes(b.tenant_key)) throw authError(99991673, 'unauthorized app: the tenant has not installed this app');
    const { token, expire } = tokens.issue('tenant', a.appId, b.tenant_key, now());
    reply.type(JSON_TYPE);
    return { code: 0, msg: 'success', tenant_access_token: token, expire };
  });

  app.post('/open-apis/auth/v3/app_ticket/resend', async (req, reply) => {
    const a = checkApp(ctx, body(req));
    if (a.type !== 'store') throw authError(10003, 'invalid param: only store apps receive app_ticket');
    pushAppTicket(ctx, a);
    reply.type(JSON_TYPE);
    return { code: 0, msg: 'success' };
  });
}

/** Store apps get a new app_ticket every hour of emulator time. */
export function scheduleAppTickets(ctx: EmulatorContext): void {
  const HOUR = 60 * 60 * 1000;
  for (const a of ctx.slice(AuthState).apps.values()) {
    if (a.type !== 'store') continue;
    const tick = () => {
      pushAppTicket(ctx, a);
      ctx.clock.setTimeout(tick, HOUR);
    };
    ctx.clock.setTimeout(tick, HOUR);
  }
}
