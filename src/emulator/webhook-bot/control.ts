import { randomUUID } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context.js';
import { ImState } from '../im/index.js';
import { WebhookBotState } from './state.js';

const createSchema = z
  .object({
    chat_id: z.string().min(1),
    name: z.string().min(1).max(100).optional(),
    /** Turns on signature checks ("签名校验"). */
    secret: z.string().min(1).optional(),
    keywords: z.array(z.string().min(1)).max(10).optional(),
    ip_allowlist: z.array(z.string().min(1)).max(10).optional(),
  })
  .strict();

/** `/__emulator/webhook-bots`: a person adds a custom bot to a group and copies its webhook URL. */
export function registerWebhookBotControlRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const hookUrl = (token: string) => `${ctx.baseUrl()}/open-apis/bot/v2/hook/${token}`;

  app.post('/__emulator/webhook-bots', async (request, reply) => {
    const r = createSchema.safeParse(request.body ?? {});
    if (!r.success) {
      return reply.status(400).send({ error: 'invalid body', issues: r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`) });
    }
    const v = r.data;
    const chat = ctx.slice(ImState).chats.get(v.chat_id);
    if (!chat) return reply.status(404).send({ error: 'no such chat' });
    if (chat.status !== 'normal' || chat.chat_mode === 'p2p') return reply.status(409).send({ error: 'custom bots can only be added to a live group' });
    const token = randomUUID();
    ctx.slice(WebhookBotState).bots.set(token, {
      token,
      chat_id: chat.chat_id,
      name: v.name ?? 'Custom bot',
      ...(v.secret ? { secret: v.secret } : {}),
      keywords: v.keywords ?? [],
      ip_allowlist: v.ip_allowlist ?? [],
    });
    return { token, url: hookUrl(token) };
  });

  app.delete('/__emulator/webhook-bots/:token', async (request, reply) => {
    const token = (request.params as { token: string }).token;
    if (!ctx.slice(WebhookBotState).bots.delete(token)) return reply.status(404).send({ error: 'no such webhook bot' });
    return { ok: true };
  });
}
