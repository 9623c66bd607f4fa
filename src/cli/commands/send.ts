import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { Message, Messenger, Recipient, SendOptions } from '../../bot/index.js';
import { runWithMessenger, UsageError, withClientOptions, type ClientFlags } from './_client.js';

interface SendFlags extends ClientFlags {
  chat?: string;
  user?: string;
  text?: string;
  card?: string;
  image?: string;
  file?: string;
  uuid?: string;
}

const CONTENT_FLAGS = ['text', 'card', 'image', 'file'] as const;

async function readCard(path: string): Promise<Record<string, unknown>> {
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (err) {
    throw new UsageError(`--card: cannot read ${path} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const card = JSON.parse(raw);
    if (!card || typeof card !== 'object' || Array.isArray(card)) throw new Error('not an object');
    return card;
  } catch (err) {
    throw new UsageError(`--card: ${path} is not a JSON object (${(err as Error).message})`);
  }
}

async function send(m: Messenger, to: Recipient, o: SendFlags): Promise<Message> {
  const options: SendOptions = { uuid: o.uuid };
  if (o.text !== undefined) return m.sendText(to, o.text.replace(/\\n/g, '\n'), options);
  if (o.card !== undefined) return m.sendCard(to, await readCard(o.card), options);
  if (o.image !== undefined) return m.sendImage(to, o.image, options);
  return m.sendFile(to, o.file!, options);
}

/** `feishu-hub send`: one message to a chat or a person. */
export function registerSendCommand(program: Command): void {
  withClientOptions(
    program
      .command('send')
      .description('Send a message (text, card, image or file) to a chat or a person')
      .option('--chat <chat_id>', 'the group chat, oc_…')
      .option('--user <id>', 'a person: open_id (ou_…), union_id (on_…), email, or user_id')
      .option('--text <text>', 'a text message (\\n for new lines, <at user_id="ou_…">Name</at> to mention)')
      .option('--card <file.json>', 'an interactive card: card JSON, or {"template_id","version","variables"}')
      .option('--image <path>', 'an image file to upload and send')
      .option('--file <path>', 'a file to upload and send')
      .option('--uuid <key>', 'deduplication key: the same key sends at most one message per hour'),
  )
    .addHelpText(
      'after',
      '\nExamples:\n  feishu-hub send --chat oc_123 --text "deploy done"\n  feishu-hub send --user alice@example.com --card card.json\n  feishu-hub send --chat oc_123 --image chart.png --json',
    )
    .action((opts: SendFlags) =>
      runWithMessenger(opts, async (m) => {
        if (Boolean(opts.chat) === Boolean(opts.user)) throw new UsageError('say who to send to: exactly one of --chat <chat_id> or --user <open_id|email>');
        const given = CONTENT_FLAGS.filter((k) => opts[k] !== undefined);
        if (given.length !== 1) throw new UsageError('say what to send: exactly one of --text, --card, --image, --file');
        if (opts.chat && !opts.chat.startsWith('oc_')) throw new UsageError(`--chat takes a chat id (oc_…); for a person use --user (got ${opts.chat})`);
        const to: Recipient = opts.chat ? { chat_id: opts.chat } : opts.user!;
        const msg = await send(m, to, opts);
        if (opts.json) console.log(JSON.stringify(msg, null, 2));
        else console.log(`Sent ${msg.msg_type} message ${msg.message_id} to ${opts.chat ?? opts.user} (chat ${msg.chat_id}).`);
      }),
    );
}
