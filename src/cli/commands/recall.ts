import type { Command } from 'commander';
import { runWithMessenger, withClientOptions, type ClientFlags } from './_client.js';

/** `feishu-hub recall <message_id>`: recalls a message the bot sent. */
export function registerRecallCommand(program: Command): void {
  withClientOptions(program.command('recall').description('Recall (delete) a message the bot sent').argument('<message_id>', 'the message, om_…'))
    .addHelpText('after', '\nExamples:\n  feishu-hub recall om_dc13264520392913993dd051dba21dcf')
    .action((messageId: string, opts: ClientFlags) =>
      runWithMessenger(opts, async (m) => {
        await m.recall(messageId);
        if (opts.json) console.log(JSON.stringify({ recalled: messageId }));
        else console.log(`Recalled ${messageId}.`);
      }),
    );
}
