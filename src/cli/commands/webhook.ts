import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { WebhookBot } from '../../bot/index.js';
import { printError, UsageError } from './_client.js';

interface WebhookFlags {
  secret?: string;
  keyword?: string[];
  text?: string;
  card?: string;
  json?: boolean;
}

/** `feishu-hub webhook <url>`: posts through a custom group bot (no app needed). */
export function registerWebhookCommand(program: Command): void {
  program
    .command('webhook')
    .description('Send a message through a custom group bot (incoming webhook); no app credentials needed')
    .argument('<url>', 'the bot webhook URL, https://open.feishu.cn/open-apis/bot/v2/hook/…')
    .option('--secret <secret>', 'the signing secret, if signature verification is on (or FEISHU_WEBHOOK_SECRET)')
    .option('--keyword <word...>', "the bot's custom keywords: refuse a message without one before sending")
    .option('--text <text>', 'a text message (<at user_id="all"></at> mentions everyone)')
    .option('--card <file.json>', 'an interactive card (JSON file)')
    .option('--json', 'print JSON (for scripts)')
    .addHelpText('after', '\nExamples:\n  feishu-hub webhook https://open.feishu.cn/open-apis/bot/v2/hook/xxxx --text "build is green"\n  FEISHU_WEBHOOK_SECRET=… feishu-hub webhook $HOOK --card alert.json')
    .action(async (url: string, opts: WebhookFlags) => {
      try {
        if ((opts.text === undefined) === (opts.card === undefined)) throw new UsageError('say what to send: exactly one of --text or --card');
        const bot = new WebhookBot({ url, secret: opts.secret ?? process.env.FEISHU_WEBHOOK_SECRET, keywords: opts.keyword });
        if (opts.text !== undefined) await bot.text(opts.text.replace(/\\n/g, '\n'));
        else await bot.card(JSON.parse(await readFile(opts.card!, 'utf8')));
        if (opts.json) console.log(JSON.stringify({ sent: true }));
        else console.log('Sent through the custom bot.');
      } catch (err) {
        printError(err, opts.json);
        process.exitCode = 1;
      }
    });
}
