import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { APP_ID, ENCRYPT_KEY, TOKEN, startReceiver } from '../helpers/receiver.js';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

function cli(args: string[], env: Record<string, string> = {}) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(process.execPath, ['bin/feishu-hub.js', ...args], { env: { ...process.env, FEISHU_ENCRYPT_KEY: '', FEISHU_VERIFICATION_TOKEN: '', ...env } }, (err, stdout, stderr) =>
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

describe('feishu-hub receive', () => {
  let r: Receiver;
  let dir: string;
  beforeAll(async () => {
    r = await startReceiver({ onCardAction: async () => ({ toast: { type: 'success', content: 'clicked' } }) });
    dir = mkdtempSync(join(tmpdir(), 'feishu-hub-cli-'));
  });
  afterAll(async () => {
    await r.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('wraps an event fixture in a v2 envelope, encrypts and signs it, and the hub stores it', async () => {
    const file = join(dir, 'message.json');
    writeFileSync(file, JSON.stringify({ message: { message_id: 'om_cli', chat_id: 'oc_cli', message_type: 'text', content: '{"text":"/ping"}' } }));
    const out = await cli(['receive', '-e', 'im.message.receive_v1', '-p', file, '--url', `${r.url}/webhook/event`, '--app-id', APP_ID], {
      FEISHU_ENCRYPT_KEY: ENCRYPT_KEY,
      FEISHU_VERIFICATION_TOKEN: TOKEN,
    });
    expect(out.stdout).toContain('HTTP 200');
    expect(out.stdout).toContain('(encrypted, signed)');
    expect(out.code).toBe(0);
    const id = /event_id (\S+)/.exec(out.stdout)![1];
    const item = await r.inbox.get(id);
    expect(item).toMatchObject({ type: 'im.message.receive_v1' });
    expect((item!.payload as any).event.message.message_id).toBe('om_cli');
  });

  it('prints the refusal and exits 1 when the key is wrong', async () => {
    const file = join(dir, 'user.json');
    writeFileSync(file, JSON.stringify({ object: { open_id: 'ou_1', name: 'Ada' } }));
    const out = await cli(['receive', '-e', 'contact.user.created_v3', '-p', file, '--url', `${r.url}/webhook/event`, '--encrypt-key', 'wrong-key', '--verification-token', TOKEN]);
    expect(out.stdout).toContain('HTTP 401');
    expect(out.code).toBe(1);
  });

  it('sends a whole card callback envelope to /webhook/card and prints the answer', async () => {
    const file = join(dir, 'card.json');
    const envelope = { schema: '2.0', header: { event_id: 'card_cli_1', token: TOKEN, create_time: String(Date.now() * 1000), event_type: 'card.action.trigger', tenant_key: 't', app_id: APP_ID }, event: { action: { value: { k: 'v' }, tag: 'button' } } };
    writeFileSync(file, JSON.stringify(envelope));
    const out = await cli(['receive', '-p', file, '--url', `${r.url}/webhook/card`, '--encrypt-key', ENCRYPT_KEY]);
    expect(out.stdout).toContain('HTTP 200');
    expect(out.stdout).toContain('"content":"clicked"');
  });
});
