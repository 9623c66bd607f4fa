import { z } from 'zod';
import type { ConsoleContribution } from '../capability/index.js';
import type { AlertsApi } from './capability.js';
import type { Incident } from './incidents.js';

const actBody = z.object({ id: z.string().min(1).max(100) });

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) throw Object.assign(new Error(r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')), { statusCode: 400 });
  return r.data;
}
const refuse = (message: string, statusCode = 400) => Object.assign(new Error(message), { statusCode });
const alertsOf = (hub: unknown): AlertsApi | undefined => (hub as { alerts?: AlertsApi }).alerts;

const summary = (i: Incident) => ({
  id: i.id,
  title: i.title,
  source: i.source,
  severity: i.severity,
  status: i.status,
  ackedBy: i.ackedBy.map((a) => ({ name: a.name ?? a.open_id, at: a.at })),
  resolvedBy: i.resolvedBy ? { name: i.resolvedBy.name ?? i.resolvedBy.open_id, at: i.resolvedBy.at } : undefined,
  firing: i.firing,
  flapping: i.flapping,
  snoozedUntil: i.snoozedUntil,
  openedAt: i.openedAt,
  updatedAt: i.updatedAt,
  resolvedAt: i.resolvedAt,
});

/** Acknowledge or resolve as the console user (their Feishu open_id), exactly as their click on the card would. */
const acting = (action: 'ack' | 'resolve') =>
  async function ({ hub }: { hub: unknown }, body: unknown, who: { name: string; open_id?: string }) {
    const { id } = parse(actBody, body);
    const alerts = alertsOf(hub);
    if (!alerts) throw refuse('the alerts capability is not running', 409);
    if (!who.open_id) throw refuse(`${who.name} has no Feishu open_id in this session, so the incident cannot be ${action === 'ack' ? 'acknowledged' : 'resolved'} in their name: sign in to the console with Feishu`, 409);
    const outcome = await alerts.act(id, action, who.open_id);
    if (!outcome.ok) throw refuse(outcome.message, outcome.held ? 409 : 409);
    return { message: outcome.message, incident: outcome.incident ? summary(outcome.incident) : undefined };
  };

/**
 * The alerts capability's console panel: open and recent incidents (severity, status, who
 * acknowledged), one incident's timeline, and acknowledge / resolve as the console user.
 */
export const alertsConsole: ConsoleContribution = {
  panels: [
    {
      id: 'incidents',
      title: 'Incidents',
      icon: 'M12 3 2 20h20L12 3zM12 10v4M12 17v.5',
      order: 25,
      module: new URL('./console/incidents-panel.js', import.meta.url),
      async data({ hub, query }) {
        const alerts = alertsOf(hub);
        if (!alerts) return { configured: false, open: [], recent: [], incident: null };
        const [open, recent] = await Promise.all([alerts.incidents({ open: true, limit: 100 }), alerts.incidents({ limit: 50 })]);
        const picked = query.incident ? await alerts.incident(query.incident) : undefined;
        return {
          configured: true,
          open: open.map(summary),
          recent: recent.map(summary),
          incident: picked ? { ...summary(picked), labels: picked.labels, annotations: picked.annotations, externalUrl: picked.externalUrl, note: picked.note, timeline: await alerts.timeline(picked.id) } : null,
        };
      },
      actions: { ack: acting('ack'), resolve: acting('resolve') },
    },
  ],
};
