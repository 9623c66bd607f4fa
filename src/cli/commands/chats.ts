import type { Command } from 'commander';
import type { ChatSummary } from '../../bot/index.js';
import { printTable, runWithMessenger, withClientOptions, type ClientFlags } from './_client.js';

/** `feishu-hub chats`: the groups the bot is in (or those matching --query). */
export function registerChatsCommand(program: Command): void {
  withClientOptions(
    program
      .command('chats')
      .description('List the group chats the bot is in')
      .option('-q, --query <text>', 'only chats whose name or members match'),
  )
    .addHelpText('after', '\nExamples:\n  feishu-hub chats\n  feishu-hub chats --query oncall --json\n  feishu-hub chats --emulator http://127.0.0.1:9000')
    .action((opts: ClientFlags & { query?: string }) =>
      runWithMessenger(opts, async (m) => {
        const chats: ChatSummary[] = [];
        for await (const c of opts.query ? m.chats.search(opts.query) : m.chats.list()) chats.push(c);
        if (opts.json) return console.log(JSON.stringify(chats, null, 2));
        if (chats.length === 0) return console.log(opts.query ? `No chats match "${opts.query}".` : 'The bot is in no group chats yet (add it to a group first).');
        printTable(
          ['CHAT ID', 'NAME', 'STATUS', 'DESCRIPTION'],
          chats.map((c) => [c.chat_id, c.name ?? '', c.chat_status ?? '', c.description ?? '']),
        );
      }),
    );
}
