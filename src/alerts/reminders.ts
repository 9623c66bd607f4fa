import { mention, uuidFrom, type Messenger } from '../bot/index.js';
import type { Logger } from '../config/index.js';
import type { Store } from '../store/index.js';
import { toMs } from '../store/schema.js';
import { readIncident, type IncidentBook } from './incidents.js';
import type { Notifier } from './notifier.js';
import type { AlertDb } from './tables.js';

/**
 * Re-notification: a snooze that ran out puts the incident back in front of people (a reply in
 * each card's thread with the route's mentions); an incident left unacknowledged longer than its
 * route's `repeat_interval_ms` gets the same reply. Claimed by a conditional update, so across
 * replicas each reminder is sent once.
 */
export async function remindIncidents(d: { store: Store; book: IncidentBook; notifier: Notifier; messenger: Messenger; logger: Logger; now?: number }): Promise<number> {
  const db = d.store.db as unknown as AlertDb;
  const now = d.now ?? Date.now();
  let sent = 0;
  const woke = await db.selectFrom('alert_incidents').selectAll().where('snoozed_until', '<=', now).where('status', '!=', 'resolved').limit(50).execute();
  for (const row of woke) {
    const changed = await d.book.change(row.id, (r) => (toMs(r.snoozed_until) !== toMs(row.snoozed_until) ? undefined : { set: { snoozed_until: null, reminded_at: now }, entry: { kind: 'snooze_ended', text: 'snooze ended; still open' } }));
    if (changed) sent += await remind(d, row.id, `Snooze ended: #${row.id} is still ${row.status === 'acknowledged' ? 'open' : 'firing and unacknowledged'}.`, `snooze:${toMs(row.snoozed_until)}`);
  }
  const open = await db.selectFrom('alert_incidents').selectAll().where('status', '=', 'triggered').where('flapping', '=', 0).limit(200).execute();
  for (const row of open) {
    const i = readIncident(row);
    if (i.snoozedUntil && i.snoozedUntil > now) continue;
    const every = Math.min(...d.book.routes.filter((r) => i.routes.includes(r.name) && r.repeat_interval_ms > 0).map((r) => r.repeat_interval_ms));
    if (!Number.isFinite(every)) continue;
    const last = toMs(row.reminded_at) ?? i.openedAt;
    if (now - last < every) continue;
    const claimed = await db.updateTable('alert_incidents').set({ reminded_at: now }).where('id', '=', row.id).where((eb) => (row.reminded_at === null ? eb('reminded_at', 'is', null) : eb('reminded_at', '=', row.reminded_at))).executeTakeFirst();
    if (Number(claimed.numUpdatedRows) !== 1) continue;
    await d.book.addTimeline(row.id, [{ at: now, kind: 'reminded', text: `reminded: unacknowledged for ${Math.round((now - i.openedAt) / 60_000)} min` }]);
    sent += await remind(d, row.id, `Still firing and unacknowledged after ${Math.round((now - i.openedAt) / 60_000)} min.`, `repeat:${now}`);
  }
  if (sent) d.notifier.kick();
  return sent;
}

async function remind(d: { store: Store; book: IncidentBook; notifier: Notifier; messenger: Messenger; logger: Logger }, id: string, text: string, key: string): Promise<number> {
  const db = d.store.db as unknown as AlertDb;
  const incident = await d.book.get(id);
  if (!incident) return 0;
  const cards = await db.selectFrom('alert_deliveries').selectAll().where('incident_id', '=', id).where('kind', 'in', ['chat', 'war_room']).where('message_id', 'is not', null).execute();
  let n = 0;
  for (const c of cards) {
    const mentions = await d.notifier.mentionsFor(incident, c.route);
    try {
      await d.messenger.reply(c.message_id!, { msgType: 'text', content: { text: `${text}${mentions.length ? ` ${mentions.map((m) => mention(m)).join(' ')}` : ''}` } }, { uuid: uuidFrom('alert-remind', id, key, c.target) });
      n++;
    } catch (err) {
      d.logger.warn({ err, incident: id, target: c.target }, 'could not send the reminder');
    }
  }
  return n;
}
