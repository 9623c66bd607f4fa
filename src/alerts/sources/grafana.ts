import { z } from 'zod';
import { alertmanagerBody, toAlertInput, webhookAlert } from './alertmanager.js';
import { parseWith } from './parse.js';
import type { AlertBatch } from './types.js';

const grafanaAlert = webhookAlert.extend({
  silenceURL: z.string().optional(),
  dashboardURL: z.string().optional(),
  panelURL: z.string().optional(),
  values: z.record(z.string(), z.unknown()).nullish(),
  valueString: z.string().optional(),
});

/** Grafana's webhook contact point (`version: "1"`): Alertmanager's shape plus title, message, state and per-alert URLs. */
const grafanaBody = alertmanagerBody.extend({
  groupKey: z.string().default(''),
  title: z.string().optional(),
  message: z.string().optional(),
  state: z.string().optional(),
  orgId: z.number().optional(),
  alerts: z.array(grafanaAlert).min(1, 'must hold at least one alert'),
});

export function parseGrafana(body: unknown, receivedAt: number): AlertBatch {
  const b = parseWith(grafanaBody, body);
  return {
    source: 'grafana',
    receiver: b.receiver,
    sourceGroupKey: b.groupKey || undefined,
    groupLabels: b.groupLabels,
    commonLabels: b.commonLabels,
    commonAnnotations: b.commonAnnotations,
    externalUrl: b.externalURL || undefined,
    // Grafana's title carries "[FIRING:2]": the card says that itself.
    title: b.title?.replace(/^\[(FIRING|RESOLVED)(:\d+)?\]\s*/i, '') || undefined,
    truncated: b.truncatedAlerts,
    alerts: b.alerts.map((a) => {
      const links = [
        ...(a.dashboardURL ? [{ name: 'Dashboard', url: a.dashboardURL }] : []),
        ...(a.panelURL ? [{ name: 'Panel', url: a.panelURL }] : []),
        ...(a.silenceURL ? [{ name: 'Silence', url: a.silenceURL }] : []),
      ];
      const input = toAlertInput(a, links);
      if (a.valueString && !input.annotations.value) input.annotations = { ...input.annotations, value: a.valueString };
      return input;
    }),
    receivedAt,
  };
}
