import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context.js';
import { newId } from '../ids.js';
import type { UserRecord } from '../types.js';
import { AuthState } from '../auth/index.js';
import { DirectoryState } from '../directory/index.js';
import { chatRecord } from './chat-record.js';
import { addBots, removeBots } from './chat-membership.js';
import { checkPublicName } from './chat-input.js';
import { ImState } from './state.js';

/**
 * `/__emulator/chats…`: people acting in the client — creating a group, adding the bot
 * to a group, removing it — so an app sees the events it would see in production.
 */

/** A user by any id a person would type: open_id, user_id, union_id, email or mobile. */
export function findUserAnyId(ctx: EmulatorContext, id: string): UserRecord | undefined {
  for (const type of ['open_id', 'user_id', 'union_id', 'email', 'mobile'] as const) {
    const u = ctx.slice(DirectoryState).findUser(id, type);
    if (u) return u;
  }
  return undefined;
}

const createSchema = z
  .object({
    name: z.string().optional(),
    description: z.string().optional(),
    members: z.array(z.string()).max(5000).optional(),
    /** Who creates the group (default Alice). */
    owner: z.string().optional(),
    /** Add the app's bot (default true). */
    bot: z.boolean().optional(),
    app_id: z.string().optional(),
    chat_type: z.enum(['private', 'public']).optional(),
  })
  .strict();

const botSchema = z.object({ operator: z.string().optional(), app_id: z.string().optional() }).strict();

function parse<T>(schema: z.ZodType<T>, body: unknown): { ok: true; value: T } | { ok: false; error: unknown } {
  const r = schema.safeParse(body ?? {});
  return r.success ? { ok: true, value: r.data } : { ok: false, error: { error: 'invalid body', issues: r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`) } };
}

export function registerChatControlRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const defaultOperator = () => {
    const dir = ctx.slice(DirectoryState);
    return dir.findUser('alice', 'user_id') ?? dir.users.find((u) => !u.resigned)!;
  };

  app.post('/__emulator/chats', async (request, reply) => {
    const p = parse(createSchema, request.body);
    if (!p.ok) return reply.status(400).send(p.error);
    const v = p.value;
    const owner = v.owner ? findUserAnyId(ctx, v.owner) : defaultOperator();
    if (!owner) return reply.status(400).send({ error: `no user ${v.owner}` });
    const members: string[] = [owner.open_id];
    for (const id of v.members ?? []) {
      const u = findUserAnyId(ctx, id);
      if (!u) return reply.status(400).send({ error: `no user ${id}` });
      if (!members.includes(u.open_id)) members.push(u.open_id);
    }
    const appId = v.app_id ?? ctx.slice(AuthState).defaultApp.appId;
    if (!ctx.slice(AuthState).apps.has(appId)) return reply.status(400).send({ error: `no app ${appId}` });
    const chatType = v.chat_type ?? 'private';
    if (chatType === 'public') {
      try {
        checkPublicName(v.name ?? '');
      } catch {
        return reply.status(400).send({ error: 'a public chat needs a name of at least 2 characters' });
      }
    }
    const now = ctx.clock.now();
    const chat = chatRecord(
      {
        chat_id: newId.chat(),
        name: v.name?.trim() ? v.name : '(无主题)',
        description: v.description ?? '',
        owner_id: owner.open_id,
        chat_type: chatType,
        tenant_key: ctx.slice(DirectoryState).tenantKey,
        members,
        bots: [],
        creator: owner.open_id,
      },
      now,
    );
    ctx.slice(ImState).chats.set(chat.chat_id, chat);
    if (v.bot ?? true) addBots(ctx, chat, [appId], { openId: owner.open_id });
    return chat;
  });

  const botRoute = (add: boolean) => async (request: FastifyRequest, reply: FastifyReply) => {
    const p = parse(botSchema, request.body);
    if (!p.ok) return reply.status(400).send(p.error);
    const chat = ctx.slice(ImState).chats.get((request.params as { chat_id: string }).chat_id);
    if (!chat) return reply.status(404).send({ error: 'no such chat' });
    if (chat.status === 'dissolved') return reply.status(409).send({ error: 'the chat was disbanded' });
    if (chat.chat_mode === 'p2p') return reply.status(409).send({ error: 'bots cannot be added to or removed from a p2p chat' });
    const appId = p.value.app_id ?? ctx.slice(AuthState).defaultApp.appId;
    if (!ctx.slice(AuthState).apps.has(appId)) return reply.status(400).send({ error: `no app ${appId}` });
    const ownerUser = chat.owner_id_type === 'open_id' ? ctx.slice(DirectoryState).findUser(chat.owner_id, 'open_id') : undefined;
    const operator = p.value.operator ? findUserAnyId(ctx, p.value.operator) : (ownerUser ?? defaultOperator());
    if (!operator) return reply.status(400).send({ error: `no user ${p.value.operator}` });
    if (!add && chat.owner_id_type === 'app' && chat.owner_id === appId) {
      return reply.status(409).send({ error: 'the bot owns this chat; transfer ownership first' });
    }
    const op = { openId: operator.open_id };
    const changed = add ? addBots(ctx, chat, [appId], op).length > 0 : removeBots(ctx, chat, [appId], op).length > 0;
    return { chat_id: chat.chat_id, app_id: appId, changed, bots: chat.bots };
  };
  app.post('/__emulator/chats/:chat_id/bot', botRoute(true));
  app.delete('/__emulator/chats/:chat_id/bot', botRoute(false));
}
