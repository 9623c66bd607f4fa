import type { Command } from 'commander';
import { ConfigError, loadConfig, type HubConfig } from '../../config/index.js';
import { startHub } from '../../sandbox/index.js';

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the hub (with no FEISHU_APP_ID: against the built-in local Feishu, in sandbox mode)')
    .option('-p, --port <port>', 'port of the hub (HUB_PORT)')
    .addHelpText('after', '\nConfiguration comes from the environment and feishu-hub.yaml; see the README table.')
    .action(async (o) => {
      let config: HubConfig;
      try {
        config = loadConfig({ overrides: o.port ? { HUB_PORT: o.port } : {} });
      } catch (err) {
        if (err instanceof ConfigError) {
          console.error(err.message);
          process.exit(2);
        }
        throw err;
      }
      const running = await startHub(config);
      const url = running.hub.url!;
      console.log(`feishu-hub listening on ${url}  (events: ${url}/webhook/event, cards: ${url}/webhook/card, health: ${url}/healthz)`);
      if (running.emulator) {
        const demo = [...running.emulator.state.chats.values()].find((c) => c.name === 'feishu-hub demo');
        console.log(`Sandbox: no FEISHU_APP_ID set, so the hub runs against the built-in local Feishu.`);
        console.log(`  local Feishu   ${running.emulator.url}/   (open it in a browser)`);
        if (demo) {
          const alice = running.emulator.state.users[0];
          console.log(`  try it         curl -X POST ${running.emulator.url}/__emulator/chats/${demo.chat_id}/messages \\`);
          console.log(`                   -H 'content-type: application/json' -d '{"sender":"${alice.open_id}","text":"@_bot /help"}'`);
        }
      }
      const stop = async () => {
        await running.stop();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
