/**
 * The hub's OpenID Provider for internal apps: standard OIDC (discovery, authorization code +
 * PKCE, RS256 id_tokens with rotated keys, refresh tokens, userinfo, RP-initiated logout) on
 * oidc-provider, with Feishu as the login.
 */
export { oidcCapability, type OidcApi } from './capability.js';
export { oidcConfigSchema, SCOPES, SCOPE_CLAIMS, SUBJECTS, type OidcConfig, type OidcClientConfig, type SubjectField } from './config.js';
export { KyselyOidcAdapter } from './adapter.js';
export { SigningKeys, type KeyInfo } from './keys.js';
export { claimsOf, subjectOf, type OidcUser, type DirectoryLike, type DirectoryUser } from './claims.js';
export { oidcMigrations, namespacedOidcMigrations } from './tables.js';
