/** Bots: send and manage messages, chats and members; custom group-bot webhooks. */
export { Messenger, uuidFrom, type Message, type SendOptions, type HistoryOptions } from './messenger.js';
export { Chats, type ChatSummary, type ChatMember, type CreateChatOptions, type MemberIdType } from './chats.js';
export { text, mention, mentionAll, image, file, shareChat, card, post, node, PostBuilder, type MessageContent, type CardTemplate, type PostNode } from './content.js';
export { resolveRecipient, type Recipient, type ReceiveIdType } from './recipient.js';
export { fileTypeOf, type UploadSource, type FileType } from './upload.js';
export { WebhookBot, webhookSign, webhookBody, type WebhookBotOptions } from './webhook.js';
export { botCapability, type BotState, type CommandInfo } from './capability.js';
export type { BotConfig } from './config.js';
export type { MessageContext, CommandContext, Sender } from './context.js';
export { replyTo, sayIn, type Reply, type CardInput, type ReplyOptions } from './reply.js';
