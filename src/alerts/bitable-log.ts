import { FieldType, upsertRecord, type BitableClient, type BitableField, type BitableTarget, type FieldSpec } from '../bitable/index.js';
import type { Incident } from './incidents.js';

/** The incident log's fields (created when the table lacks them). `Incident` (the id) is the key. */
export const INCIDENT_FIELDS = {
  id: 'Incident',
  title: 'Title',
  status: 'Status',
  severity: 'Severity',
  source: 'Source',
  ackedBy: 'Acked by',
  resolvedBy: 'Resolved by',
  opened: 'Opened',
  acked: 'Acked',
  resolved: 'Resolved',
  escalation: 'Escalation level',
  firing: 'Firing alerts',
} as const;

const SPEC: FieldSpec[] = [
  { field_name: INCIDENT_FIELDS.id, type: FieldType.Text },
  { field_name: INCIDENT_FIELDS.title, type: FieldType.Text },
  { field_name: INCIDENT_FIELDS.status, type: FieldType.SingleSelect },
  { field_name: INCIDENT_FIELDS.severity, type: FieldType.SingleSelect },
  { field_name: INCIDENT_FIELDS.source, type: FieldType.Text },
  { field_name: INCIDENT_FIELDS.ackedBy, type: FieldType.User },
  { field_name: INCIDENT_FIELDS.resolvedBy, type: FieldType.User },
  { field_name: INCIDENT_FIELDS.opened, type: FieldType.DateTime },
  { field_name: INCIDENT_FIELDS.acked, type: FieldType.DateTime },
  { field_name: INCIDENT_FIELDS.resolved, type: FieldType.DateTime },
  { field_name: INCIDENT_FIELDS.escalation, type: FieldType.Number },
  { field_name: INCIDENT_FIELDS.firing, type: FieldType.Number },
];

/** An incident as the log's plain values (cleared cells as null: an un-acked incident has no Acked). */
export function incidentRecord(i: Incident): Record<string, unknown> {
  return {
    [INCIDENT_FIELDS.id]: i.id,
    [INCIDENT_FIELDS.title]: i.title,
    [INCIDENT_FIELDS.status]: i.status,
    [INCIDENT_FIELDS.severity]: i.severity,
    [INCIDENT_FIELDS.source]: i.source,
    [INCIDENT_FIELDS.ackedBy]: i.ackedBy.length ? i.ackedBy.map((a) => a.open_id) : null,
    [INCIDENT_FIELDS.resolvedBy]: i.resolvedBy?.open_id ? [i.resolvedBy.open_id] : null,
    [INCIDENT_FIELDS.opened]: i.openedAt,
    [INCIDENT_FIELDS.acked]: i.ackedBy.length ? Math.min(...i.ackedBy.map((a) => a.at)) : null,
    [INCIDENT_FIELDS.resolved]: i.resolvedAt ?? null,
    [INCIDENT_FIELDS.escalation]: i.escalationLevel,
    [INCIDENT_FIELDS.firing]: i.firing,
  };
}

/** The target of the log's delivery rows (`alert_deliveries.target`). */
export const logTarget = (t: { app_token: string; table_id: string }) => `bitable:${t.app_token}/${t.table_id}`;

/**
 * The incident log in a Bitable table: one record per incident (key: its id), written by the
 * delivery loop from a `bitable` delivery row, so it follows the incident's version like a card
 * (changes coalesce; a retry or another replica upserts the same record).
 */
export class IncidentLog {
  private schema?: Promise<BitableField[]>;

  constructor(
    private readonly bitable: BitableClient,
    readonly target: BitableTarget,
  ) {}

  /** The table's fields, the missing log fields created first (once per process; again after a failure). */
  fields(): Promise<BitableField[]> {
    this.schema ??= this.bitable.ensureFields(this.target.appToken, this.target.tableId, SPEC).then(
      (r) => r.fields,
      (err: unknown) => {
        this.schema = undefined;
        throw err;
      },
    );
    return this.schema;
  }

  /** Writes the incident's record: updates `recordId` (or the record keyed by its id), else creates it. Answers the record id. */
  async write(incident: Incident, o: { idempotencyKey: string; recordId?: string }): Promise<string | undefined> {
    const r = await upsertRecord(this.bitable, this.target, { fields: incidentRecord(incident), keyField: INCIDENT_FIELDS.id, idempotencyKey: o.idempotencyKey, recordId: o.recordId, schema: await this.fields() });
    return r.recordId ?? o.recordId;
  }
}
