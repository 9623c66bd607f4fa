import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { BROWSER_MODULES, fileWithin, readStatic } from '../../web/static-files.js';

const CLIENT_DIR = fileURLToPath(new URL('./client/', import.meta.url));

/** `/` (the client's page), `/__emulator/web/app/*` (its modules and styles), `/__emulator/web/vendor/*`. */
export function registerStaticRoutes(app: FastifyInstance): void {
  const send = async (reply: import('fastify').FastifyReply, file: string) => {
    const found = await readStatic(file);
    // A development tool: always serve what is on disk, so edits show on reload.
    if (found) return reply.type(found.type).header('cache-control', 'no-cache').send(found.body);
    return reply.status(404).send({ error: 'not found' });
  };

  app.get('/', async (_req, reply) => send(reply, `${CLIENT_DIR}index.html`));

  app.get('/__emulator/web/app/*', async (req, reply) => {
    const rel = (req.params as { '*': string })['*'];
    const file = fileWithin(CLIENT_DIR, rel);
    if (!file) return reply.status(404).send({ error: 'not found' });
    return send(reply, file);
  });

  app.get('/__emulator/web/vendor/:name', async (req, reply) => {
    const file = BROWSER_MODULES[(req.params as { name: string }).name];
    if (!file) return reply.status(404).send({ error: 'not found' });
    return send(reply, file);
  });
}
