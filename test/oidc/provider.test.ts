import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyRequest } from 'fastify';
import { defineCapability } from '../../src/capability/index.js';
import { oidcCapability, type OidcUser } from '../../src/oidc/index.js';
import { builtinCapabilities } from '../../src/server/capabilities.js';
import { createTestHub, type TestHub } from '../../src/testing/index.js';
import { Browser } from './browser.js';
import { codeFlow, discover, logout, oc, verifyWithJwks, type Rp } from './rp.js';

/**
 * The provider with a stand-in for hub.sso (a cookie naming the user): the unit-level check of
 * the provider itself. flow.test.ts is the same story through the real Feishu login.
 */
const people: Record<string, OidcUser> = {
  alice: { id: '1', open_id: 'ou_alice', union_id: 'on_alice', user_id: 'alice', name: 'Alice Wang', email: 'alice@example.com', avatar_url: 'http://127.0.0.1/a.png', employee_no: 'E001', tenant_key: 't1' },
  bob: { id: '2', open_id: 'ou_bob', union_id: 'on_bob', user_id: 'bob', name: 'Bob Li', email: 'bob@example.com', tenant_key: 't1' },
};
const cookieUser = (request: FastifyRequest) => /(?:^|; )stub_user=(\w+)/.exec(request.headers.cookie ?? '')?.[1];
const stubSso = defineCapability({
  name: 'sso',
  setup: ({ decorate }) =>
    decorate({
      sso: {
        currentUser: async (request: FastifyRequest) => people[cookieUser(request) ?? ''],
        loginUrl: (returnTo: string) => `/stub/login?return_to=${encodeURIComponent(returnTo)}`,
      },
    }),
  routes: (app) => {
    app.get<{ Querystring: { return_to: string; as?: string } }>('/stub/login', async (request, reply) =>
      reply.header('set-cookie', `stub_user=${request.query.as ?? 'alice'}; Path=/; HttpOnly`).redirect(request.query.return_to),
    );
    app.get('/stub/logout', async (_request, reply) => reply.header('set-cookie', 'stub_user=; Path=/; Max-Age=0').send('bye'));
  },
});

/** A stand-in for the contact capability's hub.directory. */
const directory: Record<string, { department_ids: string[]; employee_no?: string; status: string }> = {
  ou_alice: { department_ids: ['od-eng', 'od-sre'], employee_no: 'E001', status: 'active' },
  ou_bob: { department_ids: ['od-eng'], status: 'active' },
};
const departments: Record<string, string> = { 'od-eng': 'Engineering', 'od-sre': 'SRE' };
const stubDirectory = defineCapability({
  name: 'directory',
  setup: ({ decorate }) =>
    decorate({
      directory: {
        enabled: true,
        user: async (id: string) => directory[id],
        department: async (id: string) => (departments[id] ? { name: departments[id] } : undefined),
      },
    }),
});

const SECRET = 'rp-secret-0123456789abcdef';
describe('OIDC provider (stub login)', () => {
  let t: TestHub;
  let rp: Rp;
  const redirectUri = 'http://127.0.0.1:1/cb';
  beforeAll(async () => {
    t = await createTestHub({
      capabilities: [...builtinCapabilities.filter((c) => !['sso', 'oidc', 'directory'].includes(c.name)), stubSso, stubDirectory, oidcCapability],
      sections: { oidc: { clients: [{ client_id: 'wiki', client_name: 'Wiki', client_secret: SECRET, redirect_uris: [redirectUri], post_logout_redirect_uris: ['http://127.0.0.1:1/bye'] }] } },
    });
    rp = await discover(`${t.hub.url}/oidc`, 'wiki', SECRET, redirectUri);
  });
  afterAll(() => t?.close());

  it('publishes discovery with the hub as issuer, code flow only, S256, RS256', () => {
    const m = rp.config.serverMetadata();
    expect(m.issuer).toBe(`${t.hub.url}/oidc`);
    expect(m.authorization_endpoint).toBe(`${t.hub.url}/oidc/auth`);
    expect(m.code_challenge_methods_supported).toEqual(['S256']);
    expect(m.id_token_signing_alg_values_supported).toContain('RS256');
    expect(m.end_session_endpoint).toBe(`${t.hub.url}/oidc/session/end`);
    expect(m.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'department', 'employee', 'offline_access']));
  });

  it('logs in through hub.sso, issues verified RS256 id_tokens, userinfo, rotating refresh tokens; survives a key rotation; logs out', async () => {
    const browser = new Browser();
    const { tokens } = await codeFlow(rp, browser, { scope: 'openid profile email employee offline_access', prompt: 'consent' });
    expect(browser.visited.some((v) => v.includes('/stub/login'))).toBe(true);
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ sub: 'on_alice', name: 'Alice Wang', email: 'alice@example.com', email_verified: true, picture: 'http://127.0.0.1/a.png', employee_no: 'E001' });
    const first = await verifyWithJwks(rp, tokens.id_token!);
    const info = await oc.fetchUserInfo(rp.config, tokens.access_token, 'on_alice');
    expect(info).toMatchObject({ sub: 'on_alice', name: 'Alice Wang', email: 'alice@example.com' });

    // A second login in the same browser needs no login step (the hub session is the same person).
    const again = await codeFlow(rp, browser, { scope: 'openid' });
    expect(again.tokens.claims()!.sub).toBe('on_alice');

    // Refresh: a new pair; the used refresh token is refused afterwards.
    const refreshed = await oc.refreshTokenGrant(rp.config, tokens.refresh_token!);
    expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
    expect(refreshed.claims()!.sub).toBe('on_alice');
    await expect(oc.refreshTokenGrant(rp.config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });

    // Rotation: the next token is signed by the new key; the old id_token still verifies.
    const rotated = await t.hub.oidc.rotate();
    // (openid-client refetches a JWKS for an unknown kid only when its copy is a minute old: an app started now.)
    rp = await discover(`${t.hub.url}/oidc`, 'wiki', SECRET, redirectUri);
    const next = await codeFlow(rp, browser, { scope: 'openid' });
    const nextVerified = await verifyWithJwks(rp, next.tokens.id_token!);
    expect(nextVerified.kid).toBe(rotated.kid);
    expect(nextVerified.kid).not.toBe(first.kid);
    expect((await verifyWithJwks(rp, tokens.id_token!)).payload.sub).toBe('on_alice');

    // RP-initiated logout with the old id_token as hint.
    const landed = await logout(rp, browser, tokens.id_token!, 'http://127.0.0.1:1/bye');
    expect(landed.href).toBe('http://127.0.0.1:1/bye');
  });

  it('the hub session decides: another person logged in to the hub is not handed the previous one\'s identity', async () => {
    const browser = new Browser();
    await codeFlow(rp, browser, { scope: 'openid' });
    // The hub session now says Bob (as if Alice logged out of the hub and Bob logged in).
    await browser.fetch(`${t.hub.url}/stub/login?as=bob&return_to=/healthz`);
    const { tokens } = await codeFlow(rp, browser, { scope: 'openid profile' });
    expect(tokens.claims()).toMatchObject({ sub: 'on_bob', name: 'Bob Li' });
    // With no hub session at all, prompt=none cannot log in.
    await browser.fetch(`${t.hub.url}/stub/logout`);
    await expect(codeFlow(rp, browser, { scope: 'openid', prompt: 'none' })).rejects.toMatchObject({ error: 'login_required' });
  });

  it('department and employee claims come from the directory when granted; someone who left gets no more tokens', async () => {
    const browser = new Browser();
    const { tokens } = await codeFlow(rp, browser, { scope: 'openid profile department employee offline_access', prompt: 'consent' });
    expect(tokens.claims()).toMatchObject({ sub: 'on_alice', department_ids: ['od-eng', 'od-sre'], departments: ['Engineering', 'SRE'], employee_no: 'E001' });
    expect(tokens.claims()!.email).toBeUndefined(); // email scope not asked
    const info = await oc.fetchUserInfo(rp.config, tokens.access_token, 'on_alice');
    expect(info).toMatchObject({ departments: ['Engineering', 'SRE'] });
    directory.ou_alice.status = 'resigned';
    try {
      await expect(oc.refreshTokenGrant(rp.config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });
      await expect(oc.fetchUserInfo(rp.config, tokens.access_token, 'on_alice')).rejects.toMatchObject({ status: 401 });
    } finally {
      directory.ou_alice.status = 'active';
    }
  });

  it('a code works once: replayed, it is refused and the tokens it gave are revoked', async () => {
    const browser = new Browser();
    const verifier = oc.randomPKCECodeVerifier();
    const url = oc.buildAuthorizationUrl(rp.config, { redirect_uri: redirectUri, scope: 'openid', state: 'st', code_challenge: await oc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256' });
    const { url: callback } = await browser.follow(url, { stop: (u) => u.href.startsWith(redirectUri) });
    const tokens = await oc.authorizationCodeGrant(rp.config, callback, { pkceCodeVerifier: verifier, expectedState: 'st' });
    await expect(oc.authorizationCodeGrant(rp.config, callback, { pkceCodeVerifier: verifier, expectedState: 'st' })).rejects.toMatchObject({ error: 'invalid_grant' });
    await expect(oc.fetchUserInfo(rp.config, tokens.access_token, 'on_alice')).rejects.toMatchObject({ status: 401 });
    // A wrong verifier is refused too.
    const again = await browser.follow(url, { stop: (u) => u.href.startsWith(redirectUri) });
    await expect(oc.authorizationCodeGrant(rp.config, again.url, { pkceCodeVerifier: oc.randomPKCECodeVerifier(), expectedState: 'st' })).rejects.toMatchObject({ error: 'invalid_grant' });
  });

  it('a stale or foreign interaction link gets a page that says to start again', async () => {
    const res = await new Browser().fetch(`${t.hub.url}/oidc/interaction/not-a-real-one`);
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Go back to the app and start again');
  });

  it('refuses a request without PKCE and an unregistered redirect_uri', async () => {
    const browser = new Browser();
    const noPkce = oc.buildAuthorizationUrl(rp.config, { redirect_uri: redirectUri, scope: 'openid', state: 's' });
    const a = await browser.follow(noPkce, { stop: (u) => u.href.startsWith(redirectUri) });
    expect(a.url.searchParams.get('error')).toBe('invalid_request');
    expect(a.url.searchParams.get('error_description')).toMatch(/PKCE/);
    const badRedirect = oc.buildAuthorizationUrl(rp.config, { redirect_uri: 'http://evil.example/cb', scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' });
    const b = await browser.follow(badRedirect);
    expect(b.response!.status).toBe(400);
    expect(await b.response!.text()).toContain('redirect_uri');
  });
});
