import type { Hub } from './hub.js';
import { sayIn } from './reply.js';

export interface BuiltinOptions {
  /** `/help` and `/ping` (default true). */
  builtins?: boolean;
  /** Posted when the bot is added to a group; false for none. */
  welcome?: string | false;
}

/** The commands every hub answers, and the welcome message when the bot joins a group. */
export function registerBuiltins(hub: Hub, options: BuiltinOptions): void {
  if (options.builtins !== false) {
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
  if (options.welcome !== false) {
    hub.event<{ chat_id?: string; name?: string }>('im.chat.member.bot.added_v1', async (ctx) => {
      if (!ctx.event.chat_id) return;
      const text = typeof options.welcome === 'string' ? options.welcome : `Hi! I'm ${hub.botName ?? 'the bot'}. Type /help to see what I can do.`;
      await sayIn(ctx.messenger, ctx.event.chat_id, ctx.eventId, 'welcome').text(text);
    });
  }
}
