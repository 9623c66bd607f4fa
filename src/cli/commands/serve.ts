import { Option, type Command } from 'commander';
import { ConfigError, loadConfig, type HubConfig } from '../../config/index.js';
import { PortInUseError, startHub, type RunningHub } from '../../sandbox/index.js';
import { AppModuleError, loadAppModule, shown, type AppDefinition } from '../app-module.js';
import { handleShutdown } from '../shutdown.js';

/** Exit codes `feishu-hub dev` reads to tell a setting problem (no use restarting) from an app error. */
export const EXIT = { appError: 1, config: 2, port: 3 } as const;

export interface ServeOptions {
  port?: string;
  /** A module whose default export is the app (a function of the hub, or a capability). */
  app?: string;
  /** Set by `feishu-hub dev` on restarts: print only the listening line (the rest has not changed). */
  restarted?: boolean;
  /** Set by `feishu-hub dev`: the local Feishu it keeps running across restarts (sandbox mode). */
  emulatorUrl?: string;
}

/** Prints one line (no stack) for problems of ours, the whole error for the app's own, and exits. */
function fail(err: unknown): never {
  if (err instanceof ConfigError) {
    console.error(err.message);
    process.exit(EXIT.config);
  }
  if (err instanceof PortInUseError) {
    console.error(`feishu-hub: ${err.message}`);
    process.exit(EXIT.port);
  }
  if (err instanceof AppModuleError) {
    console.error(`feishu-hub: ${err.message}`);
    process.exit(EXIT.appError);
  }
  console.error('feishu-hub: the app failed to start:');
  console.error(err);
  process.exit(EXIT.appError);
}

/** The lines `serve` prints once the hub listens (and in sandbox mode, where the local Feishu is). */
async function printBanner(running: RunningHub, app?: string, brief = false): Promise<void> {
  const url = running.hub.url!;
  console.log(`feishu-hub listening on ${url}  (events: ${url}/webhook/event, cards: ${url}/webhook/card, health: ${url}/healthz)${app ? `  app: ${app}` : ''}`);
  const emulatorUrl = running.emulatorUrl;
  if (!emulatorUrl || brief) return;
  // The local Feishu may run in this process or in `feishu-hub dev`'s: ask it, as a browser would.
  const state = running.emulator
    ? { chats: [...running.emulator.state.chats.values()], users: running.emulator.state.users }
    : ((await fetch(`${emulatorUrl}/__emulator/state`).then((r) => r.json()).catch(() => ({}))) as { chats?: { name: string; chat_id: string }[]; users?: { open_id: string }[] });
  const demo = state.chats?.find((c) => c.name === 'feishu-hub demo');
  console.log(`Sandbox: no FEISHU_APP_ID set, so the hub runs against the built-in local Feishu.`);
  console.log(`  local Feishu   ${emulatorUrl}/   (open it in a browser)`);
  const alice = state.users?.[0];
  if (demo && alice) {
    console.log(`  try it         curl -X POST ${emulatorUrl}/__emulator/chats/${demo.chat_id}/messages \\`);
    console.log(`                   -H 'content-type: application/json' -d '{"sender":"${alice.open_id}","text":"@_bot /help"}'`);
  }
  for (const c of running.hub.capabilities) for (const line of c.sandbox?.hint?.({ hubUrl: url, emulatorUrl }) ?? []) console.log(`  ${line}`);
}

/**
 * What `serve` (and each run under `dev`) does: config, the app module if any, `startHub` (sandbox when
 * no FEISHU_APP_ID), the banner, and a clean stop on SIGINT/SIGTERM.
 */
export async function runServe(o: ServeOptions): Promise<void> {
  let config: HubConfig;
  let app: AppDefinition | undefined;
  let running: RunningHub;
  try {
    config = loadConfig({ overrides: o.port ? { HUB_PORT: o.port } : {} });
    if (o.app) app = await loadAppModule(o.app);
    running = await startHub(config, { emulatorUrl: o.emulatorUrl, ...(app ? { setup: async (hub) => void (await hub.register(app!)) } : {}) });
  } catch (err) {
    fail(err);
  }
  // Before the banner: a signal (or npm going away) may come as soon as the listening line is out.
  handleShutdown(() => running.stop());
  await printBanner(running, o.app ? shown(o.app) : undefined, o.restarted);
  process.send?.({ type: 'ready', url: running.hub.url, emulator: running.emulatorUrl });
}

export function registerServeCommand(program: Command): void {
  program
    .command('serve')
    .description('Run the hub (with no FEISHU_APP_ID: against the built-in local Feishu, in sandbox mode)')
    .option('-p, --port <port>', 'port of the hub (HUB_PORT)')
    .option('--app <file>', 'also run this app module (its default export: a function of the hub, or a capability); `feishu-hub dev` adds restarts on change')
    .addOption(new Option('--restarted', 'set by feishu-hub dev on restarts (shorter banner)').hideHelp())
    .addOption(new Option('--emulator-url <url>', 'set by feishu-hub dev: sandbox against the local Feishu it keeps running').hideHelp())
    .addHelpText(
      'after',
      [
        '',
        'Configuration comes from the environment and feishu-hub.yaml; see the README table.',
        'SIGINT/SIGTERM stop it cleanly (events in flight are finished, "feishu-hub stopped" is printed, exit 0); a second signal exits at once.',
        '',
        'Examples:',
        '  feishu-hub serve',
        '  HUB_PORT=3100 FEISHU_EMULATOR_PORT=9100 feishu-hub serve --app ./app.ts',
      ].join('\n'),
    )
    .action((o: ServeOptions) => runServe(o));
}
