import type { Command } from 'commander';
import type { Message } from '../../bot/index.js';
import { Names } from '../names.js';
import { parseCount, parseSince, printTable, runWithMessenger, withClientOptions, type ClientFlags } from './_client.js';

interface HistoryFlags extends ClientFlags {
  since?: string;
  until?: string;
  limit: string;
}

/** A one-line, human summary of a message's content. */
export function summarize(m: Message): string {
  if (m.deleted) return '(recalled)';
  let c: Record<string, any> = {};
  try {
    c = JSON.parse(m.body?.content ?? '{}');
  } catch {
    return m.body?.content ?? '';
  }
  const names = new Map((m.mentions ?? []).map((x) => [x.key, `@${x.name}`]));
  const withNames = (s: string) => s.replace(/@_user_\d+/g, (k) => names.get(k) ?? k);
  switch (m.msg_type) {
    case 'text':
      return withNames(String(c.text ?? ''));
    case 'post': {
      const words = (c.content ?? []).flat().map((n: any) => n?.text ?? (n?.tag === 'at' ? `@${n.user_name ?? n.user_id}` : '')).join('');
      return withNames([c.title, words].filter(Boolean).join(' — '));
    }
    case 'image':
      return `[image ${c.image_key ?? ''}]`;
    case 'file':
      return `[file ${c.file_name ?? c.file_key ?? ''}]`;
    case 'interactive':
      return `[card${c.title ? ` ${c.title}` : ''}]`;
    case 'share_chat':
      return `[chat ${c.chat_id ?? ''}]`;
    default:
      return `[${m.msg_type}]`;
  }
}

/**
 * Who sent each message, for people: a person's name (contact API; names from mentions are reused), the
 * app's bot as "<bot name> (bot)"; an id that cannot be resolved is shown as `user ou_…` / `bot cli_…`.
 */
export async function senderNames(names: Names, messages: Message[]): Promise<string[]> {
  for (const msg of messages) for (const x of msg.mentions ?? []) if (x.id_type === 'open_id' || x.id.startsWith('ou_')) names.remember(x.id, x.name);
  await names.load(messages.filter((msg) => msg.sender?.sender_type === 'user' && msg.sender.id_type === 'open_id').map((msg) => msg.sender!.id));
  return Promise.all(
    messages.map(async (msg) => {
      const s = msg.sender;
      if (!s) return '';
      if (s.sender_type === 'app') {
        const bot = await names.bot(s.id);
        return bot ? `${bot} (bot)` : `bot ${s.id}`;
      }
      return names.user(s.id) ?? `${s.sender_type === 'user' ? 'user' : s.sender_type} ${s.id}`;
    }),
  );
}

/** `feishu-hub history <chat_id>`: the latest messages of a chat, oldest first. */
export function registerHistoryCommand(program: Command): void {
  withClientOptions(
    program
      .command('history')
      .description('Show the latest messages of a chat (oldest first)')
      .argument('<chat_id>', 'the chat, oc_…')
      .option('--since <time>', 'from this time: ISO (2026-01-31T09:00:00Z) or a duration back from now (30m, 2h, 1d)')
      .option('--until <time>', 'up to this time (same formats)')
      .option('-n, --limit <n>', 'at most this many messages (the latest ones)', '20'),
  )
    .addHelpText(
      'after',
      '\nSENDER shows names (people through the contact API, the bot by its name); an id that cannot be resolved is shown as is. --json keeps the ids.\n\nExamples:\n  feishu-hub history oc_123\n  feishu-hub history oc_123 --since 1h --limit 50 --json',
    )
    .action((chatId: string, opts: HistoryFlags) =>
      runWithMessenger(opts, async (m) => {
        const limit = parseCount(opts.limit, '--limit');
        const since = opts.since ? parseSince(opts.since) : undefined;
        const until = opts.until ? parseSince(opts.until, '--until') : undefined;
        const latest: Message[] = [];
        for await (const msg of m.history(chatId, { since, until, sort: 'desc', limit, pageSize: Math.min(50, limit) })) latest.push(msg);
        latest.reverse();
        if (opts.json) return console.log(JSON.stringify(latest, null, 2)); // ids as the API gives them
        if (latest.length === 0) return console.log('No messages in that range.');
        const senders = await senderNames(new Names(m.platform), latest);
        printTable(
          ['TIME', 'SENDER', 'MESSAGE ID', 'CONTENT'],
          latest.map((msg, i) => [new Date(Number(msg.create_time)).toISOString().replace('T', ' ').slice(0, 19), senders[i], msg.message_id, summarize(msg)]),
          80,
        );
      }),
    );
}
