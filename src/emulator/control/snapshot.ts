import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { SnapshotError } from '../registry.js';

/** Snapshots carry uploaded files (base64), so they may be far larger than an API body. */
const SNAPSHOT_BODY_LIMIT = 512 * 1024 * 1024;

/**
 * Whole-emulator state, through the product list (each product's slice answers for itself):
 *
 * - `GET /__emulator/state[?calls_since=id]`: everything, for looking at (secrets redacted,
 *   uploads as sizes): apps, users, chats, messages, webhook bots, faults, calls, events…
 * - `POST /__emulator/reset`: every slice back to its seed. Apps keep their settings; tokens,
 *   tickets, faults, limit windows, the call log and the event log are cleared.
 * - `GET /__emulator/snapshot`: every slice's JSON keyed by product name
 *   (`{"auth":{…},"directory":{…},"im":{…},…}`); it contains app secrets and tokens.
 * - `PUT /__emulator/snapshot` with that JSON: replaces every slice with it, like a reset to that
 *   state (faults, the call log and the event log start empty; a product missing from the body is
 *   reset). An unknown product name: 400 and nothing changes. A slice refusing its part: 400 and
 *   the tenant's state is put back as it was (faults and logs are cleared all the same).
 */
export function registerSnapshotRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get('/__emulator/state', async (req) => ({ now: ctx.clock.now(), ...ctx.products.inspect(req.query as Record<string, string | undefined>) }));

  app.post('/__emulator/reset', async () => {
    ctx.products.reset();
    return { ok: true };
  });

  app.get('/__emulator/snapshot', async () => ctx.products.snapshot());

  app.put('/__emulator/snapshot', { bodyLimit: SNAPSHOT_BODY_LIMIT }, async (req, reply) => {
    try {
      ctx.products.restore(req.body);
    } catch (e) {
      if (e instanceof SnapshotError) return reply.status(400).send({ error: e.message });
      throw e;
    }
    return { ok: true, products: ctx.products.snapshotNames() };
  });
}
