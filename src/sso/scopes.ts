import type { ScopeNeed } from '../capability/index.js';
import { getUser as getUserScope, userIdByEmail as userIdByEmailScope } from '../contact/scopes.js';
import type { SsoConfig } from './config.js';

const byDirectory = (c: SsoConfig) => c.enabled && (c.bind_by_email || Object.keys(c.bindings).length > 0);

/**
 * Feishu login: the OAuth token and user_info need no app scope (the person grants the login's
 * scopes, `sso.scopes`, when they authorise); binding a person to a system user may read the directory.
 */
export const ssoScopes: ScopeNeed<SsoConfig>[] = [
  { api: 'POST /open-apis/authen/v2/oauth/token', scopes: [], why: 'log people in with Feishu', enabled: (c) => c.enabled },
  { api: 'GET /open-apis/authen/v1/user_info', scopes: [], why: "read the logged-in person's profile", enabled: (c) => c.enabled },
  { ...getUserScope, why: 'bind a person to a system user by their directory email', enabled: byDirectory },
  { ...userIdByEmailScope, why: 'bind people named by email in sso.bindings', enabled: (c) => c.enabled && Object.keys(c.bindings).some((k) => k.includes('@')) },
];
