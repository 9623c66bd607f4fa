import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHub, type TestHub } from '../../src/testing/index.js';
import { BIN, cleanEnv, run } from '../cli/process.js';
import { Browser } from './browser.js';
import { codeFlow, discover, logout, oc, verifyWithJwks, type Rp } from './rp.js';

/**
 * Done when: a standard OIDC client library (openid-client) completes discovery and the
 * authorization code flow with PKCE through the hub's real Feishu login (hub interaction →
 * /login/feishu → the emulator's authorize page, as Alice → /callback/feishu → back), verifies the
 * id_token against the JWKS, reads userinfo, refreshes; after `feishu-hub oidc rotate` a new kid
 * signs while the old id_token still verifies; RP-initiated logout ends the provider's and the
 * hub's sessions.
 */
const SECRET = 'grafana-secret-0123456789abcdef';
const CALLBACK = 'http://127.0.0.1:1/login/generic_oauth';
const BYE = 'http://127.0.0.1:1/logged-out';

describe('OIDC provider through the Feishu login (openid-client)', () => {
  let t: TestHub;
  let rp: Rp;
  let issuer: string;
  beforeAll(async () => {
    process.env.OIDC_TEST_GRAFANA_SECRET = SECRET;
    t = await createTestHub({
      sections: {
        oidc: {
          clients: [
            { client_id: 'grafana', client_name: 'Grafana', client_secret_env: 'OIDC_TEST_GRAFANA_SECRET', redirect_uris: [CALLBACK], post_logout_redirect_uris: [BYE] },
            { client_id: 'demo-app', public: true, redirect_uris: ['/oidc/demo/callback'], post_logout_redirect_uris: ['/oidc/demo'] },
          ],
          demo: true,
        },
      },
    });
    issuer = `${t.hub.url}/oidc`;
    rp = await discover(issuer, 'grafana', SECRET, CALLBACK);
  });
  afterAll(async () => {
    await t?.close();
    delete process.env.OIDC_TEST_GRAFANA_SECRET;
  });

  /** On the emulator's authorize page, Alice is the one who picks herself (login_as, as the page's button would). */
  const asAlice = (url: URL) => {
    if (url.pathname === '/open-apis/authen/v1/authorize' || url.pathname === '/open-apis/authen/v1/index') url.searchParams.set('login_as', t.users.alice.open_id);
    return url;
  };

  it('discovery, code + PKCE through /login/feishu and the emulator, verified id_token, userinfo, refresh, rotation, logout', async () => {
    const alice = t.users.alice;
    expect(alice.union_id).toBeTruthy();
    const browser = new Browser();
    expect(rp.config.serverMetadata().issuer).toBe(issuer);

    const { tokens } = await codeFlow(rp, browser, { scope: 'openid profile email offline_access', prompt: 'consent', rewrite: asAlice });
    // The browser went through the hub's interaction, its Feishu login and the emulator's authorize page.
    const path = browser.visited.map((v) => new URL(v.split(' ')[1]).pathname);
    expect(path).toEqual(expect.arrayContaining(['/oidc/auth', '/login/feishu', '/open-apis/authen/v1/authorize', '/callback/feishu']));
    expect(path.some((p) => p.startsWith('/oidc/interaction/'))).toBe(true);

    // openid-client verified the id_token's signature against the JWKS (non-repudiation checks on).
    const claims = tokens.claims()!;
    expect(claims).toMatchObject({ iss: issuer, aud: 'grafana', sub: alice.union_id, name: alice.name, email: alice.email });
    const first = await verifyWithJwks(rp, tokens.id_token!);
    expect(first.payload.sub).toBe(alice.union_id);

    const info = await oc.fetchUserInfo(rp.config, tokens.access_token, alice.union_id);
    expect(info).toMatchObject({ sub: alice.union_id, name: alice.name, email: alice.email });

    // The refresh token works once: a new pair, same person; the used one is refused.
    const refreshed = await oc.refreshTokenGrant(rp.config, tokens.refresh_token!);
    expect(refreshed.claims()!.sub).toBe(alice.union_id);
    expect(refreshed.refresh_token).toBeTruthy();
    await expect(oc.refreshTokenGrant(rp.config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });

    // `feishu-hub oidc rotate` (another process, the hub's database): a new kid signs from the next token on.
    const env = cleanEnv({ DATABASE_URL: `sqlite:${t.hub.store!.file}`, FEISHU_HUB_CONFIG: '', LOG_LEVEL: 'silent' });
    const rotatedRun = await run(process.execPath, [BIN, 'oidc', 'rotate', '--json'], { env });
    expect(rotatedRun.code, rotatedRun.output).toBe(0);
    const rotated = JSON.parse(rotatedRun.stdout) as { rotated: { kid: string; state: string }; keys: { kid: string; state: string }[] };
    expect(rotated.rotated.state).toBe('signing');
    expect(rotated.keys.find((k) => k.kid === first.kid)?.state).toBe('published');
    const table = await run(process.execPath, [BIN, 'oidc', 'keys'], { env });
    expect(table.stdout).toMatch(new RegExp(`${rotated.rotated.kid}\\s+RS256\\s+signing`));
    expect(table.stdout).toMatch(new RegExp(`${first.kid}\\s+RS256\\s+published`));

    // A second login in the same browser needs no Feishu step (the hub session is still Alice's).
    const fresh = await discover(issuer, 'grafana', SECRET, CALLBACK);
    const before = browser.visited.length;
    const second = await codeFlow(fresh, browser, { scope: 'openid profile email' });
    expect(browser.visited.slice(before).some((v) => v.includes('/login/feishu'))).toBe(false);
    const verified = await verifyWithJwks(fresh, second.tokens.id_token!);
    expect(verified.kid).toBe(rotated.rotated.kid);
    expect(verified.kid).not.toBe(first.kid);
    // The first id_token, signed by the previous key, still verifies against the published JWKS.
    expect((await verifyWithJwks(fresh, tokens.id_token!)).payload).toMatchObject({ sub: alice.union_id, name: alice.name });

    // RP-initiated logout with the old id_token as hint: back at the app's page, and signed out of the hub too.
    const landed = await logout(fresh, browser, tokens.id_token!, BYE);
    expect(landed.href).toBe(BYE);
    await expect(codeFlow(fresh, browser, { scope: 'openid', prompt: 'none' })).rejects.toMatchObject({ error: 'login_required' });
    const hubPage = await browser.follow(`${t.hub.url}/oidc/auth?${new URLSearchParams({ client_id: 'grafana', response_type: 'code', scope: 'openid', redirect_uri: CALLBACK, code_challenge: 'x'.repeat(43), code_challenge_method: 'S256' })}`, { stop: (u) => u.pathname === '/login/feishu' });
    expect(hubPage.url.pathname).toBe('/login/feishu');
  });

  it('the sandbox demo app logs in through the same path and shows the claims', async () => {
    const browser = new Browser();
    const end = await browser.follow(`${t.hub.url}/oidc/demo/login`, { rewrite: asAlice });
    const html = await end.response!.text();
    expect(end.url.pathname).toBe('/oidc/demo/callback');
    expect(end.response!.status, html.slice(0, 500)).toBe(200);
    expect(html).toContain(t.users.alice.union_id);
    expect(html).toContain(t.users.alice.email);
    expect(html).toMatch(/id="kid">[\w-]{20,}</);
  });
});
