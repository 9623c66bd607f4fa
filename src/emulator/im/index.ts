import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';

/** IM: messages, images/files, chats and members. */
export function registerImRoutes(_app: FastifyInstance, _ctx: EmulatorContext): void {}
