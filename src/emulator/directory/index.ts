import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { registerAvatarRoute } from './avatars.js';
import { registerContactDepartmentRoutes } from './departments.js';
import { registerContactUserRoutes } from './users.js';

/** Contact v3 lookups over the seeded directory, and the avatars its user objects link to. */
export function registerDirectoryRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  registerContactUserRoutes(app, ctx);
  registerContactDepartmentRoutes(app, ctx);
  registerAvatarRoute(app, ctx);
}
