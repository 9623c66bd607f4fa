import type { FastifyInstance } from 'fastify';
import { caller, type EmulatorContext } from '../context.js';
import { JSON_TYPE } from '../http.js';
import { AuthState } from '../auth/index.js';

/** `GET /open-apis/bot/v3/info`: the bot's name and open_id (an older API: the payload sits in `bot`, not `data`). */
export function registerBotInfoRoute(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get('/open-apis/bot/v3/info', async (req, reply) => {
    const app_ = ctx.slice(AuthState).apps.get(caller(req).appId)!;
    reply.type(JSON_TYPE);
    return {
      code: 0,
      msg: 'ok',
      bot: { activate_status: 2, app_name: app_.botName, avatar_url: '', ip_white_list: [], open_id: app_.botOpenId },
    };
  });
}
