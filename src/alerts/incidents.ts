import { randomBytes, randomUUID } from 'node:crypto';
import type { Selectable, Transaction } from 'kysely';
import type { Store } from '../store/index.js';
import { toMs } from '../store/schema.js';
import type { AlertsConfig, Severity } from './config.js';
import type { Labels } from './matchers.js';
import { compileRoutes, compileSilences, matchingRoutes, silenceFor, targetsOf, type CompiledRoute, type Silence } from './routing.js';
import { severityOf, worst } from './severity.js';
import { logTarget } from './bitable-log.js';
import type { AlertBatch, AlertInput } from './sources/index.js';
import type { AlertDb, AlertIncidentsTable, AlertTables, IncidentStatus } from './tables.js';

export type IncidentRow = Selectable<AlertIncidentsTable>;
type Trx = Transaction<AlertTables>;

export interface Acker {
  open_id: string;
  name?: string;
  user?: string;
  at: number;
}

/** An incident as callers read it (JSON columns parsed, times as numbers). */
export interface Incident {
  id: string;
  title: string;
  source: string;
  severity: Severity;
  status: IncidentStatus;
  labels: Labels;
  annotations: Labels;
  externalUrl?: string;
  ackedBy: Acker[];
  snoozedUntil?: number;
  flapping: boolean;
  firing: number;
  resolvedAlerts: number;
  version: number;
  escalationLevel: number;
  routes: string[];
  note?: string;
  warRoomChatId?: string;
  warRoomState?: string;
  openedAt: number;
  updatedAt: number;
  resolvedAt?: number;
  /** Who resolved it in Feishu (absent when its alerts resolved). */
  resolvedBy?: Acker;
}

export function readIncident(r: IncidentRow): Incident {
  return {
    id: r.id,
    title: r.title,
    source: r.source,
    severity: r.severity as Severity,
    status: r.status,
    labels: JSON.parse(r.labels),
    annotations: JSON.parse(r.annotations),
    externalUrl: r.external_url ?? undefined,
    ackedBy: JSON.parse(r.acked_by),
    snoozedUntil: toMs(r.snoozed_until),
    flapping: Boolean(r.flapping),
    firing: r.firing,
    resolvedAlerts: r.resolved_alerts,
    version: r.version,
    escalationLevel: r.escalation_level,
    routes: JSON.parse(r.routes),
    note: r.note ?? undefined,
    warRoomChatId: r.war_room_chat_id ?? undefined,
    warRoomState: r.war_room_state ?? undefined,
    openedAt: toMs(r.opened_at)!,
    updatedAt: toMs(r.updated_at)!,
    resolvedAt: toMs(r.resolved_at),
    resolvedBy: r.resolved_by ? JSON.parse(r.resolved_by) : undefined,
  };
}

export interface TimelineEntry {
  at: number;
  kind: string;
  actor?: string;
  actorUser?: string;
  text: string;
}

const isUniqueViolation = (err: unknown) => /UNIQUE constraint|duplicate key value|unique constraint/i.test(String((err as Error)?.message));

/** Labels every occurrence shares (the group's labels, whatever the source). */
function common(sets: Labels[]): Labels {
  if (sets.length === 0) return {};
  const [first, ...rest] = sets;
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => rest.every((s) => s[k] === v)));
}

/**
 * The incidents: alerts deduplicated by fingerprint + start, grouped into incidents by the
 * source's group (or `group_by` labels), with their lifecycle and a timeline. Every change runs
 * in one transaction and bumps the incident's version, which is what the delivery loop renders.
 */
export class IncidentBook {
  readonly routes: CompiledRoute[];
  private readonly silences: Silence[];

  constructor(
    private readonly store: Store,
    private readonly config: AlertsConfig,
    private readonly now: () => number = Date.now,
  ) {
    this.routes = compileRoutes(config);
    this.silences = compileSilences(config);
  }

  get db(): AlertDb {
    return this.store.db as unknown as AlertDb;
  }

  /** Runs `fn` in a transaction, again if a replica opened the same group's incident at the same moment. */
  private async tx<T>(fn: (trx: Trx) => Promise<T>): Promise<T> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transaction().execute(fn);
      } catch (err) {
        if (attempt < 4 && isUniqueViolation(err)) continue;
        throw err;
      }
    }
  }

  private groupKeyOf(batch: AlertBatch, alert: AlertInput): string {
    const by = this.config.group_by;
    const labels = by ? Object.fromEntries(by.map((k) => [k, alert.labels[k] ?? ''])) : batch.groupLabels;
    const sorted = Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`).join(',');
    if (by) return `${batch.source}:{${sorted}}`;
    // Alertmanager's groupKey is "<route path>:<group labels>": two routes with the same receiver
    // and group labels are two groups there, so they are two incidents here (editing the route
    // tree in alertmanager.yml changes the path, and so starts new incidents for those groups).
    const route = batch.sourceGroupKey?.match(/^(.*):\{[^{}]*\}$/)?.[1] ?? '';
    return `${batch.source}:${batch.receiver ?? ''}:${route}:{${sorted}}`;
  }

  private titleOf(batch: AlertBatch, alert: AlertInput): string {
    if (alert.title ?? batch.title) return (alert.title ?? batch.title)!;
    const labels = this.config.group_by ? Object.fromEntries(this.config.group_by.map((k) => [k, alert.labels[k] ?? ''])) : batch.groupLabels;
    const name = labels.alertname ?? batch.commonLabels.alertname ?? alert.labels.alertname ?? 'Alert';
    const rest = Object.entries(labels).filter(([k, v]) => k !== 'alertname' && v).map(([k, v]) => `${k}=${v}`);
    return rest.length ? `${name} (${rest.join(', ')})` : name;
  }

  /** Applies one stored batch; answers the ids of the incidents it changed. */
  applyBatch(batch: AlertBatch): Promise<string[]> {
    return this.tx((trx) => this.applyIn(trx, batch));
  }

  private async applyIn(trx: Trx, batch: AlertBatch): Promise<string[]> {
    const now = this.now();
    const touched = new Map<string, { row: IncidentRow; opened: boolean; fingerprints: Set<string>; added: AlertInput[] }>();
    const entries: (Omit<TimelineEntry, 'at'> & { incidentId: string })[] = [];
    const note = (incidentId: string, e: Omit<TimelineEntry, 'at'>) => void entries.push({ incidentId, ...e });
    const touch = (row: IncidentRow, opened = false) => {
      const t = touched.get(row.id) ?? { row, opened, fingerprints: new Set<string>(), added: [] };
      touched.set(row.id, t);
      return t;
    };
    const load = async (id: string) => touched.get(id)?.row ?? (await trx.selectFrom('alert_incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow());

    for (const alert of batch.alerts) {
      const occ =
        alert.startsAt !== undefined
          ? await trx.selectFrom('alert_occurrences').selectAll().where('source', '=', batch.source).where('fingerprint', '=', alert.fingerprint).where('starts_at', '=', alert.startsAt).executeTakeFirst()
          : await trx.selectFrom('alert_occurrences').selectAll().where('source', '=', batch.source).where('fingerprint', '=', alert.fingerprint).where('status', '=', 'firing').orderBy('starts_at', 'desc').executeTakeFirst();
      if (occ) {
        // The same occurrence again (a retry, a repeat notification): nothing changes, and an
        // occurrence never goes back from resolved to firing (a late retry of an old payload).
        if (occ.status === alert.status || occ.status === 'resolved') continue;
        await trx
          .updateTable('alert_occurrences')
          .set({ status: 'resolved', ends_at: alert.endsAt ?? now, annotations: JSON.stringify(alert.annotations), updated_at: now })
          .where('source', '=', occ.source)
          .where('fingerprint', '=', occ.fingerprint)
          .where('starts_at', '=', occ.starts_at)
          .execute();
        const t = touch(await load(occ.incident_id));
        t.fingerprints.add(alert.fingerprint);
        note(occ.incident_id, { kind: 'alert_resolved', text: `resolved: ${describe(alert)}` });
        continue;
      }
      // A resolve of something never seen firing (generic events without start): nothing to resolve.
      if (alert.status === 'resolved' && alert.startsAt === undefined) continue;
      const groupKey = this.groupKeyOf(batch, alert);
      const startsAt = alert.startsAt ?? now;
      let row =
        (await trx.selectFrom('alert_incidents').selectAll().where('open_key', '=', groupKey).executeTakeFirst()) ??
        (alert.status === 'firing'
          ? await trx.selectFrom('alert_incidents').selectAll().where('group_key', '=', groupKey).where('resolved_at', '>', now - this.config.reopen_within_ms).orderBy('resolved_at', 'desc').executeTakeFirst()
          : undefined);
      let opened = false;
      if (row && touched.has(row.id)) row = touched.get(row.id)!.row;
      if (!row) {
        row = this.newIncident(batch, alert, groupKey, now);
        // A resolve whose firing the hub never saw still gets an incident (every alert is accounted for), already resolved.
        if (alert.status === 'resolved') Object.assign(row, { status: 'resolved', open_key: null, resolved_at: now });
        await trx.insertInto('alert_incidents').values(row).execute();
        opened = alert.status === 'firing';
        note(row.id, { kind: 'opened', text: `opened by ${batch.source}${batch.receiver ? ` (receiver ${batch.receiver})` : ''}` });
      }
      const silenced = silenceFor(this.silences, alert.labels, now);
      await trx
        .insertInto('alert_occurrences')
        .values({
          source: batch.source,
          fingerprint: alert.fingerprint,
          starts_at: startsAt,
          incident_id: row.id,
          status: alert.status,
          ends_at: alert.status === 'resolved' ? (alert.endsAt ?? now) : null,
          labels: JSON.stringify(alert.labels),
          annotations: JSON.stringify(alert.annotations),
          links: JSON.stringify(alert.links),
          severity: severityOf(alert.labels, this.config),
          silenced: silenced?.comment ?? null,
          updated_at: now,
        })
        .execute();
      const t = touch(row, opened);
      t.opened ||= opened;
      t.fingerprints.add(alert.fingerprint);
      t.added.push(alert);
      note(row.id, { kind: alert.status === 'firing' ? 'alert_firing' : 'alert_resolved', text: `${alert.status}: ${describe(alert)}${silenced ? ` (silenced: ${silenced.comment})` : ''}` });
    }

    for (const t of touched.values()) await this.recompute(trx, t, batch, now, note);
    if (entries.length) {
      await trx
        .insertInto('alert_timeline')
        .values(entries.map((e) => ({ id: randomUUID(), incident_id: e.incidentId, at: now, kind: e.kind, actor: e.actor ?? null, actor_user: e.actorUser ?? null, text: e.text })))
        .execute();
    }
    return [...touched.keys()];
  }

  private newIncident(batch: AlertBatch, alert: AlertInput, groupKey: string, now: number): IncidentRow {
    const id = randomBytes(3).toString('hex');
    return {
      id,
      group_key: groupKey,
      open_key: groupKey,
      source: batch.source,
      source_group_key: batch.sourceGroupKey ?? null,
      title: this.titleOf(batch, alert).slice(0, 512),
      severity: severityOf(alert.labels, this.config),
      status: 'triggered',
      labels: JSON.stringify(alert.labels),
      annotations: JSON.stringify(alert.annotations),
      external_url: batch.externalUrl ?? null,
      acked_by: '[]',
      snoozed_until: null,
      flapping: 0,
      firing: 0,
      resolved_alerts: 0,
      version: 1,
      escalation_level: 0,
      routes: '[]',
      note: null,
      war_room_chat_id: null,
      war_room_state: null,
      opened_at: now,
      updated_at: now,
      resolved_at: null,
      resolved_by: null,
      reminded_at: null,
    };
  }

  /**
   * Counts, status, severity, flapping and (for a new incident) its deliveries. One aggregate
   * query, whatever the incident's size: the group's labels and annotations only shrink as alerts
   * join, so they are intersected with the new ones instead of re-read.
   */
  private async recompute(trx: Trx, t: { row: IncidentRow; opened: boolean; fingerprints: Set<string>; added: AlertInput[] }, batch: AlertBatch, now: number, note: (id: string, e: Omit<TimelineEntry, 'at'>) => void) {
    const { row, opened, fingerprints, added } = t;
    const counts = await trx
      .selectFrom('alert_occurrences')
      .select((eb) => ['status', 'severity', eb.fn.countAll<number>().as('n'), eb.fn.count<number>('silenced').as('silenced')])
      .where('incident_id', '=', row.id)
      .groupBy(['status', 'severity'])
      .execute();
    const sum = (rows: typeof counts, k: 'n' | 'silenced') => rows.reduce((n, r) => n + Number(r[k]), 0);
    const firingRows = counts.filter((c) => c.status === 'firing');
    const firing = { length: sum(firingRows, 'n'), silenced: sum(firingRows, 'silenced') };
    const total = sum(counts, 'n');
    let labels = JSON.parse(row.labels) as Labels;
    let annotations = JSON.parse(row.annotations) as Labels;
    // A new incident's row holds its first alert's labels and annotations; each alert joining narrows them.
    for (const a of opened ? added.slice(1) : added) {
      labels = common([labels, a.labels]);
      annotations = common([annotations, a.annotations]);
    }
    const next: Partial<IncidentRow> = {
      firing: firing.length,
      resolved_alerts: total - firing.length,
      labels: JSON.stringify(labels),
      annotations: JSON.stringify(annotations),
      severity: worst((firingRows.length ? firingRows : counts).map((c) => c.severity as Severity)),
      external_url: batch.externalUrl ?? row.external_url,
      version: row.version + 1,
      updated_at: now,
    };
    if (firing.length === 0 && row.status !== 'resolved') {
      Object.assign(next, { status: 'resolved', open_key: null, resolved_at: now, resolved_by: null, snoozed_until: null });
      note(row.id, { kind: 'resolved', text: 'all alerts resolved' });
    } else if (firing.length > 0 && row.status === 'resolved') {
      Object.assign(next, { status: 'triggered', open_key: row.group_key, resolved_at: null, resolved_by: null, acked_by: '[]', snoozed_until: null });
      note(row.id, { kind: 'retriggered', text: 'fired again' });
    }
    if (!row.flapping) {
      for (const fp of fingerprints) {
        const n = await trx.selectFrom('alert_occurrences').select((eb) => eb.fn.countAll<number>().as('n')).where('source', '=', row.source).where('fingerprint', '=', fp).where('starts_at', '>', now - this.config.flapping.window_ms).executeTakeFirst();
        if (Number(n?.n ?? 0) >= this.config.flapping.threshold) {
          next.flapping = 1;
          note(row.id, { kind: 'flapping', text: `flapping: fired ${n?.n} times in ${Math.round(this.config.flapping.window_ms / 60_000)} min; held on this card, mentions paused` });
          break;
        }
      }
    }
    if (opened) {
      // Routed by the labels of the alert that opened it (the group's, and its own).
      const routes = matchingRoutes(this.routes, added[0]?.labels ?? labels, next.severity as Severity);
      next.routes = JSON.stringify(routes.map((r) => r.name));
      const allSilenced = firing.length > 0 && firing.silenced === firing.length;
      const targets = allSilenced ? [] : targetsOf(routes, this.config.default_chat);
      if (allSilenced) next.note = `silenced: ${silenceFor(this.silences, added[0].labels, now)?.comment ?? 'maintenance'}`;
      else if (targets.length === 0) next.note = 'not sent: no route matches and alerts.default_chat is not set';
      if (next.note) note(row.id, { kind: 'not_sent', text: next.note });
      for (const t of targets) {
        await trx
          .insertInto('alert_deliveries')
          .values({ id: `${row.id}:${t.target}`, incident_id: row.id, target: t.target, kind: t.kind, route: t.route, rendered_version: 0, attempts: 0, next_at: now, failed: 0, created_at: now })
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
      }
      if (this.config.bitable) {
        // The incident log: its record follows the incident's version, as a card does (silenced or not).
        await trx
          .insertInto('alert_deliveries')
          .values({ id: `${row.id}:bitable`, incident_id: row.id, target: logTarget(this.config.bitable), kind: 'bitable', route: null, rendered_version: 0, attempts: 0, next_at: now, failed: 0, created_at: now })
          .onConflict((oc) => oc.column('id').doNothing())
          .execute();
      }
      const auto = allSilenced ? undefined : routes.find((r) => r.war_room === 'auto');
      if (auto) {
        next.war_room_state = 'requested';
        note(row.id, { kind: 'war_room_requested', text: `war room requested by route ${auto.name} (war_room: auto)` });
      }
    }
    await trx.updateTable('alert_incidents').set(next).where('id', '=', row.id).execute();
    Object.assign(row, next);
  }

  async get(id: string): Promise<Incident | undefined> {
    const r = await this.db.selectFrom('alert_incidents').selectAll().where('id', '=', id.replace(/^#/, '').toLowerCase()).executeTakeFirst();
    return r && readIncident(r);
  }

  async list(o: { open?: boolean; limit?: number; ids?: string[] } = {}): Promise<Incident[]> {
    const rows = await this.db
      .selectFrom('alert_incidents')
      .selectAll()
      .$if(Boolean(o.open), (q) => q.where('status', '!=', 'resolved'))
      .$if(o.ids !== undefined, (q) => q.where('id', 'in', o.ids!.length ? o.ids! : ['']))
      .orderBy('opened_at', 'desc')
      .limit(o.limit ?? 100)
      .execute();
    return rows.map(readIncident);
  }

  async timeline(id: string): Promise<TimelineEntry[]> {
    const rows = await this.db.selectFrom('alert_timeline').selectAll().where('incident_id', '=', id).orderBy('at').orderBy('id').execute();
    return rows.map((r) => ({ at: toMs(r.at)!, kind: r.kind, actor: r.actor ?? undefined, actorUser: r.actor_user ?? undefined, text: r.text }));
  }

  async alerts(id: string): Promise<{ fingerprint: string; status: string; startsAt: number; endsAt?: number; labels: Labels; annotations: Labels; links: { name: string; url: string }[]; silenced?: string }[]> {
    const rows = await this.db.selectFrom('alert_occurrences').selectAll().where('incident_id', '=', id).orderBy('starts_at').execute();
    return rows.map((r) => ({ fingerprint: r.fingerprint, status: r.status, startsAt: toMs(r.starts_at)!, endsAt: toMs(r.ends_at), labels: JSON.parse(r.labels), annotations: JSON.parse(r.annotations), links: JSON.parse(r.links), silenced: r.silenced ?? undefined }));
  }

  /** Changes an incident (a click, a command, a job) with its timeline line; answers it changed, or undefined if `change` declined. */
  async change(id: string, change: (row: IncidentRow, now: number) => { set: Partial<IncidentRow>; entry: Omit<TimelineEntry, 'at'> } | undefined): Promise<Incident | undefined> {
    return this.tx(async (trx) => {
      const row = await trx.selectFrom('alert_incidents').selectAll().where('id', '=', id).$if(this.store.dialect === 'postgres', (q) => q.forUpdate()).executeTakeFirst();
      if (!row) return undefined;
      const now = this.now();
      const c = change(row, now);
      if (!c) return undefined;
      const set = { ...c.set, version: row.version + 1, updated_at: now };
      await trx.updateTable('alert_incidents').set(set).where('id', '=', id).execute();
      await trx.insertInto('alert_timeline').values({ id: randomUUID(), incident_id: id, at: now, kind: c.entry.kind, actor: c.entry.actor ?? null, actor_user: c.entry.actorUser ?? null, text: c.entry.text }).execute();
      return readIncident({ ...row, ...set } as IncidentRow);
    });
  }

  /** Adds a timeline line without changing what the card shows. */
  async addTimeline(id: string, entries: TimelineEntry[]): Promise<void> {
    if (!entries.length) return;
    await this.db.insertInto('alert_timeline').values(entries.map((e) => ({ id: randomUUID(), incident_id: id, at: e.at, kind: e.kind, actor: e.actor ?? null, actor_user: e.actorUser ?? null, text: e.text }))).execute();
  }
}

function describe(a: AlertInput): string {
  const name = a.labels.alertname ?? a.title ?? 'alert';
  const where = a.labels.instance ?? a.labels.host ?? a.labels.pod ?? a.labels.service ?? a.labels.job;
  return `${name}${where ? ` on ${where}` : ''} [${a.fingerprint}]`;
}
