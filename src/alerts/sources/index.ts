export { parseAlertmanager } from './alertmanager.js';
export { parseGrafana } from './grafana.js';
export { parseGeneric, genericEvent, type GenericEvent } from './generic.js';
export { fingerprintOf } from './fingerprint.js';
export { AlertPayloadError, type AlertBatch, type AlertInput, type AlertLink } from './types.js';
