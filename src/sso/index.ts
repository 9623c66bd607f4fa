/**
 * Feishu login for the hub (OAuth 2 + PKCE, QR, in-client H5), sessions, users' tokens, and the
 * account binding service. See docs/identity.md.
 */
export { ssoCapability, ssoServiceOf } from './capability.js';
export { ssoConfigSchema, type SsoConfig, type BindClaim } from './config.js';
export type { HubUser, SsoApi, AccountsApi, Binding, BindingSource, UserClient, PreHandler } from './types.js';
export { ReauthRequiredError, UserTokens } from './tokens.js';
export { TokenCipher, pkce } from './crypto.js';
export { checkReturnTo, ReturnToError } from './return-to.js';
export { h5Snippet } from './h5.js';
export { claimOf } from './accounts.js';
