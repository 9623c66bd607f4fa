import * as oc from 'openid-client';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { Browser, formOf } from './browser.js';

/** A relying party written with openid-client, as an internal app would be. */
export interface Rp {
  config: oc.Configuration;
  issuer: string;
  redirectUri: string;
}

export async function discover(issuer: string, clientId: string, secret: string | undefined, redirectUri: string): Promise<Rp> {
  const config = await oc.discovery(new URL(issuer), clientId, secret, secret ? oc.ClientSecretBasic(secret) : oc.None(), { execute: [oc.allowInsecureRequests] });
  // Verify id_token signatures against the JWKS even from the token endpoint.
  oc.enableNonRepudiationChecks(config);
  return { config, issuer, redirectUri };
}

/**
 * The authorization code flow with PKCE through a browser: `login` gets the browser through
 * whatever login the hub sends it to (it follows redirects to the RP's callback and returns it).
 */
export async function codeFlow(rp: Rp, browser: Browser, o: { scope: string; rewrite?: (url: URL) => URL; prompt?: string }) {
  const verifier = oc.randomPKCECodeVerifier();
  const state = oc.randomState();
  const nonce = oc.randomNonce();
  const url = oc.buildAuthorizationUrl(rp.config, {
    redirect_uri: rp.redirectUri,
    scope: o.scope,
    state,
    nonce,
    code_challenge: await oc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    ...(o.prompt ? { prompt: o.prompt } : {}),
  });
  const end = await browser.follow(url, { stop: (u) => u.href.startsWith(rp.redirectUri), rewrite: o.rewrite });
  if (!end.url.href.startsWith(rp.redirectUri)) throw new Error(`the flow ended at ${end.url.href} (${end.response?.status}): ${(await end.response?.text())?.slice(0, 500)}\n${browser.visited.join('\n')}`);
  const tokens = await oc.authorizationCodeGrant(rp.config, end.url, { pkceCodeVerifier: verifier, expectedState: state, expectedNonce: nonce });
  return { tokens, callback: end.url };
}

/** Verifies a JWT against the provider's published JWKS (fresh fetch). */
export async function verifyWithJwks(rp: Rp, jwt: string) {
  const jwks = createRemoteJWKSet(new URL(rp.config.serverMetadata().jwks_uri!), { cacheMaxAge: 0, cooldownDuration: 0 });
  const { payload } = await jwtVerify(jwt, jwks, { issuer: rp.issuer });
  return { payload, kid: decodeProtectedHeader(jwt).kid };
}

/** RP-initiated logout: the end_session URL, the confirmation form, "Sign out". Returns where it lands. */
export async function logout(rp: Rp, browser: Browser, idToken: string, postLogout: string): Promise<URL> {
  const url = oc.buildEndSessionUrl(rp.config, { id_token_hint: idToken, post_logout_redirect_uri: postLogout });
  const page = await browser.fetch(url);
  const html = await page.text();
  if (page.status !== 200) throw new Error(`end_session answered ${page.status}: ${html.slice(0, 500)}`);
  const form = formOf(html, 'op.logoutForm');
  const body = new URLSearchParams({ ...form.fields, logout: 'yes' });
  const done = await browser.follow(new URL(form.action, url), { init: { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }, stop: (u) => u.href.startsWith(postLogout) });
  return done.url;
}

export { oc };
