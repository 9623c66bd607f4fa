import type { Labels } from '../matchers.js';
import type { SourceName } from '../config.js';

export interface AlertLink {
  name: string;
  url: string;
}

/** One alert as every source is turned into (the unit that is deduplicated: fingerprint + start). */
export interface AlertInput {
  /** Alertmanager's label-set fingerprint (16 hex), or the generic source's `alert_key` hashed the same way. */
  fingerprint: string;
  status: 'firing' | 'resolved';
  /** Epoch ms; absent when the source does not say (generic events): the open occurrence is meant. */
  startsAt?: number;
  endsAt?: number;
  labels: Labels;
  annotations: Labels;
  generatorUrl?: string;
  links: AlertLink[];
  /** A title the source gave this alert (generic), else the group's. */
  title?: string;
}

/** One accepted payload: a group of alerts from one source, as stored in the inbox. */
export interface AlertBatch {
  source: SourceName;
  receiver?: string;
  /** The source's own group key (Alertmanager's `groupKey`): kept for reference, not keyed on (it embeds the route path). */
  sourceGroupKey?: string;
  groupLabels: Labels;
  commonLabels: Labels;
  commonAnnotations: Labels;
  externalUrl?: string;
  /** Grafana's rendered title, or the generic event's. */
  title?: string;
  /** Alerts the source left out (`truncatedAlerts`). */
  truncated: number;
  alerts: AlertInput[];
  receivedAt: number;
}

/** A payload that is not what the source sends: `field` says where (`alerts[2].startsAt`). */
export class AlertPayloadError extends Error {
  constructor(
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${field}: ${problem}`);
    this.name = 'AlertPayloadError';
  }
}
