import type { CommandContext } from '../bot/index.js';
import type { Bindings } from './bindings.js';
import type { Incident, IncidentBook } from './incidents.js';
import { SNOOZE_DURATIONS, type IncidentAction, type Responders } from './responders.js';
import type { AlertDb } from './tables.js';
import type { Store } from '../store/index.js';

export interface CommandDeps {
  store: Store;
  book: IncidentBook;
  responders: Responders;
  bindings: Bindings;
}

const ICON = { triggered: '🔴', acknowledged: '👀', resolved: '🟢' } as const;

export function incidentLine(i: Incident): string {
  const who = i.ackedBy.length ? ` · acked by ${i.ackedBy.map((a) => a.name ?? a.open_id).join(', ')}` : '';
  return `${ICON[i.status]} #${i.id} [${i.severity}] ${i.title} · ${i.status === 'resolved' ? 'resolved' : `${i.firing} firing`}${who}`;
}

/** The open incidents whose cards are in this chat (in a DM: all open ones). */
async function openIn(d: CommandDeps, chatId: string, p2p: boolean): Promise<Incident[]> {
  if (p2p) return d.book.list({ open: true, limit: 30 });
  const db = d.store.db as unknown as AlertDb;
  const ids = (await db.selectFrom('alert_deliveries').select('incident_id').where('target', '=', chatId).execute()).map((r) => r.incident_id);
  const warRoom = (await db.selectFrom('alert_incidents').select('id').where('war_room_chat_id', '=', chatId).execute()).map((r) => r.id);
  return d.book.list({ open: true, ids: [...new Set([...ids, ...warRoom])], limit: 30 });
}

/** The incident a command means: its argument, else this chat's war-room incident, else the only open one here. */
async function target(d: CommandDeps, ctx: Pick<CommandContext, 'args' | 'message'>): Promise<string | undefined> {
  if (ctx.args[0]) return ctx.args[0];
  const db = d.store.db as unknown as AlertDb;
  const room = await db.selectFrom('alert_incidents').select('id').where('war_room_chat_id', '=', ctx.message.chatId).executeTakeFirst();
  if (room) return room.id;
  const open = await openIn(d, ctx.message.chatId, ctx.message.chatType === 'p2p');
  return open.length === 1 ? open[0].id : undefined;
}

/** `/incidents`, `/ack`, `/resolve`, `/snooze`, `/escalate`, `/warroom`, `/bind`. */
export function incidentCommands(d: CommandDeps): [name: string, description: string, fn: (ctx: CommandContext) => Promise<unknown>][] {
  const acting = (action: IncidentAction, usage: string) => async (ctx: CommandContext) => {
    // /snooze takes a duration anywhere: /snooze 3f9a2c 1h, or /snooze 1h in a war room.
    const at = action === 'snooze' ? ctx.args.findIndex((a) => SNOOZE_DURATIONS[a] !== undefined) : -1;
    const arg = at >= 0 ? ctx.args[at] : undefined;
    const id = await target(d, at >= 0 ? { ...ctx, args: ctx.args.filter((_, i) => i !== at) } : ctx);
    if (!id) return ctx.reply.text(`Which incident? ${usage} (/incidents lists them)`);
    const out = await d.responders.act(id, action, ctx.sender.openId ?? '', arg);
    return ctx.reply.text(out.message);
  };
  return [
    [
      '/incidents',
      'Open incidents in this chat',
      async (ctx) => {
        const open = await openIn(d, ctx.message.chatId, ctx.message.chatType === 'p2p');
        return ctx.reply.text(open.length ? `${open.length} open incident${open.length > 1 ? 's' : ''}:\n${open.map(incidentLine).join('\n')}\n\n/ack <id> · /resolve <id> · /snooze <id> 1h` : 'No open incidents here. 🎉');
      },
    ],
    ['/ack', 'Acknowledge an incident: /ack <id>', acting('ack', '/ack <id>')],
    ['/resolve', 'Resolve an incident: /resolve <id>', acting('resolve', '/resolve <id>')],
    ['/snooze', 'Snooze an incident: /snooze <id> 1h|4h|24h', acting('snooze', '/snooze <id> 1h')],
    ['/escalate', 'Escalate an incident: /escalate <id>', acting('escalate', '/escalate <id>')],
    ['/warroom', 'Open a war room for an incident: /warroom <id>', acting('war_room', '/warroom <id>')],
    [
      '/bind',
      'Link your Feishu account to the alerting system: /bind <your id>',
      async (ctx) => {
        const openId = ctx.sender.openId ?? '';
        if (!ctx.args[0]) {
          const now = await d.bindings.userOf(openId);
          return ctx.reply.text(`${now ? `You are linked as ${now}. ` : 'You are not linked yet. '}To link (or relink), ${d.bindings.howTo}.`);
        }
        await d.bindings.bind(openId, ctx.args[0]);
        const applied = await d.responders.applyHeld(openId);
        return ctx.reply.text(`Linked: you are ${ctx.args[0]} in the alerting system.${applied.length ? `\nApplied what you asked before: ${applied.map((a) => a.message).join(' ')}` : ''}`);
      },
    ],
  ];
}
