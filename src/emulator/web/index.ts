import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { defineProduct } from '../product.js';
import { registerWebApiRoutes } from './api.js';
import { registerPageRoutes } from './pages.js';
import { registerCardPreviewRoute } from './preview.js';
import { registerStaticRoutes } from './static.js';

export { previewCard } from './preview.js';
export type { WebPage } from './pages.js';

/**
 * The Feishu-like web client at `/`: static files (Preact + htm as ES modules, no build step),
 * the JSON it polls and posts to (`/__emulator/web/*`), the products' page modules
 * (`/__emulator/web/pages/<product>/*`, see pages.ts) and the card preview control route.
 * It holds no state of its own: it shows the other products' slices.
 */
export const webClient = defineProduct({
  name: 'web',
  routes(app: FastifyInstance, ctx: EmulatorContext) {
    registerStaticRoutes(app);
    registerPageRoutes(app, ctx);
    registerWebApiRoutes(app, ctx);
    registerCardPreviewRoute(app, ctx);
  },
});
