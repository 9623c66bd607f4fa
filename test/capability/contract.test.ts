import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sql, type Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { defineCapability, loadConfig, startHub, ConfigError, type RunningHub } from '../../src/index.js';
import { buildProgram } from '../../src/cli/index.js';

interface NotesTables {
  notes: { id: string; author: string; text: string };
}

let ticks = 0;

/**
 * A throwaway capability that brings everything the contract offers: a config section (yaml key
 * and an env secret), a migration with its own table, a route, a listener, a job, a health check,
 * a CLI command and a console panel. Nothing outside this definition (and the hub's list) knows about it.
 */
const notes = defineCapability({
  name: 'notes',
  config: {
    schema: z.object({ reply: z.string().min(1), token: z.string().min(8, 'must be at least 8 characters') }).strict(),
    env: { NOTES_TOKEN: 'token' },
  },
  migrations: {
    '0001_create_notes': {
      async up(db: Kysely<any>) {
        await db.schema.createTable('notes').addColumn('id', 'varchar(128)', (c) => c.primaryKey()).addColumn('author', 'varchar(64)').addColumn('text', 'text').execute();
      },
    },
  },
  setup({ hub, config, onStart }) {
    let store: Kysely<NotesTables> | undefined;
    onStart(({ store: s }) => void (store = s.db as unknown as Kysely<NotesTables>));
    hub.command('/note', async ({ rest, sender, eventId, reply }) => {
      await store!.insertInto('notes').values({ id: eventId, author: sender.openId ?? '', text: rest }).onConflict((oc) => oc.column('id').doNothing()).execute();
      await reply.text(`${config.reply}: ${rest}`);
    });
  },
  routes(app, { store, config }) {
    app.get('/notes', async (req, reply) => {
      if (req.headers.authorization !== `Bearer ${config.token}`) return reply.status(401).send({ error: 'bad token' });
      return (store.db as unknown as Kysely<NotesTables>).selectFrom('notes').select(['author', 'text']).execute();
    });
  },
  console: {
    panels: [
      {
        id: 'notes',
        title: 'Notes',
        icon: 'N',
        order: 50,
        module: new URL('./notes-panel.js', import.meta.url),
        data: async ({ store, user }) => ({ viewer: user.name, notes: await (store.db as unknown as Kysely<NotesTables>).selectFrom('notes').select(['author', 'text']).execute() }),
        actions: {
          clear: async ({ store }) => ({ deleted: Number((await (store.db as unknown as Kysely<NotesTables>).deleteFrom('notes').executeTakeFirst()).numDeletedRows) }),
        },
      },
    ],
  },
  jobs: [{ name: 'tick', everyMs: 50, run: () => void ticks++ }],
  health: [{ name: 'notes', check: async ({ store }) => `${(await sql<{ n: number }>`select count(*) as n from notes`.execute(store.db)).rows[0].n} notes` }],
  cli: ({ program }) => {
    program
      .command('notes')
      .option('--json')
      .action((o: { json?: boolean }) => console.log(o.json ? JSON.stringify({ capability: 'notes' }) : 'notes: a throwaway capability'));
  },
});

describe('a capability added without touching any other file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'feishu-hub-cap-'));
  const yaml = join(dir, 'feishu-hub.yaml');
  let running: RunningHub;
  let emulatorUrl: string;

  beforeAll(async () => {
    writeFileSync(yaml, 'notes:\n  reply: noted\n');
    process.env.NOTES_TOKEN = 'secret-token-123';
    const config = loadConfig({ env: {}, file: yaml, overrides: { HUB_PORT: 0, FEISHU_EMULATOR_PORT: 0, DATABASE_URL: `sqlite:${join(dir, 'hub.db')}`, LOG_LEVEL: 'silent' } });
    running = await startHub(config, { setup: (hub) => hub.register(notes) });
    emulatorUrl = running.emulator!.url;
  });
  afterAll(async () => {
    delete process.env.NOTES_TOKEN;
    await running?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('its listener answers, its migration made its table, its route serves it, its job runs and /readyz shows its check', async () => {
    const emu = running.emulator!;
    const demo = [...emu.state.chats.values()].find((c) => c.name === 'feishu-hub demo')!;
    const alice = emu.state.users[0];
    const res = await fetch(`${emulatorUrl}/__emulator/chats/${demo.chat_id}/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ sender: alice.open_id, text: '@_bot /note buy milk' }),
    });
    const { message_id } = (await res.json()) as { message_id: string };
    let answer: string | undefined;
    for (let i = 0; i < 150 && !answer; i++) {
      const reply = [...emu.state.messages.values()].find((m) => m.parent_id === message_id && m.sender.sender_type === 'app');
      answer = reply && JSON.parse(reply.content).text;
      if (!answer) await new Promise((r) => setTimeout(r, 20));
    }
    expect(answer).toBe('noted: buy milk'); // the yaml key reached the listener

    const hub = running.hub.url!;
    expect((await fetch(`${hub}/notes`)).status).toBe(401);
    const listed = await fetch(`${hub}/notes`, { headers: { authorization: 'Bearer secret-token-123' } }); // the env secret
    expect(await listed.json()).toEqual([{ author: alice.open_id, text: 'buy milk' }]);

    const before = ticks;
    await new Promise((r) => setTimeout(r, 200));
    expect(ticks).toBeGreaterThan(before);

    const ready = (await (await fetch(`${hub}/readyz`)).json()) as { checks: Record<string, string> };
    expect(ready.checks.notes).toBe('ok: 1 notes');
    expect(running.hub.capabilities.map((c) => c.name)).toEqual(['platform', 'events', 'bot', 'cards', 'sso', 'oidc', 'approval', 'alerts', 'directory', 'bitable', 'sync', 'doctor', 'console', 'notes']);
  });

  it('its console panel is in /console with its data and actions, between the built-in ones by its order', async () => {
    const hub = running.hub.url!;
    // The sandbox signs the demo admin in (no Feishu login needed here).
    const page = await fetch(`${hub}/console`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    const session = (await (await fetch(`${hub}/console/api/session`, { headers: { cookie } })).json()) as { csrf: string; panels: { id: string; title: string; capability: string; module: string; actions: string[] }[] };
    // The built-in capabilities' other panels (overview, incidents, sync…) sit around it too.
    expect(session.panels.map((p) => p.id).filter((id) => ['events', 'notes', 'audit'].includes(id))).toEqual(['events', 'notes', 'audit']);
    const notes = session.panels.find((p) => p.id === 'notes')!;
    expect(notes).toMatchObject({ title: 'Notes', capability: 'notes', module: '/console/panels/notes.js', actions: ['clear'] });
    expect(await (await fetch(`${hub}${notes.module}`)).text()).toContain('NotesPanel');
    const data = (await (await fetch(`${hub}/console/api/panels/notes`, { headers: { cookie } })).json()) as { data: { viewer: string; notes: unknown[] } };
    expect(data.data).toEqual({ viewer: 'alice@example.com', notes: [{ author: running.emulator!.state.users[0].open_id, text: 'buy milk' }] });
    const cleared = await fetch(`${hub}/console/api/panels/notes/actions/clear`, { method: 'POST', headers: { cookie, 'content-type': 'application/json', 'x-csrf-token': session.csrf }, body: '{}' });
    expect(await cleared.json()).toMatchObject({ ok: true, result: { deleted: 1 } });
    const audit = (await (await fetch(`${hub}/console/api/panels/audit`, { headers: { cookie } })).json()) as { data: { entries: { panel: string; action: string }[] } };
    expect(audit.data.entries[0]).toMatchObject({ panel: 'notes', action: 'clear' });
  });

  it('its migration is recorded under its own name', async () => {
    const rows = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(running.hub.store!.db);
    const names = rows.rows.map((r) => r.name);
    expect(names.filter((n) => n.includes('notes'))).toEqual(['notes/0001_create_notes']);
    expect(names).toContain('0001_inbox_idempotency_kv');
  });

  it('its CLI command is on the program when it is in the list', async () => {
    const out: string[] = [];
    const log = console.log;
    console.log = (line: string) => void out.push(line);
    try {
      await buildProgram([notes]).parseAsync(['node', 'feishu-hub', 'notes', '--json']);
    } finally {
      console.log = log;
    }
    expect(JSON.parse(out[0])).toEqual({ capability: 'notes' });
  });

  it('a wrong value in its section stops the hub with one line naming the key', async () => {
    const config = loadConfig({ env: {}, file: yaml, overrides: { HUB_PORT: 0, FEISHU_EMULATOR_PORT: 0, DATABASE_URL: `sqlite:${join(dir, 'other.db')}`, LOG_LEVEL: 'silent' } });
    process.env.NOTES_TOKEN = 'short';
    const err = await startHub(config, { setup: (hub) => hub.register(notes) }).catch((e: unknown) => e);
    process.env.NOTES_TOKEN = 'secret-token-123';
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).problems).toEqual(['NOTES_TOKEN must be at least 8 characters']);
  });
});
