import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { defineProduct } from '../product.js';
import { registerContactDepartmentRoutes } from './departments.js';
import { directoryPage, registerDirectoryPageRoutes } from './page.js';
import { DirectoryState } from './state.js';
import { registerContactUserRoutes } from './users.js';

export { DirectoryState, type DirectorySnapshot, type UserIdType } from './state.js';
export { avatarUrl, initialsSvg } from './avatars.js';

/** Contact v3 lookups over the seeded directory, and its page in the web client. */
export const directory = defineProduct({
  name: 'directory',
  state: DirectoryState,
  page: directoryPage,
  routes(app: FastifyInstance, ctx: EmulatorContext) {
    registerContactUserRoutes(app, ctx);
    registerContactDepartmentRoutes(app, ctx);
    registerDirectoryPageRoutes(app, ctx);
  },
});
