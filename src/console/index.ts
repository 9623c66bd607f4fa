/**
 * The admin console (`/console`): every capability's panels, Feishu login for admins, CSRF-checked
 * and audited actions. See docs/console.md.
 */
export { consoleCapability } from './capability.js';
export { consoleConfigSchema, type ConsoleConfig } from './config.js';
export { AuditLog, blankSecrets, type AuditEntry, type ConsoleTables } from './audit.js';
