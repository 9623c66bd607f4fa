import type { Command } from 'commander';
import { defineCapability } from '../capability/index.js';
import { loadConfig } from '../config/index.js';
import { IdempotencyKeys, Inbox, openDatabase, type InboxItem } from '../store/index.js';
import { eventsConsole } from './console-panel.js';

/**
 * The intake's housekeeping: done events are pruned after the dedup window (Feishu re-sends for
 * 7.1 h), card-callback answers after a week, `/readyz` shows the inbox, and `feishu-hub events`
 * lists and replays dead letters.
 */
export const eventsCapability = defineCapability({
  name: 'events',
  scopes: [{ api: 'POST /callback/ws/endpoint', scopes: [], why: 'open the long connection (FEISHU_EVENT_MODE=websocket)' }],
  jobs: [
    { name: 'prune-inbox', everyMs: 10 * 60_000, singleton: true, run: ({ inbox }) => inbox.prune() },
    // Card-callback answers (and other idempotency keys) are kept a week: far past any re-send or replay window.
    { name: 'prune-idempotency-keys', schedule: '17 3 * * *', singleton: true, run: ({ store }) => new IdempotencyKeys(store).prune() },
  ],
  health: [
    {
      name: 'inbox',
      async check({ inbox }) {
        const s = await inbox.stats();
        return `${s.pending} pending, ${s.processing} processing, ${s.dead} dead`;
      },
    },
  ],
  cli: ({ program }) => registerEventsCommand(program),
  console: eventsConsole,
});

async function withInbox<T>(fn: (inbox: Inbox) => Promise<T>): Promise<T> {
  const url = loadConfig().databaseUrl;
  // The hub owns migrations (its capabilities' tables included): the CLI only reads and replays.
  const store = await openDatabase(url, { migrate: false });
  try {
    return await fn(new Inbox(store));
  } catch (err) {
    if (/no such table|relation "inbox" does not exist/.test((err as Error).message)) {
      throw new Error(`no event inbox in DATABASE_URL=${url.replace(/:\/\/[^@/]*@/, '://…@')} yet: start the hub once there (or point DATABASE_URL at the hub's database)`);
    }
    throw err;
  } finally {
    await store.close();
  }
}

const firstLine = (s?: string) => (s ?? '').split('\n').find((l) => l.trim() && !l.startsWith('note:')) ?? '';
const noteOf = (s?: string) => (s ?? '').split('\n').filter((l) => l.startsWith('note:')).map((l) => l.slice(5).trim()).join('; ');

function registerEventsCommand(program: Command): void {
  const events = program.command('events').description('The durable event inbox: counts, dead letters, replay (reads DATABASE_URL)');
  events
    .command('stats', { isDefault: true })
    .description('events by status')
    .option('--json', 'print JSON')
    .action(async (o: { json?: boolean }) => {
      const stats = await withInbox((inbox) => inbox.stats());
      if (o.json) console.log(JSON.stringify(stats, null, 2));
      else for (const [status, n] of Object.entries(stats)) console.log(`${status.padEnd(11)} ${n}`);
    });
  events
    .command('dead')
    .description('dead-lettered events, newest first, with why they failed')
    .option('-n, --limit <n>', 'how many', '50')
    .option('--json', 'print JSON')
    .action(async (o: { limit: string; json?: boolean }) => {
      const dead = await withInbox((inbox) => inbox.listDead(Number(o.limit) || 50));
      if (o.json) return console.log(JSON.stringify(dead.map(({ payload: _p, ...rest }: InboxItem) => rest), null, 2));
      if (dead.length === 0) return console.log('no dead letters');
      const rows = dead.map((d) => [d.id, d.type, new Date(d.receivedAt).toISOString(), String(d.attempts), firstLine(d.lastError).slice(0, 70), noteOf(d.lastError).slice(0, 70)]);
      const header = ['EVENT ID', 'TYPE', 'RECEIVED', 'TRIES', 'ERROR', 'NOTE'];
      const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
      for (const r of [header, ...rows]) console.log(r.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd());
    });
  events
    .command('replay <eventIds...>')
    .description('put dead (or done) events back in the queue; a running hub picks them up within a second')
    .option('--json', 'print JSON')
    .action(async (ids: string[], o: { json?: boolean }) => {
      const results = await withInbox(async (inbox) => Promise.all(ids.map(async (id) => ({ id, replayed: await inbox.replay(id) }))));
      if (o.json) console.log(JSON.stringify(results, null, 2));
      else for (const r of results) console.log(`${r.id}  ${r.replayed ? 'queued again' : 'not found (or still pending)'}`);
      if (results.some((r) => !r.replayed)) process.exitCode = 1;
    });
}
