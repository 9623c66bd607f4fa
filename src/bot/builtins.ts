import type { SetupContext } from '../capability/index.js';
import type { BotConfig } from './config.js';
import type { BotState } from './capability.js';
import { sayIn } from './reply.js';

/** The commands every hub answers, and the welcome message when someone adds the bot to a group. */
export function registerBuiltins(ctx: SetupContext<BotConfig>, bot: BotState): void {
  const { config, hub } = ctx;
  if (config.builtins) {
    hub.command(
      '/help',
      ({ reply }) => {
        const lines = hub.listCommands().map((c) => `${c.name}${c.description ? ` — ${c.description}` : ''}`);
        return reply.text(`Commands:\n${lines.join('\n')}`);
      },
      { description: 'list the commands I answer' },
    );
    hub.command('/ping', ({ reply }) => reply.text('pong'), { description: 'check that I am alive' });
  }
  if (config.welcome === false) return;
  hub.event<{ chat_id?: string; operator_id?: { open_id?: string } }>('im.chat.member.bot.added_v1', async (event) => {
    if (!event.event.chat_id) return;
    // A chat the bot created itself (a war room, a project chat) needs no introduction.
    if (bot.openId && event.event.operator_id?.open_id === bot.openId) {
      event.logger.debug({ chat_id: event.event.chat_id }, 'the bot created this chat itself; no welcome');
      return;
    }
    const text = typeof config.welcome === 'string' ? config.welcome : `Hi! I'm ${bot.name ?? 'the bot'}. Type /help to see what I can do.`;
    await sayIn(event.messenger, event.event.chat_id, event.eventId, 'welcome').text(text);
  });
}
