import { spawn, type ChildProcess } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { AppModuleError, resolveAppFile, shown } from '../app-module.js';
import { handleShutdown } from '../shutdown.js';
import { watchTree } from '../watch.js';
import { EXIT } from './serve.js';
import { ConfigError, loadConfig } from '../../config/index.js';
import { startEmulator, type EmulatorHandle } from '../../emulator/index.js';
import { listenError } from '../../sandbox/index.js';

const BIN = fileURLToPath(new URL('../../../bin/feishu-hub.js', import.meta.url));
/** How long a run may take to stop before a restart kills it. */
const STOP_TIMEOUT_MS = 10_000;

interface DevFlags {
  port?: string;
  watch: boolean;
}

/**
 * `feishu-hub dev ./app.ts`: runs `feishu-hub serve --app ./app.ts` in a child process (so every run
 * starts from fresh modules) and restarts it when a file in the app's folder changes (node_modules,
 * data/, dotfiles and databases excepted). One line per restart. Setting problems (a bad config
 * value, a port in use) end `dev` with the child's exit code; an app that fails to load or start is
 * started again on the next change.
 */
export function registerDevCommand(program: Command): void {
  program
    .command('dev')
    .description('Run your app as `serve` does (sandbox when FEISHU_APP_ID is unset), restarting it when a file in its folder changes')
    .argument('<app>', 'module whose default export is the app: a function of the hub, or a capability (TypeScript works)')
    .option('-p, --port <port>', 'port of the hub (HUB_PORT)')
    .option('--no-watch', 'run once, without restarting on changes')
    .addHelpText(
      'after',
      [
        '',
        'The app module, e.g. app.ts:',
        "  export default function app(hub) { hub.command('/hello', ({ reply }) => reply.text('hello')); }",
        '',
        'Examples:',
        '  feishu-hub dev app.ts',
        '  HUB_PORT=3100 FEISHU_EMULATOR_PORT=9100 feishu-hub dev ./src/bot.ts',
        '  feishu-hub init my-bot    # a project with app.ts, its test and `npm start` = feishu-hub dev app.ts',
      ].join('\n'),
    )
    .action((file: string, o: DevFlags) => runDev(file, o));
}

async function runDev(file: string, o: DevFlags): Promise<void> {
  let appPath: string;
  try {
    appPath = resolveAppFile(file);
  } catch (err) {
    if (!(err instanceof AppModuleError)) throw err;
    console.error(`feishu-hub: ${err.message}`);
    process.exit(EXIT.appError);
  }
  const root = dirname(appPath);
  // In sandbox mode the local Feishu lives here, not in the run: chats and messages in the browser survive a save.
  let emulator: EmulatorHandle | undefined;
  try {
    const config = loadConfig();
    if (config.sandbox) {
      emulator = await startEmulator({ port: config.emulatorPort, host: '127.0.0.1' }).catch((err: unknown) => {
        throw listenError(err, 'the local Feishu (sandbox emulator)', '127.0.0.1', config.emulatorPort, 'FEISHU_EMULATOR_PORT');
      });
    }
  } catch (err) {
    console.error(err instanceof ConfigError ? err.message : `feishu-hub: ${(err as Error).message}`);
    process.exit(err instanceof ConfigError ? EXIT.config : EXIT.port);
  }
  const exitDev = (code: number) => void (emulator?.close() ?? Promise.resolve()).finally(() => process.exit(code));
  let child: ChildProcess | undefined;
  let shownBanner = false; // a run got as far as listening and printed where everything is
  let restarting = false;
  let stopping = false;
  let exited: (() => void) | undefined;
  let lastExit: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  const start = () => {
    const args = [BIN, 'serve', '--app', appPath, ...(o.port ? ['--port', o.port] : []), ...(shownBanner ? ['--restarted'] : []), ...(emulator ? ['--emulator-url', emulator.url] : [])];
    const c = spawn(process.execPath, args, { stdio: ['inherit', 'inherit', 'inherit', 'ipc'], env: process.env });
    c.on('message', (m: { type?: string }) => {
      if (m?.type === 'ready') shownBanner = true;
    });
    c.on('exit', (code, signal) => onExit(c, code, signal));
    child = c;
  };

  /** Asks the run to stop (it drains and closes), kills it if it takes too long; resolves when it has exited. */
  const stopChild = (reason: string, quiet: boolean) =>
    new Promise<void>((resolve) => {
      const c = child;
      if (!c) return resolve();
      exited = resolve;
      if (c.connected) c.send({ type: 'stop', reason, quiet });
      else c.kill('SIGTERM');
      setTimeout(() => c.kill('SIGKILL'), STOP_TIMEOUT_MS).unref();
    });

  const onExit = (c: ChildProcess, code: number | null, signal: NodeJS.Signals | null) => {
    if (c !== child) return;
    child = undefined;
    lastExit = { code, signal };
    const done = exited;
    exited = undefined;
    done?.();
    if (stopping || restarting) return;
    if (code === EXIT.config || code === EXIT.port) return exitDev(code); // a setting to fix: it said which
    console.error(`feishu-hub dev: the app stopped (${signal ?? `exit code ${code}`}); ${o.watch ? `waiting for a change in ${shown(root)} to start it again` : 'not restarting (--no-watch)'}`);
    if (!o.watch) exitDev(code || 1);
  };

  const restart = async (changed: string) => {
    if (stopping || restarting) return;
    console.log(`feishu-hub dev: ${changed} changed, restarting`);
    restarting = true;
    await stopChild(`${changed} changed`, true);
    restarting = false;
    if (!stopping) start();
  };

  const watcher = o.watch ? watchTree(root, (changed) => void restart(changed)) : undefined;
  handleShutdown(
    async (reason) => {
      stopping = true;
      watcher?.close();
      if (!child) {
        await emulator?.close();
        return console.log(`feishu-hub stopped (${reason})`);
      }
      await stopChild(reason, false);
      await emulator?.close();
      if (lastExit?.code !== 0) throw new Error(`the app did not stop cleanly (${lastExit?.signal ?? `exit code ${lastExit?.code}`})`);
    },
    { line: null, timeoutMs: STOP_TIMEOUT_MS + 2000, onForce: () => child?.kill('SIGKILL') },
  );
  start();
}
