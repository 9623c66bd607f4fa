import { readFile } from 'node:fs/promises';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import type { PageEntry } from '../product.js';

/**
 * Product pages in the web client. A product's `page` may name, besides `title` and `path`:
 *
 * - `module`: the ES module the client imports and renders (its default export, a Preact
 *   component). Usually a `file:` URL in the product's own folder,
 *   `new URL('./web/page.js', import.meta.url).href`: the web client serves that module's folder
 *   at `/__emulator/web/pages/<product>/` (so the module's relative imports and styles work) and
 *   hands the client that URL. An `http(s):` URL or an absolute path is passed on as it is.
 * - `icon`: the rail icon, a name of the client's icon set (`contacts`, `approval`, `base`,
 *   `calendar`, `docs`, `tasks`, `workbench`…) or the URL of an SVG (a `file:` URL in the
 *   module's folder is served like the module).
 *
 * A page with a module is a client route, `#/<name>` (taken from `path: '/#/<name>'`).
 */
export type WebPage = PageEntry;

/** What the client gets in `pages`: module and icon as URLs it can load. */
export interface ClientPage {
  product: string;
  title: string;
  path: string;
  icon?: string;
  module?: string;
}

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

const PREFIX = '/__emulator/web/pages';

/** The folder a product's page is served from: its module's folder, when the module is a file. */
function pageRoot(page: WebPage): string | undefined {
  if (!page.module?.startsWith('file:')) return undefined;
  return dirname(fileURLToPath(page.module));
}

/** A `file:` URL under the page's folder → its served URL; anything else as it is. */
function servedUrl(product: string, root: string | undefined, url: string | undefined): string | undefined {
  if (!url?.startsWith('file:')) return url;
  if (!root) return undefined;
  const file = fileURLToPath(url);
  if (!file.startsWith(root + sep)) return undefined;
  return `${PREFIX}/${encodeURIComponent(product)}/${file.slice(root.length + 1).split(sep).map(encodeURIComponent).join('/')}`;
}

/** The products' pages as the client loads them (`pages` of `GET /__emulator/web/state`). */
export function clientPages(ctx: EmulatorContext): ClientPage[] {
  return ctx.products.pages().map((p) => {
    const page = p as WebPage & { product: string };
    const root = pageRoot(page);
    const out: ClientPage = { product: page.product, title: page.title, path: page.path };
    const icon = servedUrl(page.product, root, page.icon);
    const module = servedUrl(page.product, root, page.module);
    if (icon) out.icon = icon;
    if (module) out.module = module;
    return out;
  });
}

/** `GET /__emulator/web/pages/:product/*`: the files of a product's page folder (scripts, styles, images only). */
export function registerPageRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const roots = new Map<string, string>();
  for (const p of ctx.products.pages()) {
    const root = pageRoot(p as WebPage);
    if (root) roots.set(p.product, root);
  }

  app.get(`${PREFIX}/:product/*`, async (req, reply) => {
    const params = req.params as { product: string; '*': string };
    const root = roots.get(params.product);
    const type = TYPES[extname(params['*'])];
    if (!root || !type) return reply.status(404).send({ error: 'not found' });
    const file = normalize(join(root, params['*']));
    if (!file.startsWith(root + sep)) return reply.status(404).send({ error: 'not found' });
    try {
      const body = await readFile(file);
      return reply.type(type).header('cache-control', 'no-cache').send(body);
    } catch {
      return reply.status(404).send({ error: 'not found' });
    }
  });
}
