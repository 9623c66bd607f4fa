import { uuidFrom, type Messenger } from '../bot/index.js';
import type { Logger } from '../config/index.js';
import type { Store } from '../store/index.js';
import { toMs } from '../store/schema.js';
import type { AlertsConfig } from './config.js';
import { readIncident, type Incident, type IncidentBook } from './incidents.js';
import type { People } from './people.js';
import type { AlertDb } from './tables.js';
import { warRoomName } from './war-room-name.js';

/**
 * War rooms (the platform's "运维告警自动拉群"): a group per incident, named after it, with its
 * responders in it and its card posted there; renamed "[Resolved] …" when it resolves, its
 * history copied into the incident's timeline, and disbanded after `war_room_disband_after_ms`.
 * Each step is claimed in the database, so one replica does it once; chat creation carries a
 * uuid, so a crash between creating and recording does not make a second chat.
 */
export class WarRooms {
  constructor(
    private readonly d: { store: Store; book: IncidentBook; messenger: Messenger; people: People; config: AlertsConfig; logger: Logger; now?: () => number },
  ) {}

  private get db(): AlertDb {
    return this.d.store.db as unknown as AlertDb;
  }

  private now() {
    return (this.d.now ?? Date.now)();
  }

  /** Asks for a war room (the button, `/warroom`): answers false when one exists or is on its way. */
  async request(id: string, by?: { openId: string; name?: string }): Promise<boolean> {
    const changed = await this.d.book.change(id, (row) =>
      row.war_room_state || row.status === 'resolved' ? undefined : { set: { war_room_state: 'requested' }, entry: { kind: 'war_room_requested', actor: by?.openId, text: `war room requested by ${by?.name ?? by?.openId ?? 'policy'}` } },
    );
    return Boolean(changed);
  }

  /** Everyone who belongs in the room: the route's people and mentions, who acknowledged, who asked. */
  private async invitees(i: Incident): Promise<string[]> {
    const routes = this.d.book.routes.filter((r) => i.routes.includes(r.name));
    const entries = [...routes.flatMap((r) => [...r.users, ...r.mention]), ...i.ackedBy.map((a) => a.open_id)];
    const askers = (await this.db.selectFrom('alert_timeline').select('actor').where('incident_id', '=', i.id).where('kind', '=', 'war_room_requested').execute()).map((r) => r.actor).filter((a): a is string => Boolean(a));
    return this.d.people.resolveAll([...entries, ...askers], i.labels);
  }

  /** One round: create requested rooms, close resolved ones, disband old ones. */
  async work(): Promise<void> {
    const now = this.now();
    const requested = await this.db
      .selectFrom('alert_incidents')
      .selectAll()
      .where((eb) => eb.or([eb('war_room_state', '=', 'requested'), eb.and([eb('war_room_state', '=', 'creating'), eb('updated_at', '<', now - 60_000)])]))
      .limit(10)
      .execute();
    for (const row of requested) {
      // Resolved before the room was made: nobody needs it any more.
      if (row.status === 'resolved') await this.claim(row.id, row.war_room_state!, null);
      else await this.create(readIncident(row), row.war_room_state!);
    }
    const resolved = await this.db.selectFrom('alert_incidents').selectAll().where('war_room_state', '=', 'open').where('status', '=', 'resolved').limit(10).execute();
    for (const row of resolved) await this.close(readIncident(row));
    const after = this.d.config.war_room_disband_after_ms;
    if (after > 0) {
      const old = await this.db.selectFrom('alert_incidents').selectAll().where('war_room_state', '=', 'resolved').where('resolved_at', '<', now - after).limit(10).execute();
      for (const row of old) await this.disband(readIncident(row));
    }
  }

  private async claim(id: string, from: string, to: string | null): Promise<boolean> {
    const r = await this.db.updateTable('alert_incidents').set({ war_room_state: to, updated_at: this.now() }).where('id', '=', id).where('war_room_state', '=', from).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  private async create(i: Incident, state: string): Promise<void> {
    if (!(await this.claim(i.id, state, 'creating'))) return;
    try {
      const users = await this.invitees(i);
      const chat = await this.d.messenger.chats.create({ name: warRoomName(i), description: `Incident #${i.id}: ${i.title}`, users, uuid: uuidFrom('war-room', i.id).slice(0, 40) });
      const now = this.now();
      await this.db
        .insertInto('alert_deliveries')
        .values({ id: `${i.id}:${chat.chat_id}`, incident_id: i.id, target: chat.chat_id, kind: 'war_room', route: i.routes[0] ?? null, rendered_version: 0, attempts: 0, next_at: now, failed: 0, created_at: now })
        .onConflict((oc) => oc.column('id').doNothing())
        .execute();
      await this.d.book.change(i.id, () => ({ set: { war_room_chat_id: chat.chat_id, war_room_state: 'open' }, entry: { kind: 'war_room_opened', text: `war room "${warRoomName(i)}" opened with ${users.length} responders (${chat.chat_id})` } }));
      this.d.logger.info({ incident: i.id, chat_id: chat.chat_id, invited: users.length }, 'war room opened');
    } catch (err) {
      this.d.logger.error({ err, incident: i.id }, 'could not open the war room; trying again shortly');
      await this.claim(i.id, 'creating', 'requested');
      await this.d.book.addTimeline(i.id, [{ at: this.now(), kind: 'war_room_failed', text: `could not open the war room: ${(err as Error).message}` }]);
    }
  }

  private async close(i: Incident): Promise<void> {
    if (!i.warRoomChatId || !(await this.claim(i.id, 'open', 'closing'))) return;
    try {
      await this.d.messenger.chats.update(i.warRoomChatId, { name: warRoomName(i) });
      await this.d.messenger.sendText(i.warRoomChatId, `Incident #${i.id} is resolved. This chat's history is kept in the incident's timeline${this.d.config.war_room_disband_after_ms ? ` and the chat is disbanded in ${Math.round(this.d.config.war_room_disband_after_ms / 86_400_000) || 1} day(s)` : ''}.`, { uuid: uuidFrom('war-room-resolved', i.id) });
      await this.archive(i);
      await this.d.book.change(i.id, () => ({ set: { war_room_state: 'resolved' }, entry: { kind: 'war_room_resolved', text: `war room renamed "${warRoomName(i)}", history archived` } }));
    } catch (err) {
      this.d.logger.error({ err, incident: i.id, chat_id: i.warRoomChatId }, 'could not close the war room; trying again shortly');
      await this.claim(i.id, 'closing', 'open');
    }
  }

  /** Copies the room's messages (people's, not the bot's cards) into the timeline. */
  private async archive(i: Incident): Promise<void> {
    const entries = [];
    const since = i.openedAt - 60_000;
    for await (const m of this.d.messenger.history(i.warRoomChatId!, { since })) {
      if (m.sender?.sender_type !== 'user' || m.msg_type !== 'text') continue;
      let text = '';
      try {
        text = String((JSON.parse(m.body?.content ?? '{}') as { text?: string }).text ?? '');
      } catch {
        continue;
      }
      entries.push({ at: Number(m.create_time) || this.now(), kind: 'chat', actor: m.sender?.id, text: text.slice(0, 2000) });
    }
    await this.d.book.addTimeline(i.id, entries);
  }

  private async disband(i: Incident): Promise<void> {
    if (!i.warRoomChatId || !(await this.claim(i.id, 'resolved', 'disbanding'))) return;
    try {
      await this.d.messenger.chats.disband(i.warRoomChatId);
      await this.d.book.change(i.id, () => ({ set: { war_room_state: 'disbanded' }, entry: { kind: 'war_room_disbanded', text: `war room disbanded ${Math.round((this.now() - (toMs(i.resolvedAt) ?? this.now())) / 3600_000)} h after resolution` } }));
    } catch (err) {
      this.d.logger.error({ err, incident: i.id }, 'could not disband the war room; trying again later');
      await this.claim(i.id, 'disbanding', 'resolved');
    }
  }
}
