import type { Messenger } from '../bot/index.js';
import { uuidFrom } from '../bot/index.js';
import type { Logger } from '../config/index.js';
import { FeishuApiError } from '../platform/index.js';
import type { Store } from '../store/index.js';
import { toMs } from '../store/schema.js';
import { CardValidationError } from '../cards/index.js';
import { incidentCard, summaryCard } from './card.js';
import type { AlertsConfig } from './config.js';
import { readIncident, type Incident, type IncidentBook } from './incidents.js';
import type { People } from './people.js';
import type { AlertDb, AlertDeliveriesTable } from './tables.js';
import { warRoomName } from './war-room-name.js';
import { logTarget, type IncidentLog } from './bitable-log.js';
import { RecordValueError } from '../bitable/index.js';

const LEASE_MS = 30_000;
/** A Bitable write may spend a while in the platform client's retries: its claim lasts longer. */
const RECORD_LEASE_MS = 120_000;
const BATCH = 50;

export interface NotifierDeps {
  store: Store;
  book: IncidentBook;
  messenger: Messenger;
  people: People;
  config: AlertsConfig;
  logger: Logger;
  owner: string;
  now?: () => number;
  /** Extra work each round (war rooms), run by the same loop. */
  also?: () => Promise<unknown>;
  /** The Bitable incident log (alerts.bitable), when configured. */
  log?: IncidentLog;
}

/** Counts what the loop sent, for the storm benchmark and /metrics. */
export interface NotifierStats {
  cardsSent: number;
  cardsPatched: number;
  summariesSent: number;
  summariesPatched: number;
  folded: number;
  failures: number;
}

/**
 * The delivery loop. Each delivery (an incident's card in one chat or DM) renders when its
 * incident's version is ahead of the version it shows. Coalescing falls out of that: any number
 * of changes between two renders become one update, and a card is updated at most once per
 * `card_update_every_ms`. A chat that already got `storm.max_cards` new cards in the window gets
 * later incidents on one summary card instead. Rows are claimed with a lease, so replicas share
 * the work and never send one card twice (the send's uuid covers a crash between send and record).
 */
export class Notifier {
  readonly stats: NotifierStats = { cardsSent: 0, cardsPatched: 0, summariesSent: 0, summariesPatched: 0, folded: 0, failures: 0 };
  private timer?: NodeJS.Timeout;
  private wakeAt?: { at: number; timer: NodeJS.Timeout };
  private running?: Promise<void>;
  private again = false;
  private stopped = false;
  private readonly now: () => number;
  /** Incident-log writes in flight: off the round, so a slow or failing Bitable never holds a card back. */
  private readonly records = new Set<Promise<void>>();

  constructor(private readonly d: NotifierDeps) {
    this.now = d.now ?? Date.now;
  }

  private get db(): AlertDb {
    return this.d.store.db as unknown as AlertDb;
  }

  start(): void {
    this.timer = setInterval(() => this.kick(), this.d.config.poll_every_ms);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.timer);
    if (this.wakeAt) clearTimeout(this.wakeAt.timer);
    await this.running;
    await Promise.all([...this.records]);
  }

  /** A held-back update is due at `at`: run a round then rather than at the next poll. */
  private wakeAtTime(at: number): void {
    if (this.stopped || (this.wakeAt && this.wakeAt.at <= at)) return;
    if (this.wakeAt) clearTimeout(this.wakeAt.timer);
    const timer = setTimeout(() => {
      this.wakeAt = undefined;
      this.kick();
    }, Math.max(0, at - this.now()) + 5);
    timer.unref();
    this.wakeAt = { at, timer };
  }

  /** Runs a round now (or right after the current one). */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = (async () => {
      do {
        this.again = false;
        try {
          const n = await this.round();
          if (n >= BATCH) this.again = true;
        } catch (err) {
          this.d.logger.error({ err }, 'alert delivery round failed; it runs again shortly');
        }
      } while (this.again && !this.stopped);
    })().finally(() => (this.running = undefined));
  }

  /** Resolves when no delivery is due or in flight (tests, benchmarks). */
  async idle(): Promise<void> {
    while (this.running || this.records.size) await Promise.all([this.running, ...this.records]);
  }

  /** One round: due deliveries, due summaries, and the extra work. Answers how many rows it took. */
  async round(): Promise<number> {
    await this.d.also?.();
    const now = this.now();
    const due = await this.db
      .selectFrom('alert_deliveries as d')
      .innerJoin('alert_incidents as i', 'i.id', 'd.incident_id')
      .selectAll('d')
      .select('i.version as incident_version')
      .where('d.failed', '=', 0)
      .whereRef('d.rendered_version', '<', 'i.version')
      .where('d.next_at', '<=', now)
      .where((eb) => eb.or([eb('d.locked_until', 'is', null), eb('d.locked_until', '<', now)]))
      .orderBy('d.created_at')
      .limit(BATCH)
      .execute();
    for (const row of due.filter((r) => r.kind === 'bitable')) {
      const p: Promise<void> = this.deliverRecord(row, row.incident_version).finally(() => this.records.delete(p));
      this.records.add(p);
    }
    await Promise.all(due.filter((r) => r.kind !== 'bitable').map((row) => this.deliver(row, row.incident_version)));
    const summaries = await this.db
      .selectFrom('alert_summaries')
      .selectAll()
      .whereRef('rendered_version', '<', 'version')
      .where('next_at', '<=', now)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)]))
      .limit(BATCH)
      .execute();
    await Promise.all(summaries.map((s) => this.deliverSummary(s.key)));
    return due.length + summaries.length;
  }

  private async claim(table: 'alert_deliveries' | 'alert_summaries', key: string, now: number, leaseMs = LEASE_MS): Promise<boolean> {
    const set = { locked_by: this.d.owner, locked_until: now + leaseMs };
    const r =
      table === 'alert_deliveries'
        ? await this.db.updateTable('alert_deliveries').set(set).where('id', '=', key).where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)])).executeTakeFirst()
        : await this.db.updateTable('alert_summaries').set(set).where('key', '=', key).where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<', now)])).executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** The card of an incident (the same wherever it is shown); it names who is on call (a new card's @ notifies them). */
  async cardFor(incident: Incident): Promise<Record<string, unknown>> {
    const routes = this.d.book.routes.filter((r) => incident.routes.includes(r.name));
    const mentions = incident.flapping ? [] : await this.d.people.resolveAll(routes.flatMap((r) => r.mention), incident.labels);
    return incidentCard({
      incident,
      alerts: await this.d.book.alerts(incident.id),
      mentions,
      maxAlerts: this.d.config.max_alerts_per_card,
      warRoomName: incident.warRoomChatId ? warRoomName(incident) : undefined,
      warRoomButton: routes.length === 0 || routes.some((r) => r.war_room !== 'off'),
      alertmanagerUrl: this.d.config.alertmanager_url,
      silenceInAlertmanager: Boolean(this.d.config.alertmanager_url && this.d.config.alertmanager_silences),
    });
  }

  /** Who a new card @-mentions: its route's `mention` list, unless flapping or snoozed. */
  async mentionsFor(incident: Incident, routeName: string | null): Promise<string[]> {
    if (incident.flapping || incident.status === 'resolved') return [];
    const route = this.d.book.routes.find((r) => r.name === routeName);
    return route ? this.d.people.resolveAll(route.mention, incident.labels) : [];
  }

  private async deliver(row: AlertDeliveriesTable, version: number): Promise<void> {
    const now = this.now();
    if (!(await this.claim('alert_deliveries', row.id, now))) return;
    const release = (set: Partial<AlertDeliveriesTable>) => this.db.updateTable('alert_deliveries').set({ locked_by: null, locked_until: null, ...set }).where('id', '=', row.id).where('locked_by', '=', this.d.owner).execute();
    try {
      if (row.summary_key) {
        await this.bumpSummary(row.summary_key);
        await release({ rendered_version: version });
        return;
      }
      if (!row.message_id) {
        if (!(await this.reserveCard(row, now))) {
          const key = `${row.target}:${Math.floor(now / this.d.config.storm.window_ms)}`;
          await this.db.insertInto('alert_summaries').values({ key, chat_id: row.target, version: 1, rendered_version: 0, next_at: now, created_at: now }).onConflict((oc) => oc.column('key').doNothing()).execute();
          await this.bumpSummary(key);
          this.stats.folded++;
          await release({ summary_key: key, rendered_version: version });
          return;
        }
        const incident = await this.d.book.get(row.incident_id);
        if (!incident) return void (await release({ failed: 1, last_error: 'incident gone' }));
        const sent = await this.d.messenger.sendCard(row.target, await this.cardFor(incident), { uuid: uuidFrom('alert-card', row.id) });
        this.stats.cardsSent++;
        await release({ message_id: sent.message_id, sent_at: now, patched_at: now, rendered_version: incident.version, attempts: 0, last_error: null });
        return;
      }
      const every = this.d.config.card_update_every_ms;
      const last = toMs(row.patched_at) ?? 0;
      if (now - last < every) {
        this.wakeAtTime(last + every);
        return void (await release({ next_at: last + every }));
      }
      const incident = await this.d.book.get(row.incident_id);
      if (!incident) return void (await release({ failed: 1, last_error: 'incident gone' }));
      await this.d.messenger.patch(row.message_id, await this.cardFor(incident));
      this.stats.cardsPatched++;
      await release({ patched_at: now, rendered_version: incident.version, attempts: 0, last_error: null });
    } catch (err) {
      await this.failed(row, err, release);
    }
  }

  /**
   * The incident's record in the Bitable incident log: created on the first write (client_token
   * from the row id, so a retry never doubles it; the record id is kept in `message_id`), then
   * updated whenever the incident's version moves, at most once per card_update_every_ms.
   */
  private async deliverRecord(row: AlertDeliveriesTable, version: number): Promise<void> {
    const now = this.now();
    const log = this.d.log;
    if (!(await this.claim('alert_deliveries', row.id, now, RECORD_LEASE_MS))) return;
    const release = (set: Partial<AlertDeliveriesTable>) => this.db.updateTable('alert_deliveries').set({ locked_by: null, locked_until: null, ...set }).where('id', '=', row.id).where('locked_by', '=', this.d.owner).execute();
    try {
      if (!log || row.target !== logTarget({ app_token: log.target.appToken, table_id: log.target.tableId })) {
        // The config no longer logs there (alerts.bitable changed or removed): this row is done.
        return void (await release({ failed: 1, last_error: `alerts.bitable no longer names ${row.target}` }));
      }
      const every = this.d.config.card_update_every_ms;
      const last = toMs(row.patched_at) ?? 0;
      if (row.message_id && now - last < every) {
        this.wakeAtTime(last + every);
        return void (await release({ next_at: last + every }));
      }
      const incident = await this.d.book.get(row.incident_id);
      if (!incident) return void (await release({ failed: 1, last_error: 'incident gone' }));
      const recordId = await log.write(incident, { idempotencyKey: row.id, recordId: row.message_id ?? undefined });
      await release({ message_id: recordId ?? row.message_id, sent_at: row.sent_at ?? now, patched_at: now, rendered_version: Math.max(version, incident.version), attempts: 0, last_error: null });
    } catch (err) {
      this.stats.failures++;
      const api = err instanceof FeishuApiError ? err : undefined;
      const attempts = row.attempts + 1;
      const permanent = err instanceof RecordValueError || (api && !api.retryable) || attempts >= 10;
      const why = api ? `${api.code} ${api.msg} — ${api.explain().action}` : String((err as Error)?.message ?? err);
      const info = { err, incident: row.incident_id, target: row.target, record_id: row.message_id, attempts };
      if (permanent) {
        this.d.logger.error(info, `the incident's Bitable record could not be written (${why}); giving up on it (its cards are not affected)`);
        await release({ failed: 1, attempts, last_error: why });
        await this.d.book.addTimeline(row.incident_id, [{ at: this.now(), kind: 'delivery_failed', text: `could not write the incident log record in ${row.target}: ${why}` }]);
      } else {
        const delay = Math.min(60_000, 1000 * 2 ** (attempts - 1)) * (0.5 + Math.random() / 2);
        this.d.logger.warn({ ...info, retry_in_ms: Math.round(delay) }, `the incident's Bitable record could not be written (${why}); retrying (cards are not held back)`);
        await release({ attempts, last_error: why, next_at: this.now() + Math.max(delay, (api?.retryAfterSec ?? 0) * 1000) });
      }
    }
  }

  private async failed(row: AlertDeliveriesTable, err: unknown, release: (set: Partial<AlertDeliveriesTable>) => Promise<unknown>) {
    this.stats.failures++;
    const now = this.now();
    const api = err instanceof FeishuApiError ? err : undefined;
    const attempts = row.attempts + 1;
    const permanent = (api && !api.retryable) || err instanceof CardValidationError || attempts >= 10;
    const why = api ? `${api.code} ${api.msg} — ${api.explain().action}` : String((err as Error)?.message ?? err);
    const log = { err, incident: row.incident_id, target: row.target, message_id: row.message_id, attempts };
    if (permanent) {
      this.d.logger.error(log, `alert card could not be ${row.message_id ? 'updated' : 'sent'}; giving up on this chat for this incident (see its timeline)`);
      await release({ failed: 1, attempts, last_error: why });
      await this.d.book.addTimeline(row.incident_id, [{ at: now, kind: 'delivery_failed', text: `could not ${row.message_id ? 'update the card in' : 'send to'} ${row.target}: ${why}` }]);
    } else {
      const delay = Math.min(60_000, 500 * 2 ** (attempts - 1)) * (0.5 + Math.random() / 2);
      this.d.logger.warn(log, 'alert card delivery failed; retrying');
      // A card that was never sent gives its storm slot back.
      await release({ attempts, last_error: why, next_at: now + Math.max(delay, (api?.retryAfterSec ?? 0) * 1000), ...(row.message_id ? {} : { sent_at: null }) });
    }
  }

  /**
   * Takes one of the chat's new-card slots of the storm window (sets `sent_at` now, in one
   * conditional update, so deliveries of one round or of two replicas do not all see a free slot).
   * DMs and war rooms always get their card.
   */
  private async reserveCard(row: AlertDeliveriesTable, now: number): Promise<boolean> {
    const q = this.db.updateTable('alert_deliveries').set({ sent_at: now }).where('id', '=', row.id);
    if (row.kind !== 'chat') return Number((await q.executeTakeFirst()).numUpdatedRows) === 1;
    const r = await q
      .where((eb) =>
        eb(
          eb.selectFrom('alert_deliveries as x').select((x) => x.fn.countAll<number>().as('n')).where('x.target', '=', row.target).where('x.sent_at', '>', now - this.d.config.storm.window_ms).where('x.summary_key', 'is', null),
          '<',
          this.d.config.storm.max_cards,
        ),
      )
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  private async bumpSummary(key: string): Promise<void> {
    await this.db.updateTable('alert_summaries').set((eb) => ({ version: eb('version', '+', 1) })).where('key', '=', key).execute();
  }

  private async deliverSummary(key: string): Promise<void> {
    const now = this.now();
    if (!(await this.claim('alert_summaries', key, now))) return;
    const release = (set: Record<string, unknown>) => this.db.updateTable('alert_summaries').set({ locked_by: null, locked_until: null, ...set }).where('key', '=', key).execute();
    try {
      const s = await this.db.selectFrom('alert_summaries').selectAll().where('key', '=', key).executeTakeFirstOrThrow();
      const every = this.d.config.card_update_every_ms;
      const last = toMs(s.patched_at) ?? 0;
      if (s.message_id && now - last < every) {
        this.wakeAtTime(last + every);
        return void (await release({ next_at: last + every }));
      }
      const ids = (await this.db.selectFrom('alert_deliveries').select('incident_id').where('summary_key', '=', key).execute()).map((r) => r.incident_id);
      const rows = ids.length ? await this.db.selectFrom('alert_incidents').selectAll().where('id', 'in', ids).orderBy('opened_at').execute() : [];
      const card = summaryCard(rows.map(readIncident), this.d.config.storm.window_ms);
      if (!s.message_id) {
        const sent = await this.d.messenger.sendCard(s.chat_id, card, { uuid: uuidFrom('alert-summary', key) });
        this.stats.summariesSent++;
        await release({ message_id: sent.message_id, sent_at: now, patched_at: now, rendered_version: s.version });
      } else {
        await this.d.messenger.patch(s.message_id, card);
        this.stats.summariesPatched++;
        await release({ patched_at: now, rendered_version: s.version });
      }
    } catch (err) {
      this.stats.failures++;
      this.d.logger.warn({ err, summary: key }, 'storm summary card failed; retrying');
      await release({ next_at: now + 2000 });
    }
  }
}
