export { loadConfig, secretValues, ConfigError, type HubConfig, type LoadOptions } from './load.js';
export { configKeys, type ConfigKey } from './schema.js';
export { createLogger, scrub, redactedKeys, type Logger, type CreateLoggerOptions } from './logger.js';
