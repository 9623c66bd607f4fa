import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context.js';
import { ApiError } from '../errors.js';
import { newId } from '../ids.js';
import type { ChatRecord, MessageRecord } from '../types.js';
import { AuthState } from '../auth/index.js';
import { DirectoryState } from '../directory/index.js';
import { chatRecord, ImState, insertMessage, validateCard } from '../im/index.js';

export const PREVIEW_CHAT_NAME = 'Card preview';

const previewBody = z
  .object({
    card: z.union([z.string(), z.record(z.string(), z.unknown())]),
    app_id: z.string().optional(),
  })
  .strict();

/** The group where previewed cards land: every seeded user and the app's bot, created on first use. */
function previewChat(ctx: EmulatorContext, appId: string): ChatRecord {
  for (const c of ctx.slice(ImState).chats.values()) {
    if (c.name === PREVIEW_CHAT_NAME && c.status === 'normal' && c.bots.includes(appId)) return c;
  }
  const now = ctx.clock.now();
  const members = ctx.slice(DirectoryState).users.filter((u) => !u.resigned).map((u) => u.open_id);
  const chat = chatRecord(
    {
      chat_id: newId.chat(),
      name: PREVIEW_CHAT_NAME,
      description: 'Cards shown with feishu-hub card preview',
      owner_id: members[0] ?? '',
      tenant_key: ctx.slice(DirectoryState).tenantKey,
      members,
      bots: [appId],
      creator: appId,
    },
    now,
  );
  ctx.slice(ImState).chats.set(chat.chat_id, chat);
  return chat;
}

export interface CardPreview {
  url: string;
  chat_id: string;
  message_id: string;
  /** Set when sending this card through the API would be refused; the preview still renders it. */
  platform_error?: { code: number; msg: string };
}

/**
 * Shows a card in the web client without an app sending it: stored as the bot's message in the
 * "Card preview" chat (no event is pushed), with a link that opens the client on it.
 */
export function previewCard(ctx: EmulatorContext, card: Record<string, unknown>, appId = ctx.slice(AuthState).defaultApp.appId): CardPreview {
  const app = ctx.slice(AuthState).apps.get(appId);
  if (!app) throw new Error(`no app ${appId}`);
  const chat = previewChat(ctx, appId);
  const message: MessageRecord = insertMessage(ctx, {
    chat,
    sender: { id: app.appId, id_type: 'app_id', sender_type: 'app', tenant_key: chat.tenant_key },
    msgType: 'interactive',
    content: JSON.stringify(card),
  });
  let platform_error: CardPreview['platform_error'];
  try {
    validateCard(ctx, card);
  } catch (e) {
    if (!(e instanceof ApiError)) throw e;
    platform_error = { code: e.code, msg: e.message };
  }
  return {
    url: `${ctx.baseUrl()}/#chat=${chat.chat_id}&message=${message.message_id}`,
    chat_id: chat.chat_id,
    message_id: message.message_id,
    ...(platform_error ? { platform_error } : {}),
  };
}

/** `POST /__emulator/cards/preview {card, app_id?}` → `{url, chat_id, message_id, platform_error?}`. */
export function registerCardPreviewRoute(app: FastifyInstance, ctx: EmulatorContext): void {
  app.post('/__emulator/cards/preview', async (req, reply) => {
    const p = previewBody.safeParse(req.body ?? {});
    if (!p.success) return reply.status(400).send({ error: 'invalid body', issues: p.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`) });
    let card: unknown = p.data.card;
    if (typeof card === 'string') {
      try {
        card = JSON.parse(card);
      } catch {
        return reply.status(400).send({ error: 'card is not valid JSON' });
      }
    }
    if (!card || typeof card !== 'object' || Array.isArray(card)) return reply.status(400).send({ error: 'card must be a JSON object' });
    const appId = p.data.app_id ?? ctx.slice(AuthState).defaultApp.appId;
    if (!ctx.slice(AuthState).apps.has(appId)) return reply.status(404).send({ error: `no app ${appId}` });
    return previewCard(ctx, card as Record<string, unknown>, appId);
  });
}
