import { defineProduct } from '../product.js';
import { registerDeveloperRoutes } from './routes.js';

/**
 * The developer console (开发者后台) of the tenant's apps: which scopes each app was granted
 * (the gateway refuses an API none of whose scopes is granted: 99991672, and a user token lacking
 * the person's grant: 99991679), its control routes, and the page "Developer" (the Developer Console) where a person
 * grants and revokes them. The granted lists live in the auth slice, which the gateway reads.
 */
export const developer = defineProduct({
  name: 'developer',
  routes: registerDeveloperRoutes,
  page: {
    // The rail's label (the page itself says "Developer Console").
    title: 'Developer',
    path: '/#/developer',
    icon: 'console',
    module: new URL('./web/developer.js', import.meta.url).href,
  },
});
