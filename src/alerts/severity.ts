import type { Labels } from './matchers.js';
import type { AlertsConfig, Severity } from './config.js';

const BUILTIN: Record<string, Severity> = {
  critical: 'critical', crit: 'critical', page: 'critical', error: 'critical', high: 'critical', p0: 'critical', p1: 'critical', disaster: 'critical', fatal: 'critical',
  warning: 'warning', warn: 'warning', medium: 'warning', p2: 'warning', p3: 'warning', average: 'warning',
  info: 'info', information: 'info', low: 'info', none: 'info', notice: 'info', p4: 'info', p5: 'info', ok: 'info',
};
export const SEVERITY_RANK: Record<Severity, number> = { critical: 3, warning: 2, info: 1 };

/** The severity an alert's labels say (the configured map first, then common names; `warning` when unknown). */
export function severityOf(labels: Labels, config: Pick<AlertsConfig, 'severity_label' | 'severity_map'>): Severity {
  const raw = (labels[config.severity_label] ?? '').trim();
  return config.severity_map[raw] ?? BUILTIN[raw.toLowerCase()] ?? 'warning';
}

export function worst(severities: Severity[]): Severity {
  return severities.reduce<Severity>((a, b) => (SEVERITY_RANK[b] > SEVERITY_RANK[a] ? b : a), 'info');
}
