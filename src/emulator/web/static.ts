import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';

const CLIENT_DIR = fileURLToPath(new URL('./client/', import.meta.url));
const require = createRequire(import.meta.url);

/** The ES module builds the page imports through its import map, served from node_modules so it works offline. */
const VENDOR: Record<string, string> = {
  'preact.mjs': require.resolve('preact'),
  'hooks.mjs': require.resolve('preact/hooks'),
  // htm's require entry is dist/htm.js; its ES module build sits beside it.
  'htm.mjs': join(dirname(require.resolve('htm')), 'htm.mjs'),
};

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
};

/** `/` (the client's page), `/__emulator/web/app/*` (its modules and styles), `/__emulator/web/vendor/*`. */
export function registerStaticRoutes(app: FastifyInstance): void {
  const send = async (reply: import('fastify').FastifyReply, file: string) => {
    try {
      const body = await readFile(file);
      // A development tool: always serve what is on disk, so edits show on reload.
      return reply.type(TYPES[extname(file)] ?? 'application/octet-stream').header('cache-control', 'no-cache').send(body);
    } catch {
      return reply.status(404).send({ error: 'not found' });
    }
  };

  app.get('/', async (_req, reply) => send(reply, join(CLIENT_DIR, 'index.html')));

  app.get('/__emulator/web/app/*', async (req, reply) => {
    const rel = (req.params as { '*': string })['*'];
    const file = normalize(join(CLIENT_DIR, rel));
    if (!file.startsWith(CLIENT_DIR.endsWith(sep) ? CLIENT_DIR : CLIENT_DIR + sep)) return reply.status(404).send({ error: 'not found' });
    return send(reply, file);
  });

  app.get('/__emulator/web/vendor/:name', async (req, reply) => {
    const file = VENDOR[(req.params as { name: string }).name];
    if (!file) return reply.status(404).send({ error: 'not found' });
    return send(reply, file);
  });
}
