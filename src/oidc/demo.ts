import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from '../config/index.js';
import { esc, page } from './pages.js';

type Client = typeof import('openid-client');

interface Pending {
  verifier: string;
  nonce: string;
  at: number;
}

const DEMO_CLIENT = 'demo-app';
const SCOPE = 'openid profile email department employee feishu offline_access';

/**
 * The sandbox's demo relying party at /oidc/demo: an "internal app" written with openid-client, as
 * any app would be, that logs in through the hub's provider (so through Feishu) and shows what it
 * learnt: the id_token's claims, the userinfo, the key that signed it, and a sign-out button.
 * Its state (PKCE verifier, nonce) is kept here by `state`, so it works whatever host the browser used.
 */
export function registerDemoRoutes(app: FastifyInstance, deps: { issuer(request: FastifyRequest): string; base(request: FastifyRequest): string; logger: Logger }): void {
  const pending = new Map<string, Pending>();
  let client: Client | undefined;
  let config: Awaited<ReturnType<Client['discovery']>> | undefined;
  const setup = async (request: FastifyRequest) => {
    client ??= await import('openid-client').catch(() => {
      throw new Error('the OIDC demo app needs the openid-client package (npm install openid-client)');
    });
    if (!config) {
      const issuer = new URL(deps.issuer(request));
      config = await client.discovery(issuer, DEMO_CLIENT, undefined, client.None(), issuer.protocol === 'http:' ? { execute: [client.allowInsecureRequests] } : undefined);
    }
    return { oc: client, config };
  };
  const callbackUrl = (request: FastifyRequest) => `${deps.base(request)}/oidc/demo/callback`;

  app.get('/oidc/demo', async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(
      page(
        'Demo internal app',
        `<h1>Demo internal app</h1>
<p>This page stands for any internal tool that speaks OpenID Connect (Grafana, GitLab, Argo CD…). It has no login of its own: it asks the hub's OpenID Provider, which logs you in with Feishu.</p>
<p><a class="button primary" id="login" href="/oidc/demo/login">Log in to an internal app via the hub's OIDC</a></p>
<p class="muted">Client <code>${DEMO_CLIENT}</code> (public, PKCE S256), scopes <code>${esc(SCOPE)}</code>.</p>`,
      ),
    ),
  );

  const unavailable = (reply: import('fastify').FastifyReply, err: unknown) =>
    reply.code(503).type('text/html; charset=utf-8').send(page('Demo internal app', `<h1>The demo app cannot start</h1><p>${esc((err as Error).message)}</p>`));

  app.get('/oidc/demo/login', async (request, reply) => {
    const ready = await setup(request).catch((err: unknown) => err as Error);
    if (ready instanceof Error) return unavailable(reply, ready);
    const { oc, config } = ready;
    const verifier = oc.randomPKCECodeVerifier();
    const state = oc.randomState();
    const nonce = oc.randomNonce();
    const now = Date.now();
    for (const [k, v] of pending) if (now - v.at > 600_000) pending.delete(k);
    pending.set(state, { verifier, nonce, at: now });
    const url = oc.buildAuthorizationUrl(config, { redirect_uri: callbackUrl(request), scope: SCOPE, state, nonce, code_challenge: await oc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', prompt: 'consent' });
    return reply.redirect(url.href);
  });

  app.get<{ Querystring: { state?: string } }>('/oidc/demo/callback', async (request, reply) => {
    const ready = await setup(request).catch((err: unknown) => err as Error);
    if (ready instanceof Error) return unavailable(reply, ready);
    const { oc, config } = ready;
    const state = request.query.state ?? '';
    const saved = pending.get(state);
    if (!saved) return reply.code(400).type('text/html; charset=utf-8').send(page('Demo internal app', '<h1>Start again</h1><p>This sign-in is unknown or already finished.</p><p><a class="button" href="/oidc/demo">Back</a></p>'));
    pending.delete(state);
    const current = new URL(request.url, callbackUrl(request));
    try {
      const tokens = await oc.authorizationCodeGrant(config, current, { pkceCodeVerifier: saved.verifier, expectedState: state, expectedNonce: saved.nonce });
      const claims: Record<string, unknown> = tokens.claims() ?? {};
      const userinfo = await oc.fetchUserInfo(config, tokens.access_token, String(claims.sub));
      const header = JSON.parse(Buffer.from(String(tokens.id_token).split('.')[0], 'base64url').toString('utf8')) as { kid?: string; alg?: string };
      const logout = oc.buildEndSessionUrl(config, { id_token_hint: String(tokens.id_token), post_logout_redirect_uri: `${deps.base(request)}/oidc/demo` });
      const rows = Object.entries(claims).map(([k, v]) => `<tr><th>${esc(k)}</th><td><code>${esc(typeof v === 'string' ? v : JSON.stringify(v))}</code></td></tr>`).join('');
      return reply.type('text/html; charset=utf-8').send(
        page(
          'Demo internal app',
          `<h1 id="hello">Hello, ${esc(claims.name ?? claims.sub)}</h1>
<p>The hub's provider vouched for you with an id_token signed ${esc(header.alg)} by key <code id="kid">${esc(header.kid)}</code> (verified against its JWKS).</p>
<h2>id_token claims</h2><table id="claims">${rows}</table>
<h2>userinfo</h2><pre id="userinfo">${esc(JSON.stringify(userinfo, null, 2))}</pre>
<p class="muted">refresh token: ${tokens.refresh_token ? 'issued (offline_access)' : 'none'}; access token expires in ${esc(tokens.expires_in)} s.</p>
<p><a class="button" id="logout" href="${esc(logout.href)}">Sign out</a></p>`,
        ),
      );
    } catch (err) {
      deps.logger.warn({ err }, 'oidc demo: the code exchange failed');
      return reply.code(502).type('text/html; charset=utf-8').send(page('Demo internal app', `<h1>Login failed</h1><p>${esc((err as Error).message)}</p><p><a class="button" href="/oidc/demo">Back</a></p>`));
    }
  });
}
