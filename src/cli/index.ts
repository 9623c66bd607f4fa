import { Command } from 'commander';
import { builtinCapabilities } from '../server/capabilities.js';
import type { Capability } from '../capability/index.js';
import { registerCardCommand } from './commands/card.js';
import { registerEmulatorCommand } from './commands/emulator.js';
import { registerServeCommand } from './commands/serve.js';
import { registerChatsCommand } from './commands/chats.js';
import { registerSendCommand } from './commands/send.js';
import { registerHistoryCommand } from './commands/history.js';
import { registerRecallCommand } from './commands/recall.js';
import { registerWebhookCommand } from './commands/webhook.js';
import { registerReceiveCommand } from './commands/receive.js';
import { registerDevCommand } from './commands/dev.js';
import { registerInitCommand } from './commands/init.js';
import { registerTestCommand } from './commands/test.js';
import { registerDoctorCommand } from '../doctor/index.js';

/** `feishu-hub`: one command per file in commands/, each registering itself on the program. */
export function buildProgram(capabilities: readonly Capability<any>[] = builtinCapabilities): Command {
  const program = new Command('feishu-hub')
    .description('The Feishu (Lark) integration hub: framework, service and local Feishu emulator')
    .version('0.1.0')
    .showHelpAfterError('(add --help for usage)');
  registerServeCommand(program);
  registerEmulatorCommand(program);
  registerCardCommand(program);
  registerChatsCommand(program);
  registerSendCommand(program);
  registerHistoryCommand(program);
  registerRecallCommand(program);
  registerWebhookCommand(program);
  registerReceiveCommand(program);
  registerDevCommand(program);
  registerInitCommand(program);
  registerTestCommand(program);
  registerDoctorCommand(program);
  // Each capability brings its own commands (`feishu-hub events …`, and those to come).
  for (const capability of capabilities) capability.cli?.({ program });
  return program;
}

const isMain = process.argv[1] && /feishu-hub(\.js)?$|cli[\\/]index\.ts$/.test(process.argv[1]);
if (isMain) {
  buildProgram()
    .parseAsync(process.argv)
    .catch((err: Error) => {
      console.error(`feishu-hub: ${err.message}`);
      process.exit(1);
    });
}
