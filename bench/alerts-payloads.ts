/**
 * Alertmanager webhook bodies for bench/alerts.bench.ts and its load generator (bench/alerts-load.ts).
 * Not a benchmark itself. Every body carries one new alert (its own `instance` label, so its own
 * fingerprint, so its own inbox id): the worst case of a storm, where no POST repeats another.
 */

export const GO_ZERO = '0001-01-01T00:00:00Z';

export interface OneAlert {
  /** The group's alertname (the incident's title: groupLabels hold only alertname). */
  alertname: string;
  /** Distinguishes the alert inside its group. */
  instance: string;
  startsAt: number;
  severity?: 'critical' | 'warning' | 'info';
  receiver?: string;
}

/** One Alertmanager v4 notification holding one firing alert of group `alertname`. */
export function alertmanagerBody(a: OneAlert): Record<string, unknown> {
  const labels = { alertname: a.alertname, service: `svc-${a.alertname.toLowerCase()}`, severity: a.severity ?? 'warning', instance: a.instance };
  return {
    version: '4',
    groupKey: `{}:{alertname="${a.alertname}"}`,
    status: 'firing',
    receiver: a.receiver ?? 'bench',
    groupLabels: { alertname: a.alertname },
    commonLabels: labels,
    commonAnnotations: {},
    externalURL: 'http://alertmanager.example.com:9093',
    alerts: [{ status: 'firing', labels, annotations: { summary: `${a.instance} is unhappy` }, startsAt: new Date(a.startsAt).toISOString(), endsAt: GO_ZERO }],
    truncatedAlerts: 0,
  };
}

/** The storm of test/alerts/storm.test.ts (the same builder). */
export { stormAlert } from '../src/alerts/samples.js';

/** The intake load: `count` bodies over `groups` groups, all distinct (tag keeps runs apart). */
export function intakeBodies(tag: string, count: number, groups: number, startsAt: number): string[] {
  return Array.from({ length: count }, (_, i) => JSON.stringify(alertmanagerBody({ alertname: `Intake${String(i % groups).padStart(4, '0')}`, instance: `${tag}-host-${i}`, startsAt })));
}

/** What bench/alerts-load.ts is told to do (its one argument, as JSON). */
export interface LoadSpec {
  port: number;
  path: string;
  token: string;
  tag: string;
  warmup: number;
  count: number;
  connections: number;
  groups: number;
  startsAt: number;
}

export interface LoadResult {
  posts: number;
  seconds: number;
  /** Answers with status 200. */
  ok: number;
  /** Sum of `alerts` in the 200 answers that were not duplicates. */
  alertsAccepted: number;
  duplicates: number;
  statuses: Record<string, number>;
  p50: number;
  p99: number;
  max: number;
  /** Alerts accepted during the warm-up (they are stored too). */
  warmupAccepted: number;
  /** Date.now() when the last answer of the measured run came. */
  endedAt: number;
}

export const LOAD_PREFIX = 'LOAD_RESULT ';
