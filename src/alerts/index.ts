/**
 * Alerts and incidents: Alertmanager, Grafana and any system → one card per incident in the right
 * chat, acknowledged, snoozed, escalated and resolved there, calm under storms.
 */
export { alertsCapability, type AlertsApi } from './capability.js';
export { alertsConfigSchema, type AlertsConfig, type AlertRoute, type Severity, type SourceName } from './config.js';
export { IncidentBook, type Incident, type TimelineEntry } from './incidents.js';
export { incidentCard, summaryCard } from './card.js';
export { parseMatcher, matches, type Matcher } from './matchers.js';
export { fingerprintOf, parseAlertmanager, parseGrafana, parseGeneric, AlertPayloadError, type AlertBatch, type AlertInput } from './sources/index.js';
export { samplePayload, stormAlert } from './samples.js';
export { INCIDENT_ACTIONS, type IncidentAction, type ActionOutcome } from './responders.js';
export { IncidentLog, incidentRecord, INCIDENT_FIELDS } from './bitable-log.js';
