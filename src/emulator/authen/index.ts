import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { defineProduct } from '../product.js';
import { registerAuthorizeRoutes } from './authorize.js';
import { registerAuthenControlRoutes } from './control.js';
import { registerTokenRoutes } from './oauth.js';
import { registerQrRoutes, tmpCodeUser } from './qr.js';
import { registerH5Routes, workbenchPage } from './h5.js';
import { AuthenState } from './state.js';

export { AuthenState, type AuthenSnapshot } from './state.js';
export { expireUserTokens, issueCode, issueUserTokens } from './tokens.js';

/**
 * Feishu login for apps: the authorize page (+ v1 pre-auth and passport variants), the v2 OAuth
 * token endpoint, the v1 OIDC ones, user_info, QR login, and the in-client H5 path (the
 * Workbench page and its JSAPI bridge).
 */
export const authen = defineProduct({
  name: 'authen',
  state: AuthenState,
  page: workbenchPage,
  // Login needs no scope of the app (the person grants scopes there); user_info answers to any user token,
  // and the JSAPI ticket's docs list no scope.
  scopes: Object.fromEntries(
    [
      'GET /open-apis/authen/v1/authorize', 'POST /open-apis/authen/v1/authorize', 'GET /open-apis/authen/v1/index', 'POST /open-apis/authen/v1/index',
      'POST /open-apis/authen/v2/oauth/token', 'POST /open-apis/authen/v1/oidc/access_token', 'POST /open-apis/authen/v1/oidc/refresh_access_token',
      'POST /open-apis/authen/v1/access_token', 'POST /open-apis/authen/v1/refresh_access_token', 'GET /open-apis/authen/v1/user_info',
      'POST /open-apis/jssdk/ticket/get',
    ].map((api) => [api, []]),
  ),
  routes(app: FastifyInstance, ctx: EmulatorContext) {
    // In a scope of its own: the consent form and the passport token request are form-encoded.
    app.register(async (scope) => {
      scope.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => {
        done(null, Object.fromEntries(new URLSearchParams(body as string)));
      });
      registerAuthorizeRoutes(scope, ctx, (tmp) => tmpCodeUser(ctx, tmp));
      registerTokenRoutes(scope, ctx);
      registerAuthenControlRoutes(scope, ctx);
      registerQrRoutes(scope, ctx);
      registerH5Routes(scope, ctx);
    });
  },
});
