import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context.js';
import { DirectoryState, initialsSvg } from '../directory/index.js';
import { CardActionError, UserActionError, userClicksCard, userSendsMessage } from '../events/index.js';
import type { ChatRecord } from '../types.js';
import { AuthState } from '../auth/index.js';
import { ImState } from '../im/index.js';
import { messageView, webState, type ViewQuery } from './view.js';

const sendBody = z
  .object({
    chat_id: z.string(),
    sender: z.string(),
    text: z.string().optional(),
    msg_type: z.string().optional(),
    content: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    parent_id: z.string().optional(),
  })
  .strict();

const actionBody = z
  .object({
    message_id: z.string(),
    operator: z.string(),
    action: z
      .object({
        tag: z.string().optional(),
        value: z.union([z.record(z.string(), z.unknown()), z.string()]).optional(),
        name: z.string().optional(),
        option: z.string().optional(),
        options: z.array(z.string()).optional(),
        form_value: z.record(z.string(), z.unknown()).optional(),
        input_value: z.string().optional(),
        checked: z.boolean().optional(),
        timezone: z.string().optional(),
      })
      .strict(),
  })
  .strict();

const invalid = (reply: FastifyReply, issues: z.core.$ZodIssue[]) =>
  reply.status(400).send({ error: 'invalid body', issues: issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`) });

/**
 * People type "@bot" in the composer; the platform's mention parser knows the bot by its
 * name or `@_bot`. Map a bare "@bot" to `@_bot` unless someone in the chat is really called "bot".
 */
export function addressBot(ctx: EmulatorContext, chat: ChatRecord, text: string): string {
  if (chat.bots.length === 0) return text;
  const named = [...chat.bots.map((id) => ctx.slice(AuthState).apps.get(id)?.botName), ...chat.members.map((id) => ctx.slice(DirectoryState).findUser(id)?.en_name)];
  if (named.some((n) => n?.toLowerCase() === 'bot')) return text;
  return text.replace(/(^|\s)@bot(?=$|[\s,.:;!?])/gi, '$1@_bot');
}

const PLACEHOLDER_SVG = (key: string) =>
  `<svg xmlns="http://www.w3.org/2000/svg" width="480" height="270" viewBox="0 0 480 270"><rect width="480" height="270" fill="#eff0f1"/>` +
  `<g fill="none" stroke="#bbbfc4" stroke-width="6" stroke-linejoin="round"><rect x="200" y="95" width="80" height="60" rx="6"/><path d="M204 150l24-26 18 18 12-10 20 18"/></g>` +
  `<circle cx="262" cy="113" r="7" fill="#bbbfc4"/><text x="240" y="190" font-family="sans-serif" font-size="14" fill="#8f959e" text-anchor="middle">${key.replace(/[<>&"']/g, '')}</text></svg>`;

/** `/__emulator/web/*`: the JSON the web client polls and posts to. Same entry points as the control API. */
export function registerWebApiRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get('/__emulator/web/state', async (req) => webState(ctx, req.query as ViewQuery));

  app.post('/__emulator/web/messages', async (req, reply) => {
    const p = sendBody.safeParse(req.body ?? {});
    if (!p.success) return invalid(reply, p.error.issues);
    const b = p.data;
    const chat = ctx.slice(ImState).chats.get(b.chat_id);
    if (!chat) return reply.status(404).send({ error: 'no such chat' });
    const sender = ctx.slice(DirectoryState).findUser(b.sender);
    if (!sender) return reply.status(400).send({ error: `no user with open_id ${b.sender}` });
    const parent = b.parent_id ? ctx.slice(ImState).messages.get(b.parent_id) : undefined;
    if (b.parent_id && !parent) return reply.status(400).send({ error: `no message ${b.parent_id}` });
    try {
      const text = b.text === undefined ? undefined : addressBot(ctx, chat, b.text);
      const { message, event_ids } = userSendsMessage(ctx, { chat, sender, text, msgType: b.msg_type, content: b.content, parent });
      return { message: messageView(ctx, message), event_ids };
    } catch (e) {
      if (e instanceof UserActionError) return reply.status(e.status).send({ error: e.message });
      throw e;
    }
  });

  app.post('/__emulator/web/actions', async (req, reply) => {
    const p = actionBody.safeParse(req.body ?? {});
    if (!p.success) return invalid(reply, p.error.issues);
    const message = ctx.slice(ImState).messages.get(p.data.message_id);
    if (!message) return reply.status(404).send({ error: 'no such message' });
    const operator = ctx.slice(DirectoryState).findUser(p.data.operator);
    if (!operator) return reply.status(400).send({ error: `no user with open_id ${p.data.operator}` });
    try {
      const result = await userClicksCard(ctx, message, operator, p.data.action);
      return { result, message: messageView(ctx, message) };
    } catch (e) {
      if (e instanceof CardActionError) return reply.status(e.status).send({ error: e.message });
      throw e;
    }
  });

  // Uploaded images and files, for <img> and download links. Images the emulator does not hold
  // (cards written offline with made-up keys) get a neutral placeholder instead of a broken icon.
  app.get('/__emulator/web/resources/:key', async (req, reply) => {
    const key = (req.params as { key: string }).key;
    const q = req.query as { placeholder?: string; download?: string };
    const u = ctx.slice(ImState).uploads.get(key);
    if (!u) {
      if (q.placeholder) return reply.type('image/svg+xml').header('x-emulator-placeholder', '1').send(PLACEHOLDER_SVG(key));
      return reply.status(404).send({ error: 'no such image or file' });
    }
    reply.type(u.content_type);
    if (q.download || u.kind === 'file') reply.header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(u.file_name ?? u.key)}`);
    return reply.send(u.data);
  });

  // Initials for anyone: bots (which have no contact avatar) and ids the directory does not know.
  app.get('/__emulator/web/avatar/:id', async (req, reply) => {
    const id = (req.params as { id: string }).id;
    const user = ctx.slice(DirectoryState).findUser(id);
    const name = ctx.slice(AuthState).apps.get(id)?.botName ?? (user ? user.en_name || user.name : undefined) ?? (req.query as { name?: string }).name ?? '?';
    return reply.type('image/svg+xml').header('cache-control', 'public, max-age=3600').send(initialsSvg(id, name, 80));
  });
}
