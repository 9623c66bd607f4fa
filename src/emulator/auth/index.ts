import { defineProduct } from '../product.js';
import { registerAuthRoutes, scheduleAppTickets } from './routes.js';
import { AuthState } from './state.js';

export { AuthState, type AuthSnapshot } from './state.js';
export { authenticate, needsToken, requireTenant } from './guard.js';
export { checkScopes, consoleScopeUrl } from './scopes.js';
export type { ScopeRefusal } from './state.js';
export { pushAppTicket } from './routes.js';
export { TOKEN_TTL_MS, type TokenRecord, type TokenStore } from './tokens.js';

/** auth/v3: apps, tenant/app access tokens and the store apps' hourly app_ticket. */
export const auth = defineProduct({
  name: 'auth',
  state: AuthState,
  routes: registerAuthRoutes,
  // Getting a token needs no scope.
  scopes: Object.fromEntries(
    ['tenant_access_token/internal', 'app_access_token/internal', 'app_access_token', 'tenant_access_token', 'app_ticket/resend'].map((p) => [`POST /open-apis/auth/v3/${p}`, []]),
  ),
  start: scheduleAppTickets,
});
