import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { sql } from 'kysely';
import type { Store } from '../store/index.js';
import type { Hub } from './hub.js';

/** `/healthz` (the process answers), `/readyz` (database and Feishu token reachable), `/metrics` (Prometheus). */
export function registerHealthRoutes(app: FastifyInstance, deps: { hub: Hub; store: Store }): void {
  const { hub, store } = deps;
  const metrics = Registry.merge([hub.registry, hub.platform.metrics.registry]);

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    const checks: Record<string, string> = {};
    try {
      await sql`select 1`.execute(store.db);
      checks.database = 'ok';
    } catch (err) {
      checks.database = `unreachable: ${(err as Error).message}`;
    }
    try {
      await withTimeout(hub.platform.tokens.tenantToken(), 3000);
      checks.feishu = 'ok';
    } catch (err) {
      checks.feishu = `no token: ${(err as Error).message}`;
    }
    const ready = Object.values(checks).every((v) => v === 'ok');
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
  });

  app.get('/metrics', async (_req, reply) => {
    reply.type(metrics.contentType);
    return metrics.metrics();
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([p, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms)))]).finally(() => clearTimeout(timer));
}
