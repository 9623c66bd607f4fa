import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';

/** Contact v3 lookups over the seeded directory. */
export function registerDirectoryRoutes(_app: FastifyInstance, _ctx: EmulatorContext): void {}
