import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { sql } from 'kysely';
import type { Store } from '../store/index.js';
import type { Hub } from './hub.js';

/** A capability's readiness check, named for `/readyz`. */
export interface NamedCheck {
  name: string;
  check(): Promise<string | void> | string | void;
}

const CHECK_TIMEOUT_MS = 3000;

/** `/healthz` (the process answers), `/readyz` (database + every capability's checks), `/metrics` (Prometheus). */
export function registerHealthRoutes(app: FastifyInstance, deps: { hub: Hub; store: Store; checks: NamedCheck[] }): void {
  const { hub, store } = deps;
  const metrics = Registry.merge([hub.registry, hub.platform.metrics.registry]);
  const checks: NamedCheck[] = [{ name: 'database', check: async () => void (await sql`select 1`.execute(store.db)) }, ...deps.checks];

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_req, reply) => {
    const results: Record<string, string> = {};
    await Promise.all(
      checks.map(async (c) => {
        try {
          const note = await withTimeout(Promise.resolve(c.check()), CHECK_TIMEOUT_MS);
          results[c.name] = note ? `ok: ${note}` : 'ok';
        } catch (err) {
          results[c.name] = (err as Error).message;
        }
      }),
    );
    const ready = Object.values(results).every((v) => v.startsWith('ok'));
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks: results });
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
