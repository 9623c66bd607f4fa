import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context.js';
import { ImState, insertMessage } from '../im/index.js';
import type { ChatRecord, MessageRecord, UserRecord } from '../types.js';
import { AuthState } from '../auth/index.js';
import { DirectoryState } from '../directory/index.js';
import { mentionables, parseMentions, type ParsedMention } from './mentions.js';

const USER_AGENT = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Lark/7.30.0 LarkLocale/en_US feishu-hub-emulator';

export interface UserMessageInput {
  chat: ChatRecord;
  sender: UserRecord;
  /** For text messages; `@Name`, `@_bot` and `<at user_id="…">` become mentions. */
  text?: string;
  msgType?: string;
  /** Send-side content of other message types (object or JSON string). */
  content?: unknown;
  parent?: MessageRecord;
}

/** A refused user action, answered as 4xx JSON by the control API. */
export class UserActionError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

/** Post content: send side has a locale wrapper and `at` nodes with real ids; receive side has neither. */
function postForReceive(content: Record<string, unknown>, mentionOf: (id: string) => ParsedMention | undefined) {
  const localized = ['zh_cn', 'en_us', 'ja_jp'].map((k) => content[k]).find((v) => v && typeof v === 'object') as Record<string, unknown> | undefined;
  const body = localized ?? content;
  const paragraphs = Array.isArray(body.content) ? (body.content as unknown[][]) : [];
  return {
    title: body.title ?? '',
    content: paragraphs.map((p) =>
      (Array.isArray(p) ? p : []).map((node) => {
        const n = node as Record<string, unknown>;
        if (n?.tag !== 'at' || typeof n.user_id !== 'string') return n;
        const m = mentionOf(n.user_id);
        return m ? { tag: 'at', user_id: m.key, user_name: m.who.name } : { tag: 'at', user_id: n.user_id === 'all' ? '@_all' : n.user_id, user_name: '' };
      }),
    ),
  };
}

/**
 * A user writes in a chat: the message is stored like any other and every bot in the chat
 * gets `im.message.receive_v1` (group messages too, with the mentions, as with the
 * im:message.group_msg scope). The single entry point for the control API and the web client.
 */
export function userSendsMessage(ctx: EmulatorContext, input: UserMessageInput): { message: MessageRecord; event_ids: string[] } {
  const { chat, sender } = input;
  if (chat.status !== 'normal') throw new UserActionError(400, `chat ${chat.chat_id} is dissolved`);
  if (!chat.members.includes(sender.open_id)) throw new UserActionError(400, `${sender.open_id} is not a member of chat ${chat.chat_id}`);
  if (sender.resigned) throw new UserActionError(400, `${sender.open_id} has resigned`);
  if (input.parent && input.parent.chat_id !== chat.chat_id) throw new UserActionError(400, `message ${input.parent.message_id} is not in chat ${chat.chat_id}`);
  const msgType = input.msgType ?? 'text';
  const targets = mentionables(ctx, chat);
  let sendContent: Record<string, unknown>;
  let receiveContent: Record<string, unknown>;
  let mentions: ParsedMention[] = [];
  if (msgType === 'text') {
    const text = input.text ?? (input.content as { text?: string } | undefined)?.text;
    if (typeof text !== 'string' || text === '') throw new UserActionError(400, 'text is required');
    const parsed = parseMentions(text, targets);
    mentions = parsed.mentions;
    sendContent = { text: parsed.sendText };
    receiveContent = { text: parsed.receiveText };
  } else {
    let c = input.content;
    if (typeof c === 'string') {
      try {
        c = JSON.parse(c);
      } catch {
        throw new UserActionError(400, 'content must be JSON');
      }
    }
    if (!c || typeof c !== 'object') throw new UserActionError(400, `content is required for msg_type ${msgType}`);
    sendContent = c as Record<string, unknown>;
    receiveContent = sendContent;
    if (msgType === 'post') {
      const keyed = new Map<string, ParsedMention>();
      receiveContent = postForReceive(sendContent, (id) => {
        const who = targets.find((t) => t.open_id === id || t.union_id === id || (t.user_id !== '' && t.user_id === id));
        if (!who) return undefined;
        if (!keyed.has(id)) keyed.set(id, { key: `@_user_${keyed.size + 1}`, who });
        return keyed.get(id);
      });
      mentions = [...keyed.values()];
    }
  }

  const message = insertMessage(ctx, {
    chat,
    sender: { id: sender.open_id, id_type: 'open_id', sender_type: 'user', tenant_key: sender.tenant_key },
    msgType,
    content: JSON.stringify(sendContent),
    mentions: mentions.map((m) => ({ key: m.key, id: m.who.open_id, id_type: 'open_id', name: m.who.name, tenant_key: m.who.tenant_key })),
    parent: input.parent,
  });

  const event = {
    sender: {
      sender_id: { union_id: sender.union_id, user_id: sender.user_id, open_id: sender.open_id },
      sender_type: 'user',
      tenant_key: sender.tenant_key,
    },
    message: {
      message_id: message.message_id,
      ...(message.root_id ? { root_id: message.root_id } : {}),
      ...(message.parent_id ? { parent_id: message.parent_id } : {}),
      create_time: String(message.create_time),
      update_time: String(message.update_time),
      chat_id: chat.chat_id,
      ...(message.thread_id ? { thread_id: message.thread_id } : {}),
      chat_type: chat.chat_mode === 'p2p' ? 'p2p' : 'group',
      message_type: msgType,
      content: JSON.stringify(receiveContent),
      ...(mentions.length
        ? { mentions: mentions.map((m) => ({ key: m.key, id: { union_id: m.who.union_id, user_id: m.who.user_id, open_id: m.who.open_id }, name: m.who.name, tenant_key: m.who.tenant_key })) }
        : {}),
      user_agent: USER_AGENT,
    },
  };
  const event_ids: string[] = [];
  for (const appId of chat.bots) {
    if (!ctx.slice(AuthState).apps.has(appId)) continue;
    event_ids.push(ctx.events.publish(appId, 'im.message.receive_v1', event, { tenantKey: chat.tenant_key }));
  }
  return { message, event_ids };
}

const messageBody = z
  .object({
    text: z.string().optional(),
    msg_type: z.string().optional(),
    content: z.union([z.string(), z.record(z.string(), z.unknown())]).optional(),
    parent_id: z.string().optional(),
  })
  .strict();

function fail(reply: FastifyReply, status: number, error: string, issues?: string[]) {
  return reply.status(status).send(issues ? { error, issues } : { error });
}

/** `/__emulator/chats/:chat_id/messages` and `/__emulator/users/:open_id/messages`: users write. */
export function registerUserMessageRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const send = (reply: FastifyReply, chat: ChatRecord, sender: UserRecord, b: z.infer<typeof messageBody>) => {
    const parent = b.parent_id ? ctx.slice(ImState).messages.get(b.parent_id) : undefined;
    if (b.parent_id && !parent) return fail(reply, 400, `no message ${b.parent_id}`);
    try {
      const { message, event_ids } = userSendsMessage(ctx, { chat, sender, text: b.text, msgType: b.msg_type, content: b.content, parent });
      return { message_id: message.message_id, chat_id: chat.chat_id, event_ids };
    } catch (e) {
      if (e instanceof UserActionError) return fail(reply, e.status, e.message);
      throw e;
    }
  };

  app.post('/__emulator/chats/:chat_id/messages', async (req, reply) => {
    const p = messageBody.extend({ sender: z.string() }).strict().safeParse(req.body ?? {});
    if (!p.success) return fail(reply, 400, 'invalid body', p.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`));
    const chat = ctx.slice(ImState).chats.get((req.params as { chat_id: string }).chat_id);
    if (!chat) return fail(reply, 404, 'no such chat');
    const sender = ctx.slice(DirectoryState).findUser(p.data.sender);
    if (!sender) return fail(reply, 400, `no user with open_id ${p.data.sender}`);
    return send(reply, chat, sender, p.data);
  });

  app.post('/__emulator/users/:open_id/messages', async (req, reply) => {
    const p = messageBody.extend({ app_id: z.string().optional() }).strict().safeParse(req.body ?? {});
    if (!p.success) return fail(reply, 400, 'invalid body', p.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`));
    const user = ctx.slice(DirectoryState).findUser((req.params as { open_id: string }).open_id);
    if (!user) return fail(reply, 404, 'no such user');
    const appId = p.data.app_id ?? ctx.slice(AuthState).defaultApp.appId;
    if (!ctx.slice(AuthState).apps.has(appId)) return fail(reply, 404, `no app ${appId}`);
    const { app_id: _ignored, ...rest } = p.data;
    return send(reply, ctx.slice(ImState).p2pChat(appId, user), user, rest);
  });
}
