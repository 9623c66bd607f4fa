import type { Command } from 'commander';
import { startEmulator, DEV_CREDENTIALS } from '../../emulator/index.js';
import { PortInUseError, listenError } from '../../sandbox/index.js';

export function registerEmulatorCommand(program: Command): void {
  program
    .command('emulator')
    .description('Run the local Feishu: Open Platform APIs, event pushes and a web client, on localhost')
    .option('-p, --port <port>', 'port to listen on', '9000')
    .option('--host <host>', 'interface to bind', '127.0.0.1')
    .option('--app-id <id>', 'app id (cli_ + 16 hex)', DEV_CREDENTIALS.appId)
    .option('--app-secret <secret>', 'app secret', DEV_CREDENTIALS.appSecret)
    .option('--encrypt-key <key>', 'encrypt key for event pushes ("" = plaintext)', DEV_CREDENTIALS.encryptKey)
    .option('--verification-token <token>', 'verification token', DEV_CREDENTIALS.verificationToken)
    .option('--event-url <url>', "the app's event request URL (where events are pushed)")
    .option('--card-url <url>', "the app's card callback URL (default: the event URL)")
    .option('--no-rate-limits', 'switch off the platform rate limits')
    .addHelpText('after', '\nControl API: GET /__emulator/state, POST /__emulator/reset, /faults, /clock … (see README)')
    .action(async (o) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port must be a port number, got ${o.port}`);
      const emu = await startEmulator({
        port,
        host: o.host,
        appId: o.appId,
        appSecret: o.appSecret,
        encryptKey: o.encryptKey,
        verificationToken: o.verificationToken,
        eventUrl: o.eventUrl,
        cardUrl: o.cardUrl,
        rateLimits: { enabled: o.rateLimits !== false },
      }).catch((err: unknown) => {
        const clash = listenError(err, 'the local Feishu emulator', o.host, port, '--port');
        if (!(clash instanceof PortInUseError)) throw err;
        console.error(`feishu-hub: ${clash.message}`);
        process.exit(3);
      });
      const usingDev = emu.app.appSecret === DEV_CREDENTIALS.appSecret;
      console.log(`Local Feishu emulator listening on ${emu.url}`);
      console.log(`  web client     ${emu.url}/`);
      console.log(`  SDK domain     ${emu.url}`);
      console.log(`  app id         ${emu.app.appId}`);
      console.log(`  app secret     ${usingDev ? emu.app.appSecret + '  (documented dev secret)' : '(as given)'}`);
      console.log(`  encrypt key    ${emu.app.encryptKey ? (usingDev ? emu.app.encryptKey : '(as given)') : '(none: plaintext pushes)'}`);
      console.log(`  verif. token   ${emu.app.verificationToken ? (usingDev ? emu.app.verificationToken : '(as given)') : '(none)'}`);
      console.log(`  event url      ${o.eventUrl ?? '(not set: PATCH /__emulator/apps/' + emu.app.appId + ')'}`);
      const stop = async () => {
        await emu.close();
        process.exit(0);
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
}
