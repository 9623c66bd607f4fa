import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';

/** The custom group-bot webhook `/open-apis/bot/v2/hook/:token`. */
export function registerWebhookBotRoutes(_app: FastifyInstance, _ctx: EmulatorContext): void {}
