import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { loadConfig } from '../../config/index.js';
import { DEV_CREDENTIALS } from '../../emulator/options.js';
import { isOldCardCallback, signPush, v2Envelope } from '../../events/index.js';

/**
 * The keys a hub started with the same environment would check: the configured ones, or in
 * sandbox mode (no FEISHU_APP_ID) the emulator's documented dev credentials that hub uses.
 */
function hubSecrets() {
  const config = loadConfig();
  const dev = config.sandbox ? DEV_CREDENTIALS : undefined;
  return {
    encryptKey: config.app.encryptKeys[0] ?? dev?.encryptKey,
    token: config.app.verificationTokens[0] ?? dev?.verificationToken,
    appId: config.app.appId ?? dev?.appId,
    port: config.http.port,
  };
}

/** Is the fixture already a whole push (sent as-is, only encrypted and signed)? */
function isEnvelope(body: Record<string, unknown>): boolean {
  return body.schema !== undefined || body.type === 'event_callback' || body.type === 'url_verification' || typeof body.encrypt === 'string';
}

/**
 * `feishu-hub receive -e im.message.receive_v1 -p test/fixtures/events/im.message.receive_v1.json`: posts a fixture to a hub the way
 * Feishu would (v2 envelope, encrypted and signed with the encrypt key, verification token in the
 * header), then prints the hub's answer. Exit code 1 unless the hub answered 2xx.
 */
export function registerReceiveCommand(program: Command): void {
  program
    .command('receive')
    .description('Sign, encrypt and post an event fixture to a hub, as Feishu would (replay a fixture)')
    .option('-e, --event <type>', 'event type to wrap the fixture in (e.g. im.message.receive_v1); not needed when the fixture is a whole envelope')
    .requiredOption('-p, --payload <file>', 'JSON fixture: the `event` object, or a whole v1/v2 envelope (sent as-is), or an old-format card callback; - reads stdin')
    .option('--url <url>', 'where to post (default http://127.0.0.1:<HUB_PORT>/webhook/event, /webhook/card for card callbacks)')
    .option('--encrypt-key <key>', 'encrypt key (default: the first of FEISHU_ENCRYPT_KEY, or the sandbox dev key when FEISHU_APP_ID is unset; "" = plaintext, unsigned)')
    .option('--verification-token <token>', 'verification token (default: the first of FEISHU_VERIFICATION_TOKEN, or the sandbox dev token)')
    .option('--app-id <id>', 'header.app_id (default FEISHU_APP_ID, or the sandbox dev app)')
    .option('--tenant-key <key>', 'header.tenant_key', 'local_tenant')
    .addHelpText(
      'after',
      [
        '',
        'Examples (the fixtures ship with feishu-hub in test/fixtures/events/, with the sandbox\'s ids; from a project, prefix node_modules/feishu-hub/):',
        '  feishu-hub receive -e im.message.receive_v1 -p test/fixtures/events/im.message.receive_v1.json',
        '  feishu-hub receive -e card.action.trigger -p test/fixtures/events/card.action.trigger.json',
        '  feishu-hub receive -e im.message.receive_v1 -p message.json --url https://hub.example.com/webhook/event --encrypt-key "$FEISHU_ENCRYPT_KEY"',
      ].join('\n'),
    )
    .action(async (o: { event?: string; payload: string; url?: string; encryptKey?: string; verificationToken?: string; appId?: string; tenantKey: string }) => {
      const text = o.payload === '-' ? readFileSync(0, 'utf8') : readFileSync(o.payload, 'utf8');
      let fixture: unknown;
      try {
        fixture = JSON.parse(text);
      } catch (err) {
        throw new Error(`${o.payload} is not JSON: ${(err as Error).message}`);
      }
      if (typeof fixture !== 'object' || fixture === null || Array.isArray(fixture)) throw new Error(`${o.payload} must hold a JSON object`);
      const body = fixture as Record<string, unknown>;
      const hub = hubSecrets();
      const encryptKey = o.encryptKey ?? hub.encryptKey;
      const token = o.verificationToken ?? hub.token;
      const oldCard = isOldCardCallback(body);

      let envelope: unknown = body;
      if (!oldCard && !isEnvelope(body)) {
        if (!o.event) throw new Error('-e <event type> is required when the fixture is an event object, not a whole envelope');
        envelope = v2Envelope(o.event, body, { token, appId: o.appId ?? hub.appId, tenantKey: o.tenantKey });
      }
      const eventType = (envelope as { header?: { event_type?: string } }).header?.event_type ?? o.event;
      const isCard = oldCard || eventType === 'card.action.trigger';
      const url = o.url ?? `http://127.0.0.1:${hub.port}${isCard ? '/webhook/card' : '/webhook/event'}`;

      const push =
        typeof body.encrypt === 'string'
          ? { body: text.trim(), headers: { 'content-type': 'application/json; charset=utf-8' } } // already encrypted: as-is
          : signPush(envelope, oldCard ? { oldCard: true, verificationToken: token } : { encryptKey });
      const res = await fetch(url, { method: 'POST', body: push.body, headers: push.headers }).catch((err: Error & { cause?: Error }) => {
        throw new Error(`cannot reach ${url}: ${err.cause?.message ?? err.message}`);
      });
      const answer = await res.text();
      const id = (envelope as { header?: { event_id?: string }; uuid?: string }).header?.event_id ?? (envelope as { uuid?: string }).uuid;
      console.log(`POST ${url}${eventType ? `  ${eventType}` : ''}${id ? `  event_id ${id}` : ''}${encryptKey && !oldCard ? '  (encrypted, signed)' : oldCard && token ? '  (signed)' : '  (plaintext)'}`);
      console.log(`HTTP ${res.status}`);
      if (answer) console.log(answer);
      if (!res.ok) process.exitCode = 1;
    });
}
