import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { defineProduct } from '../product.js';
import { registerContactDepartmentRoutes } from './departments.js';
import { registerDirectoryControlRoutes } from './control.js';
import { directoryPage, registerDirectoryPageRoutes } from './page.js';
import { directoryScopeNames, directoryScopes } from './scopes.js';
import { DirectoryState } from './state.js';
import { registerContactUserRoutes } from './users.js';

export { DirectoryState, ROOT, type ContactScope, type DirectoryDepartment, type DirectorySnapshot, type DirectoryUser, type UserIdType } from './state.js';
export { generateOrg } from './seed.js';
export { avatarUrl, initialsSvg } from './avatars.js';

/**
 * Contact v3 over the tenant's directory (with each app's contact scope), the directory's changes
 * and their contact events, a generated large organisation, and its page in the web client.
 */
export const directory = defineProduct({
  name: 'directory',
  state: DirectoryState,
  page: directoryPage,
  scopes: directoryScopes,
  scopeNames: directoryScopeNames,
  routes(app: FastifyInstance, ctx: EmulatorContext) {
    registerContactUserRoutes(app, ctx);
    registerContactDepartmentRoutes(app, ctx);
    registerDirectoryPageRoutes(app, ctx);
    registerDirectoryControlRoutes(app, ctx);
  },
});
