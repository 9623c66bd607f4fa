import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';

/** The JSON and static routes behind the web client, without a browser. */
let emu: EmulatorHandle;
const demoChat = () => [...emu.state.chats.values()].find((c) => c.name === 'feishu-hub demo')!;
const user = (id: string) => emu.state.findUser(id, 'user_id')!;

async function call(method: string, path: string, body?: unknown) {
  const res = await fetch(`${emu.url}${path}`, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
  const type = res.headers.get('content-type') ?? '';
  return { status: res.status, type, json: type.includes('json') ? ((await res.json()) as Record<string, any>) : undefined, text: type.includes('json') ? '' : await res.text() };
}

/** A GET with the path sent as written (fetch would resolve the dots). */
function rawGet(path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port: emu.port, path, method: 'GET' }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    })
      .on('error', reject)
      .end();
  });
}

beforeAll(async () => {
  emu = await startEmulator({ port: 0 });
});
afterAll(() => emu?.close());

describe('the web client routes', () => {
  it('serves the page with an import map to the local Preact and htm builds, and nothing outside its folder', async () => {
    const page = await call('GET', '/');
    expect(page.type).toContain('text/html');
    expect(page.text).toContain('"preact": "/__emulator/web/vendor/preact.mjs"');
    for (const name of ['preact.mjs', 'hooks.mjs', 'htm.mjs']) {
      const mod = await call('GET', `/__emulator/web/vendor/${name}`);
      expect(mod.status).toBe(200);
      expect(mod.type).toContain('javascript');
      expect(mod.text).toMatch(/\bexport\s*(\{|default\b)/);
    }
    expect((await call('GET', '/__emulator/web/app/main.js')).status).toBe(200);
    expect(await rawGet('/__emulator/web/app/../../api.ts')).toBe(404);
    expect(await rawGet('/__emulator/web/app/..%2f..%2fapi.ts')).toBe(404);
    expect(await rawGet('/__emulator/web/app/%2e%2e/%2e%2e/api.ts')).toBe(404);
  });

  it('sends as a user with "@bot" addressed to the chat\'s bot, and shows it in the polled state', async () => {
    const chat = demoChat();
    const sent = await call('POST', '/__emulator/web/messages', { chat_id: chat.chat_id, sender: user('alice').open_id, text: '@bot /help' });
    expect(sent.status).toBe(200);
    expect(sent.json!.event_ids).toHaveLength(1);
    const stored = emu.state.messages.get(sent.json!.message.message_id)!;
    expect(stored.mentions.map((m) => m.id)).toEqual([emu.app.botOpenId]);
    expect(JSON.parse(stored.content).text).toBe(`<at user_id="${emu.app.botOpenId}">feishu-hub bot</at> /help`);

    const state = await call('GET', `/__emulator/web/state?chat=${chat.chat_id}`);
    const listed = state.json!.chats.find((c: { chat_id: string }) => c.chat_id === chat.chat_id);
    expect(listed.preview).toBe('Alice Zhang: @feishu-hub bot /help');
    expect(state.json!.messages.at(-1)).toMatchObject({ msg_type: 'text', sender: { kind: 'user', name: 'Alice Zhang' } });
  });

  it('refuses writers outside the chat and clicks on messages that are not cards', async () => {
    const chat = demoChat();
    const outsider = await call('POST', '/__emulator/web/messages', { chat_id: chat.chat_id, sender: user('dave').open_id, text: 'hi' });
    expect(outsider.status).toBe(400);
    expect(outsider.json!.error).toContain('is not a member');
    const text = [...emu.state.messages.values()].find((m) => m.msg_type === 'text')!;
    const click = await call('POST', '/__emulator/web/actions', { message_id: text.message_id, operator: user('alice').open_id, action: { tag: 'button', value: {} } });
    expect(click.status).toBe(400);
    expect(click.json!.error).toContain('is not a card');
    const typo = await call('POST', '/__emulator/web/actions', { message_id: text.message_id, operator: user('alice').open_id, action: { tga: 'button' } });
    expect(typo.status).toBe(400);
  });

  it('previews a card in one "Card preview" chat and links the client to it', async () => {
    const card = { header: { title: { tag: 'plain_text', content: 'Hello' } }, elements: [{ tag: 'markdown', content: 'hi' }] };
    const first = await call('POST', '/__emulator/cards/preview', { card });
    expect(first.status).toBe(200);
    expect(first.json!.url).toBe(`${emu.url}/#chat=${first.json!.chat_id}&message=${first.json!.message_id}`);
    expect(first.json!.platform_error).toBeUndefined();
    const second = await call('POST', '/__emulator/cards/preview', { card: JSON.stringify(card) });
    expect(second.json!.chat_id).toBe(first.json!.chat_id);
    const chat = emu.state.chats.get(first.json!.chat_id)!;
    expect(chat.name).toBe('Card preview');
    expect(chat.bots).toEqual([emu.app.appId]);
    const msg = emu.state.messages.get(second.json!.message_id)!;
    expect(msg).toMatchObject({ msg_type: 'interactive', sender: { id: emu.app.appId, sender_type: 'app' } });

    // A card Feishu would refuse still renders, with the platform's complaint.
    const v2WithNote = await call('POST', '/__emulator/cards/preview', { card: { schema: '2.0', body: { elements: [{ tag: 'note', elements: [] }] } } });
    expect(v2WithNote.json!.platform_error.code).toBe(230099);
    expect(v2WithNote.json!.platform_error.msg).toContain('200861');

    expect((await call('POST', '/__emulator/cards/preview', { card: '{nope' })).status).toBe(400);
    expect((await call('POST', '/__emulator/cards/preview', { card: [1] })).status).toBe(400);
    expect((await call('POST', '/__emulator/cards/preview', {})).status).toBe(400);
  });

  it('serves uploads for <img>, and a placeholder only when asked for one', async () => {
    expect((await call('GET', '/__emulator/web/resources/img_v2_missing')).status).toBe(404);
    const placeholder = await call('GET', '/__emulator/web/resources/img_v2_missing?placeholder=1');
    expect(placeholder.status).toBe(200);
    expect(placeholder.type).toContain('image/svg+xml');
    expect(placeholder.text).toContain('img_v2_missing');
  });
});
