import { mention, uuidFrom, type Messenger } from '../bot/index.js';
import type { Logger } from '../config/index.js';
import type { AlertsConfig } from './config.js';
import type { Bindings } from './bindings.js';
import type { Incident, IncidentBook } from './incidents.js';
import type { Notifier } from './notifier.js';
import type { People } from './people.js';
import type { AlertDb } from './tables.js';
import type { WarRooms } from './war-rooms.js';
import type { Store } from '../store/index.js';

export const INCIDENT_ACTIONS = ['ack', 'unack', 'resolve', 'snooze', 'silence', 'escalate', 'war_room'] as const;
export type IncidentAction = (typeof INCIDENT_ACTIONS)[number];

export const SNOOZE_DURATIONS: Record<string, number> = { '30m': 30 * 60_000, '1h': 3600_000, '2h': 2 * 3600_000, '4h': 4 * 3600_000, '24h': 24 * 3600_000 };

export interface ActionOutcome {
  ok: boolean;
  /** What to tell the person (toast or reply). */
  message: string;
  incident?: Incident;
  /** Not applied yet: the person must bind first (applied when they do). */
  held?: boolean;
}

/**
 * What people do to incidents, from a card or a command, as themselves: acknowledge (several
 * people may), resolve, snooze, escalate, open a war room. Each is recorded in the timeline with
 * the Feishu user and the alerting-system user they are bound to.
 */
export class Responders {
  constructor(
    private readonly d: { store: Store; book: IncidentBook; bindings: Bindings; people: People; warRooms: WarRooms; notifier: Notifier; messenger: Messenger; config: AlertsConfig; logger: Logger },
  ) {}

  async act(incidentId: string, action: IncidentAction, openId: string, arg?: string): Promise<ActionOutcome> {
    const { book, bindings, people } = this.d;
    const id = incidentId.replace(/^#/, '').toLowerCase();
    const current = await book.get(id);
    if (!current) return { ok: false, message: `No incident #${id}. /incidents lists the open ones.` };
    if ((action === 'snooze' || action === 'silence') && !SNOOZE_DURATIONS[arg ?? '']) return { ok: false, message: `Snooze for how long? One of ${Object.keys(SNOOZE_DURATIONS).join(', ')}.` };
    const user = await bindings.userOf(openId);
    if (!user && bindings.required) {
      await bindings.hold(openId, id, action, arg);
      await book.addTimeline(id, [{ at: Date.now(), kind: 'held', actor: openId, text: `${action} by an unbound user held until they bind` }]);
      return { ok: false, held: true, message: `Your Feishu account is not linked to the alerting system yet: ${bindings.howTo}. What you asked (${action.replace('_', ' ')} #${id}) is kept and applied when you do.` };
    }
    const name = (await people.nameOf(openId)) ?? openId;
    const who = user ? `${name} (${user})` : name;
    const entry = (kind: string, text: string) => ({ kind, actor: openId, actorUser: user, text });
    let changed: Incident | undefined;
    switch (action) {
      case 'ack':
        changed = await book.change(id, (row, now) => {
          const ackers = JSON.parse(row.acked_by) as { open_id: string }[];
          if (row.status === 'resolved' || ackers.some((a) => a.open_id === openId)) return undefined;
          return { set: { status: 'acknowledged', acked_by: JSON.stringify([...ackers, { open_id: openId, name, user, at: now }]) }, entry: entry('acknowledged', `acknowledged by ${who}`) };
        });
        if (!changed) return { ok: true, message: current.status === 'resolved' ? `#${id} is already resolved.` : `You already acknowledged #${id}.`, incident: current };
        break;
      case 'unack':
        changed = await book.change(id, (row) => {
          const ackers = (JSON.parse(row.acked_by) as { open_id: string }[]).filter((a) => a.open_id !== openId);
          if (row.status !== 'acknowledged') return undefined;
          return { set: { status: ackers.length ? 'acknowledged' : 'triggered', acked_by: JSON.stringify(ackers) }, entry: entry('unacknowledged', `${who} stepped back`) };
        });
        break;
      case 'resolve':
        changed = await book.change(id, (row, now) => (row.status === 'resolved' ? undefined : { set: { status: 'resolved', open_key: null, resolved_at: now, resolved_by: JSON.stringify({ open_id: openId, name, user, at: now }), snoozed_until: null }, entry: entry('resolved', `resolved by ${who} in Feishu`) }));
        if (!changed) return { ok: true, message: `#${id} is already resolved.`, incident: current };
        break;
      case 'snooze': {
        const ms = SNOOZE_DURATIONS[arg!];
        changed = await book.change(id, (row, now) => (row.status === 'resolved' ? undefined : { set: { snoozed_until: now + ms }, entry: entry('snoozed', `snoozed for ${arg} by ${who}: no reminders until then`) }));
        if (!changed) return { ok: false, message: `#${id} is resolved; nothing to snooze.`, incident: current };
        break;
      }
      case 'escalate':
        changed = await this.escalate(id, openId, who, user);
        if (!changed) return { ok: false, message: `#${id} has no one to escalate to (routes' escalate_to), or it is resolved.`, incident: current };
        break;
      case 'silence': {
        const r = await this.silence(current, arg!, who);
        if (!r.ok) return { ok: false, message: r.message, incident: current };
        // The card does not change (Alertmanager holds the silence): a timeline line, no re-render.
        await book.addTimeline(id, [{ at: Date.now(), ...entry('silenced_upstream', `silenced in Alertmanager for ${arg} by ${who} (silence ${r.silenceId})`) }]);
        return { ok: true, message: `Silenced in Alertmanager for ${arg} (silence ${r.silenceId}).`, incident: current };
      }
      case 'war_room':
        if (!(await this.d.warRooms.request(id, { openId, name }))) return { ok: true, message: current.warRoomChatId ? `#${id} already has a war room.` : `The war room of #${id} is on its way.`, incident: current };
        changed = await book.get(id);
        break;
    }
    this.d.notifier.kick();
    return { ok: true, message: `${label(action)[0].toUpperCase()}${label(action).slice(1)} #${id}${action === 'snooze' ? ` for ${arg}` : ''}.`, incident: changed ?? current };
  }

  /** Escalate: the next people (the routes' `escalate_to`) get the card, and each chat card's thread @s them. */
  private async escalate(id: string, openId: string, who: string, user?: string): Promise<Incident | undefined> {
    const incident = await this.d.book.get(id);
    if (!incident || incident.status === 'resolved') return undefined;
    const routes = this.d.book.routes.filter((r) => incident.routes.includes(r.name));
    const people = await this.d.people.resolveAll(routes.flatMap((r) => r.escalate_to), incident.labels);
    if (people.length === 0) return undefined;
    const changed = await this.d.book.change(id, (row) => ({ set: { escalation_level: row.escalation_level + 1 }, entry: { kind: 'escalated', actor: openId, actorUser: user, text: `escalated by ${who} to level ${row.escalation_level + 1}` } }));
    const db = this.d.store.db as unknown as AlertDb;
    const now = Date.now();
    for (const p of people) {
      await db
        .insertInto('alert_deliveries')
        .values({ id: `${id}:${p}`, incident_id: id, target: p, kind: 'escalation', route: null, rendered_version: 0, attempts: 0, next_at: now, failed: 0, created_at: now })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
    }
    const cards = await db.selectFrom('alert_deliveries').select(['message_id', 'target']).where('incident_id', '=', id).where('kind', 'in', ['chat', 'war_room']).where('message_id', 'is not', null).execute();
    for (const c of cards) {
      await this.d.messenger.reply(c.message_id!, { msgType: 'text', content: { text: `Escalated by ${who} to ${people.map((p) => mention(p)).join(' ')}` } }, { uuid: uuidFrom('alert-escalate', id, String(changed?.escalationLevel), c.target) });
    }
    return changed;
  }

  /** Creates a silence in Alertmanager for the incident's group labels, in the clicker's name. */
  private async silence(i: Incident, duration: string, who: string): Promise<{ ok: true; silenceId: string } | { ok: false; message: string }> {
    const base = this.d.config.alertmanager_url;
    if (!base || !this.d.config.alertmanager_silences || i.source !== 'alertmanager') return { ok: false, message: 'Silencing in Alertmanager is not set up (alerts.alertmanager_url, alerts.alertmanager_silences).' };
    const matchers = Object.entries(i.labels).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true }));
    if (!matchers.length) return { ok: false, message: `#${i.id} has no labels its alerts share; silence it in Alertmanager's own page.` };
    const now = Date.now();
    const token = this.d.config.alertmanager_token_env ? process.env[this.d.config.alertmanager_token_env] : undefined;
    try {
      const res = await fetch(`${base.replace(/\/$/, '')}/api/v2/silences`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ matchers, startsAt: new Date(now).toISOString(), endsAt: new Date(now + SNOOZE_DURATIONS[duration]).toISOString(), createdBy: who, comment: `from Feishu, incident #${i.id}: ${i.title}` }),
        signal: AbortSignal.timeout(5000),
      });
      const body = (await res.json().catch(() => ({}))) as { silenceID?: string };
      if (!res.ok || !body.silenceID) this.d.logger.warn({ incident: i.id, status: res.status, body }, 'Alertmanager refused the silence');
      if (!res.ok || !body.silenceID) return { ok: false, message: `Alertmanager refused the silence (HTTP ${res.status}); try its own page.` };
      return { ok: true, silenceId: body.silenceID };
    } catch (err) {
      this.d.logger.warn({ err, incident: i.id, alertmanager: base }, 'could not reach Alertmanager to silence');
      return { ok: false, message: `Alertmanager could not be reached (${(err as Error).message}); nothing was silenced.` };
    }
  }

  /** Applies what an unbound user asked for before binding. */
  async applyHeld(openId: string): Promise<ActionOutcome[]> {
    const held = await this.d.bindings.takeHeld(openId);
    const out: ActionOutcome[] = [];
    for (const h of held) out.push(await this.act(h.incidentId, h.action as IncidentAction, openId, h.arg));
    return out;
  }
}

function label(action: IncidentAction): string {
  return { ack: 'acknowledged', unack: 'unacknowledged', resolve: 'resolved', snooze: 'snoozed', silence: 'silenced', escalate: 'escalated', war_room: 'war room requested for' }[action];
}
