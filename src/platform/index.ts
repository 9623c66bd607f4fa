/**
 * Everything that talks TO Feishu: the official SDK client wired to our http instance, tokens,
 * rate limits, retries, typed errors and metrics.
 */
export { createPlatform, createTokenlessClient, requestOptions, resolveDomain, type Platform, type PlatformOptions } from './platform.js';
export { FeishuApiError, TOKEN_INVALID_CODES, RATE_LIMIT_CODES, LOCAL_CODES, type FieldViolation, type PermissionViolation } from './errors.js';
export { explainCode, type CodeExplanation } from './explain.js';
export { paginate, type Page } from './paginate.js';
export { TokenManager, type TokenManagerOptions } from './tokens.js';
export { MemoryKeyValueStore, type KeyValueStore } from './kv.js';
export { PlatformLimiter, type Limit, type LimiterOptions, type Permit } from './limiter.js';
export { TIERS, RECIPIENT_LIMIT, apiKey, tierOf } from './tiers.js';
export { createPlatformMetrics, type PlatformMetrics } from './metrics.js';
export type { RetryOptions } from './retry.js';
export type { CallRequest } from './caller.js';
export type { HubRequestOptions } from './http-instance.js';
export { platformCapability, describeTokenFailure } from './capability.js';
