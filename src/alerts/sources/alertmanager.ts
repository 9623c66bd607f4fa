import { z } from 'zod';
import { fingerprintOf } from './fingerprint.js';
import { parseWith, timeOf } from './parse.js';
import type { AlertBatch, AlertInput, AlertLink } from './types.js';

const labels = z.record(z.string(), z.string({ message: 'label values must be strings' }));
const time = z.string().refine((s) => s.startsWith('0001-01-01') || Number.isFinite(Date.parse(s)), 'must be an RFC 3339 time');

/** An alert of Alertmanager's webhook (v4); Grafana's adds its URLs and values. Unknown fields are ignored. */
export const webhookAlert = z.object({
  status: z.enum(['firing', 'resolved'], { message: 'must be "firing" or "resolved"' }),
  labels: labels.refine((l) => Object.keys(l).length > 0, 'must have at least one label'),
  annotations: labels.default({}),
  startsAt: time,
  endsAt: time.optional(),
  generatorURL: z.string().optional(),
  fingerprint: z.string().regex(/^[0-9a-f]{1,16}$/, 'must be the 16-hex label fingerprint').optional(),
});

/** Alertmanager's webhook body, `version: "4"` (routeLabels and notification_reason of newer versions tolerated). */
export const alertmanagerBody = z.object({
  version: z.string().optional(),
  groupKey: z.string({ message: 'must be a string' }),
  truncatedAlerts: z.number().int().min(0).default(0),
  status: z.enum(['firing', 'resolved'], { message: 'must be "firing" or "resolved"' }),
  receiver: z.string().default(''),
  groupLabels: labels.default({}),
  commonLabels: labels.default({}),
  commonAnnotations: labels.default({}),
  externalURL: z.string().optional(),
  alerts: z.array(webhookAlert).min(1, 'must hold at least one alert'),
});

export function toAlertInput(a: z.output<typeof webhookAlert>, links: AlertLink[] = []): AlertInput {
  return {
    fingerprint: a.fingerprint?.padStart(16, '0') ?? fingerprintOf(a.labels),
    status: a.status,
    startsAt: timeOf(a.startsAt),
    endsAt: timeOf(a.endsAt),
    labels: a.labels,
    annotations: a.annotations,
    generatorUrl: a.generatorURL || undefined,
    links: [...(a.generatorURL ? [{ name: 'Source', url: a.generatorURL }] : []), ...links],
  };
}

/** Alertmanager webhook v4 → a batch. Throws AlertPayloadError naming the field. */
export function parseAlertmanager(body: unknown, receivedAt: number): AlertBatch {
  const b = parseWith(alertmanagerBody, body);
  return {
    source: 'alertmanager',
    receiver: b.receiver,
    sourceGroupKey: b.groupKey,
    groupLabels: b.groupLabels,
    commonLabels: b.commonLabels,
    commonAnnotations: b.commonAnnotations,
    externalUrl: b.externalURL || undefined,
    truncated: b.truncatedAlerts,
    alerts: b.alerts.map((a) => toAlertInput(a)),
    receivedAt,
  };
}
