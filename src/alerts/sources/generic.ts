import { z } from 'zod';
import { fingerprintOf } from './fingerprint.js';
import { parseWith, timeOf } from './parse.js';
import type { AlertBatch } from './types.js';

const labels = z.record(z.string(), z.string({ message: 'label values must be strings' }));

/**
 * The generic source's event (docs/alerts.md): one alert from any system.
 * `event_id` makes a re-sent event a no-op; `alert_key` ties a resolve to its firing (default: the title).
 */
export const genericEvent = z.object({
  event_id: z.string({ message: 'is required (it makes re-sending the same event harmless)' }).min(1, 'must not be empty').max(256),
  status: z.enum(['firing', 'resolved'], { message: 'must be "firing" or "resolved"' }),
  title: z.string({ message: 'is required' }).min(1, 'must not be empty').max(512),
  alert_key: z.string().min(1).max(255).optional(),
  severity: z.enum(['critical', 'warning', 'info'], { message: 'must be critical, warning or info' }).optional(),
  description: z.string().max(4096).optional(),
  /** Incidents group by this (default: the alert_key, one incident per alert). */
  group: z.string().min(1).max(255).optional(),
  labels: labels.default({}),
  annotations: labels.default({}),
  links: z.array(z.object({ name: z.string().min(1), url: z.string().url('must be a URL') })).max(10).default([]),
  starts_at: z.string().refine((s) => Number.isFinite(Date.parse(s)), 'must be an ISO time').optional(),
});

export type GenericEvent = z.output<typeof genericEvent>;

export function parseGeneric(body: unknown, receivedAt: number): { batch: AlertBatch; eventId: string } {
  const e = parseWith(genericEvent, body);
  const key = e.alert_key ?? e.title;
  const labelSet = { alertname: e.title, ...e.labels, ...(e.severity ? { severity: e.severity } : {}) };
  const annotations = { ...e.annotations, ...(e.description ? { description: e.description } : {}) };
  return {
    eventId: e.event_id,
    batch: {
      source: 'generic',
      groupLabels: { group: e.group ?? key },
      commonLabels: labelSet,
      commonAnnotations: annotations,
      title: e.title,
      truncated: 0,
      alerts: [{ fingerprint: fingerprintOf({ alert_key: key }), status: e.status, startsAt: timeOf(e.starts_at), labels: labelSet, annotations, links: e.links, title: e.title }],
      receivedAt,
    },
  };
}
