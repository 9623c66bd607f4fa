import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import multipart from '@fastify/multipart';
import type { EmulatorContext } from './context.js';
import type { FaultRule } from './types.js';
import { ApiError } from './errors.js';
import { errorBody, JSON_TYPE } from './http.js';
import { newId } from './ids.js';
import { isPlatformPath, rateLimited, routeTier } from './platform-http.js';
// The gateway checks tokens for every product's APIs, so it knows auth (and only auth).
import { authenticate, checkScopes, needsToken } from './auth/index.js';

export function buildEmulatorServer(ctx: EmulatorContext): FastifyInstance {
  const app = Fastify({ logger: false, bodyLimit: 4 * 1024 * 1024 });

  // Parse JSON ourselves so a malformed body gets the platform's error instead of Fastify's.
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    if (body === '' || body === undefined) return done(null, {});
    try {
      done(null, JSON.parse(body as string));
    } catch {
      done(new ApiError(400, 9499, 'Bad Request: body is not valid JSON'), undefined);
    }
  });
  app.register(multipart, { limits: { fileSize: 101 * 1024 * 1024, files: 1 } });

  app.addHook('onRequest', async (request, reply) => {
    request.logId = newId.logId();
    request.startedAt = performance.now();
    reply.header('X-Tt-Logid', request.logId);
    const path = request.url.split('?')[0];
    if (!isPlatformPath(path)) return;
    const fault = ctx.faults.match(request.method, path, request.routeOptions.url);
    if (!fault) return;
    if (fault.delay_ms > 0) await new Promise((r) => setTimeout(r, fault.delay_ms));
    if (fault.status === undefined && fault.code === undefined) return; // latency-only fault
    request.faulted = true;
    // `after`: the request takes effect, then its answer is lost (a timeout or 5xx after commit).
    if (fault.after) request.lateFault = faultError(fault);
    else throw faultError(fault);
  });

  // Which platform routes exist, so the scope catalog can name those no product declared.
  app.addHook('onRoute', (route) => {
    if (!isPlatformPath(route.url)) return;
    for (const m of Array.isArray(route.method) ? route.method : [route.method]) if (m !== 'HEAD') ctx.products.notePlatformRoute(m, route.url);
  });

  app.addHook('preHandler', async (request) => {
    const path = request.url.split('?')[0];
    if (!needsToken(path)) return;
    authenticate(ctx, request);
    const route = request.routeOptions.url ?? path;
    // The app's (and for user tokens the person's) scopes, before the call counts against a limit.
    checkScopes(ctx, request, ctx.products.requiredScopes(request.method === 'HEAD' ? 'GET' : request.method, route));
    const limit = routeTier(request.method, route);
    const verdict = ctx.limiter.hit(`api:${request.auth!.appId}:${request.method} ${route}`, limit, ctx.clock.now());
    if (!verdict.ok) throw rateLimited(verdict.limit, verdict.resetSec);
  });

  // Remember the business code of each answer for the call log.
  app.addHook('onSend', async (request, reply, payload) => {
    if (request.lateFault) {
      const err = request.lateFault;
      request.lateFault = undefined;
      for (const [k, v] of Object.entries(err.extra.headers ?? {})) reply.header(k, v);
      reply.status(err.status).type(JSON_TYPE);
      payload = JSON.stringify(errorBody(request, err));
    }
    if (typeof payload === 'string' && payload.startsWith('{"code":')) {
      const m = /^\{"code":(-?\d+)/.exec(payload);
      if (m) (reply as unknown as { bizCode?: number }).bizCode = Number(m[1]);
    }
    return payload;
  });

  app.addHook('onResponse', async (request, reply) => {
    const [path, query = ''] = request.url.split('?');
    if (!isPlatformPath(path)) return;
    ctx.calls.record({
      time: ctx.clock.now(),
      method: request.method,
      path,
      query,
      status: reply.statusCode,
      code: (reply as unknown as { bizCode?: number }).bizCode ?? null,
      app_id: request.auth?.appId,
      duration_ms: Math.round((performance.now() - request.startedAt) * 100) / 100,
      fault: request.faulted === true,
      log_id: request.logId,
    });
  });

  app.setErrorHandler((err: FastifyError | ApiError, request, reply) => {
    if (err instanceof ApiError) {
      for (const [k, v] of Object.entries(err.extra.headers ?? {})) reply.header(k, v);
      return reply.status(err.status).type(JSON_TYPE).send(errorBody(request, err));
    }
    const fe = err as FastifyError;
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE' || fe.statusCode === 413) {
      return reply.status(400).type(JSON_TYPE).send(errorBody(request, new ApiError(400, 230025, 'The message content exceeds the size limit.')));
    }
    if (fe.statusCode && fe.statusCode < 500) {
      return reply.status(400).type(JSON_TYPE).send(errorBody(request, new ApiError(400, 99992402, fe.message)));
    }
    request.log.error(err);
    return reply.status(500).type(JSON_TYPE).send(errorBody(request, new ApiError(500, 1500, `internal error: ${err.message}`)));
  });

  app.setNotFoundHandler((request, reply) => {
    reply.status(404).type(JSON_TYPE).send(errorBody(request, new ApiError(404, 99991201, `resource not find: ${request.method} ${request.url.split('?')[0]}`)));
  });

  ctx.products.registerRoutes(app, ctx);
  return app;
}

function faultError(fault: FaultRule): ApiError {
  const status = fault.status ?? 500;
  const code = fault.code ?? (status === 429 ? 99991400 : status >= 500 ? 1500 : 99992402);
  const msg = fault.msg ?? (status === 429 ? 'request trigger frequency limit' : status >= 500 ? 'internal error' : 'injected fault');
  const headers: Record<string, string> = status === 429 ? { 'x-ogw-ratelimit-limit': '50', 'x-ogw-ratelimit-reset': '1' } : {};
  return new ApiError(status, code, msg, { headers });
}
