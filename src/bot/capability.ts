import { defineCapability, type Listener } from '../capability/index.js';
import { registerBuiltins } from './builtins.js';
import { botConfigSchema } from './config.js';
import { messageContext, type CommandContext, type MessageContext } from './context.js';
import { tellUserOfFailure } from './failure-notice.js';
import { Messenger } from './messenger.js';
import { botScopes } from './scopes.js';

export interface CommandInfo {
  name: string;
  description?: string;
}

declare module '../capability/index.js' {
  interface HubExtensions {
    /** Send and manage messages and chats as the bot. */
    readonly messenger: Messenger;
    /** Received messages whose text matches (a substring, or a RegExp whose match is in `ctx.match`). */
    message(pattern: string | RegExp, listener: Listener<MessageContext>): this;
    /** `/name args…` in p2p, or after @bot in a group. */
    command(name: string, listener: Listener<CommandContext>, options?: { description?: string }): this;
    /** Registered commands, for /help. */
    listCommands(): CommandInfo[];
  }
}

/** Who the bot is, learned at start (to tell @bot mentions from others, and its own chats). */
export interface BotState {
  openId?: string;
  name?: string;
}

const isMessage = (ctx: { type: string }): ctx is MessageContext => ctx.type === 'im.message.receive_v1' && 'message' in ctx;

/**
 * Messaging and commands: `hub.messenger`, `hub.message`, `hub.command`, the message context
 * (`reply`, `say`, parsed text and mentions), /help and /ping, the welcome, and a user who is
 * always told when something failed (in the chat, else in p2p).
 */
export const botCapability = defineCapability({
  name: 'bot',
  scopes: botScopes,
  after: ['platform'],
  config: { schema: botConfigSchema },
  setup(ctx) {
    const { hub, platform, logger, decorate, on, extendContext, onUnhandled, onFailure, onStart, metrics } = ctx;
    const messenger = new Messenger(platform);
    const bot: BotState = {};
    const commands = new Map<string, CommandInfo>();

    decorate({
      messenger,
      message(this: typeof hub, pattern: string | RegExp, listener: Listener<MessageContext>) {
        const test = (text: string) => (typeof pattern === 'string' ? (text.includes(pattern) ? ([pattern] as RegExpMatchArray) : null) : text.match(pattern));
        on(
          (c) => isMessage(c) && test(c.text) !== null,
          (c) => listener({ ...(c as MessageContext), match: test((c as MessageContext).text) ?? undefined }),
          `message ${String(pattern)}`,
        );
        return hub;
      },
      command(name: string, listener: Listener<CommandContext>, options: { description?: string } = {}) {
        const key = name.replace(/^\//, '').toLowerCase();
        commands.set(key, { name: `/${key}`, description: options.description });
        on(
          (c) => isMessage(c) && c.commandLine?.name === key,
          (c) => {
            const m = c as MessageContext;
            return listener({ ...m, command: key, args: m.commandLine!.args, rest: m.commandLine!.rest });
          },
          `/${key}`,
        );
        return hub;
      },
      listCommands: () => [...commands.values()].sort((a, b) => a.name.localeCompare(b.name)),
    });

    extendContext((c) => {
      // Store apps answer with the token of the tenant the event came from (self-built apps ignore the key).
      const withMessenger = { ...c, messenger: c.tenantKey ? messenger.forTenant(c.tenantKey) : messenger };
      return c.type === 'im.message.receive_v1' ? (messageContext(withMessenger, bot.openId) ?? withMessenger) : withMessenger;
    });

    onUnhandled(async (c) => {
      if (!isMessage(c) || !c.commandLine || !(c.message.chatType === 'p2p' || c.mentionsBot)) return;
      await c.reply.text(`I don't know /${c.commandLine.name}. Type /help to see what I can do.`);
    });

    const notice = tellUserOfFailure(metrics);
    onFailure((c) => (isMessage(c) ? notice(c) : undefined));

    onStart(async () => {
      try {
        const res = await platform.request<{ bot?: { open_id?: string; app_name?: string } }>({ method: 'GET', url: '/open-apis/bot/v3/info' });
        bot.openId = res.bot?.open_id;
        bot.name = res.bot?.app_name;
      } catch (err) {
        logger.warn({ err }, 'could not read the bot identity (GET /open-apis/bot/v3/info); @bot mentions will not be recognised');
      }
    });

    registerBuiltins(ctx, bot);
  },
});
