import { describe, expect, it } from 'vitest';
import { defaultProducts, defineProduct, startEmulator, type EmulatorContext, type Slice } from '../../src/emulator/index.js';
import { auth } from '../../src/emulator/auth/index.js';
import { DirectoryState } from '../../src/emulator/directory/index.js';
import { im } from '../../src/emulator/im/index.js';
import { ok } from '../../src/emulator/http.js';
import { rawJson, useEmulator } from '../helpers/emulator.js';
import { demoChat, PNG_1x1, sdkFailure, user } from '../helpers/im.js';

/** A throwaway product, written the way a new one (approval, bitable…) would be. */
interface Note {
  author: string;
  text: string;
}

class NotesState implements Slice<{ notes: Note[] }> {
  notes: Note[] = [];

  constructor(private readonly ctx: EmulatorContext) {
    this.reset();
  }

  reset(): void {
    // Seeds may read the slices listed before this one.
    this.notes = [{ author: this.ctx.slice(DirectoryState).findUser('alice', 'user_id')!.open_id, text: 'welcome' }];
  }

  snapshot() {
    return { notes: this.notes };
  }

  restore(json: { notes: Note[] }): void {
    if (!Array.isArray(json.notes)) throw new Error('notes must be an array');
    this.notes = json.notes;
  }

  inspect() {
    return { notes: this.notes };
  }
}

const notes = defineProduct({
  name: 'notes',
  state: NotesState,
  page: { title: 'Notes', path: '/__emulator/notes' },
  routes(app, ctx) {
    // A platform API: the gateway authenticates, logs and faults it like any other.
    app.get('/open-apis/notes/v1/notes', async (_req, reply) => ok(reply, { items: ctx.slice(NotesState).notes }));
    // A person writes a note.
    app.post('/__emulator/notes', async (req, reply) => {
      const b = req.body as { author?: string; text?: string };
      const author = ctx.slice(DirectoryState).findUser(b.author ?? '', 'user_id');
      if (!author || !b.text) return reply.status(400).send({ error: 'author (a user_id) and text are required' });
      ctx.slice(NotesState).notes.push({ author: author.open_id, text: b.text });
      return { ok: true };
    });
  },
});

const env = useEmulator({ products: [...defaultProducts, notes] });

async function tenantToken(): Promise<string> {
  const r = await rawJson(`${env.emu.url}/open-apis/auth/v3/tenant_access_token/internal`, 'POST', { app_id: env.emu.app.appId, app_secret: env.emu.app.appSecret });
  return r.json.tenant_access_token;
}
const listNotes = async () => (await rawJson(`${env.emu.url}/open-apis/notes/v1/notes`, 'GET', undefined, { authorization: `Bearer ${await tenantToken()}` })).json.data.items as Note[];
const noteTexts = () => env.emu.context.slice(NotesState).notes.map((n) => n.text);
const snapshot = async () => (await env.ctl.call('GET', '/__emulator/snapshot')).body as Record<string, any>;
const restore = (snap: unknown) => env.ctl.call('PUT', '/__emulator/snapshot', snap);

describe('a product added to the list', () => {
  it('brings its routes (behind the platform gateway), its state in /__emulator/state and its page in the web client', async () => {
    const anonymous = await rawJson(`${env.emu.url}/open-apis/notes/v1/notes`, 'GET');
    expect(anonymous.json.code).toBe(99991661);
    expect((await env.ctl.call('POST', '/__emulator/notes', { author: 'bob', text: 'hello' })).status).toBe(200);
    expect(await listNotes()).toEqual([
      { author: user(env.emu, 'alice').open_id, text: 'welcome' },
      { author: user(env.emu, 'bob').open_id, text: 'hello' },
    ]);
    const state = await env.ctl.state();
    expect(state.notes.map((n: Note) => n.text)).toEqual(['welcome', 'hello']);
    expect(state.calls.some((c: { path: string; code: number }) => c.path === '/open-apis/notes/v1/notes' && c.code === 0)).toBe(true);
    const web = (await env.ctl.call('GET', '/__emulator/web/state')).body;
    expect(web.pages).toEqual([
      { product: 'directory', title: 'Directory', path: '/#/directory', icon: 'contacts', module: '/__emulator/web/pages/directory/directory.js' },
      { product: 'authen', title: 'Workbench', path: '/#/workbench', icon: 'workbench', module: '/__emulator/web/pages/authen/workbench.js' },
      { product: 'im', title: 'Messenger', path: '/' },
      { product: 'approval', title: 'Approval', path: '/#/approval', icon: 'approval', module: '/__emulator/web/pages/approval/approval.js' },
      { product: 'bitable', title: 'Base', path: '/#/base', icon: 'base', module: '/__emulator/web/pages/bitable/base.js' },
      { product: 'developer', title: 'Developer', path: '/#/developer', icon: 'console', module: '/__emulator/web/pages/developer/developer.js' },
      { product: 'notes', title: 'Notes', path: '/__emulator/notes' },
    ]);
  });

  it('is reset by POST /__emulator/reset', async () => {
    await env.ctl.call('POST', '/__emulator/notes', { author: 'bob', text: 'gone after reset' });
    expect(noteTexts()).toEqual(['welcome', 'gone after reset']);
    await env.ctl.reset();
    expect(noteTexts()).toEqual(['welcome']);
  });

  it('is in the snapshot under its name, and PUT /__emulator/snapshot brings it back', async () => {
    await env.ctl.call('POST', '/__emulator/notes', { author: 'carol', text: 'kept' });
    const snap = await snapshot();
    expect(Object.keys(snap)).toEqual(['auth', 'directory', 'authen', 'im', 'events', 'approval', 'bitable', 'webhook-bot', 'control', 'notes']);
    expect(snap.notes.notes.map((n: Note) => n.text)).toEqual(['welcome', 'kept']);
    await env.ctl.call('POST', '/__emulator/notes', { author: 'carol', text: 'not in the snapshot' });
    expect(await restore(snap)).toMatchObject({ status: 200, body: { ok: true } });
    expect(noteTexts()).toEqual(['welcome', 'kept']);
  });

  it('refuses a snapshot that does not fit, whole: an unknown product, or a part a slice refuses', async () => {
    const snap = await snapshot();
    await env.ctl.call('POST', '/__emulator/notes', { author: 'bob', text: 'after the snapshot' });
    const unknown = await restore({ ...snap, sheets: {} });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatch(/sheets/);
    // notes comes last: the slices before it were already restored, and must come back as they were.
    const chat = demoChat(env.emu);
    chat.name = 'renamed after the snapshot';
    const refused = await restore({ ...snap, notes: { notes: 'not a list' } });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatch(/notes must be an array/);
    expect(noteTexts()).toEqual(['welcome', 'after the snapshot']);
    expect(env.emu.state.chats.get(chat.chat_id)!.name).toBe('renamed after the snapshot');
    expect((await restore('nope')).status).toBe(400);
  });
});

describe('snapshots of the default products', () => {
  const send = async (text: string) =>
    (await env.client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: demoChat(env.emu).chat_id, msg_type: 'text', content: JSON.stringify({ text }) } })).data!;
  const texts = () => [...env.emu.state.messages.values()].map((m) => JSON.parse(m.content).text);

  it('snapshot → change → restore brings back the im messages, the uploaded bytes and the tokens', async () => {
    await send('before');
    const image = (await env.client.im.image.create({ data: { image_type: 'message', image: PNG_1x1 } }))!.image_key!;
    const snap = await snapshot();
    await send('after');
    await env.ctl.reset();
    expect(texts()).toEqual([]);
    expect(await sdkFailure(env.client.im.message.list({ params: { container_id_type: 'chat', container_id: demoChat(env.emu).chat_id } }))).toMatchObject({ data: { code: 99991663 } });

    expect((await restore(snap)).status).toBe(200);
    expect(texts()).toEqual(['before']);
    // The SDK's cached token was issued before the snapshot, so it works again.
    const listed = await env.client.im.message.list({ params: { container_id_type: 'chat', container_id: demoChat(env.emu).chat_id } });
    expect(listed.data!.items!.map((m) => JSON.parse(m.body!.content!).text)).toEqual(['before']);
    const bytes = Buffer.from(await (await fetch(`${env.emu.url}/__emulator/web/resources/${image}`)).arrayBuffer());
    expect(bytes.equals(PNG_1x1)).toBe(true);
  });

  it('keeps holders of the state maps live across a restore', async () => {
    const messages = env.emu.state.messages;
    await send('one');
    const snap = await snapshot();
    await send('two');
    await restore(snap);
    expect([...messages.values()].map((m) => JSON.parse(m.content).text)).toEqual(['one']);
  });
});

describe('the product list', () => {
  it('refuses two products with one name, and a slice that reads one listed after it', async () => {
    await expect(startEmulator({ products: [...defaultProducts, notes, notes] })).rejects.toThrow(/two products are named notes/);
    await expect(startEmulator({ products: [auth, im, ...defaultProducts.filter((p) => p !== auth && p !== im)] })).rejects.toThrow(/DirectoryState is not in this emulator's products/);
  });
});
