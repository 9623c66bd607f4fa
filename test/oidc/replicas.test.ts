import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/index.js';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { startHub, type RunningHub } from '../../src/sandbox/index.js';
import { freePort } from '../cli/process.js';
import { dropSchema, PG_URL, postgresAvailable } from '../helpers/stores.js';
import { Browser } from './browser.js';
import { codeFlow, discover, oc, verifyWithJwks, type Rp } from './rp.js';

/**
 * Two hub replicas on one PostgreSQL behind one issuer: a login started on one finishes with a
 * token exchange on the other, a refresh token from one works once on the other, and a key
 * rotated on one signs the next token issued by the other.
 */
const pgUp = await postgresAvailable();
if (!pgUp && process.env.CI !== 'true') console.warn(`[oidc replicas] PostgreSQL is not reachable at ${PG_URL}: skipped (set CI=true to make this an error).`);

const SECRET = 'replica-client-secret-0123456789';
const CALLBACK = 'http://127.0.0.1:1/cb';

describe.skipIf(!pgUp && process.env.CI !== 'true')('OIDC on two replicas sharing PostgreSQL', () => {
  let emulator: EmulatorHandle;
  const hubs: RunningHub[] = [];
  const schema = `oidc_rep_${process.pid}_${Date.now().toString(36)}`;
  let a: string;
  let b: string;

  beforeAll(async () => {
    emulator = await startEmulator({ port: 0 });
    const [portA, portB] = [await freePort(), await freePort()];
    a = `http://127.0.0.1:${portA}`;
    b = `http://127.0.0.1:${portB}`;
    const url = new URL(PG_URL);
    url.searchParams.set('schema', schema);
    for (const port of [portA, portB]) {
      const config = loadConfig({
        env: {},
        file: undefined,
        overrides: { HUB_PORT: port, DATABASE_URL: url.toString(), HUB_PUBLIC_URL: a, HUB_SESSION_SECRET: 's'.repeat(40), LOG_LEVEL: 'silent' },
      });
      // One at a time: the first makes the tables and the first key.
      hubs.push(await startHub({ ...config, app: { encryptKeys: [], verificationTokens: [] } }, {
        emulatorUrl: emulator.url,
        sections: { oidc: { clients: [{ client_id: 'app', client_secret: SECRET, redirect_uris: [CALLBACK] }] } },
      }));
    }
  });
  afterAll(async () => {
    for (const h of hubs) await h.stop();
    await emulator?.close();
    if (pgUp) await dropSchema(schema);
  });

  /** The same relying party, its calls sent to replica `base` (one issuer, as behind a load balancer). */
  const via = (rp: Rp, base: string): Rp => {
    const { supportsPKCE: _, ...m } = rp.config.serverMetadata();
    const swap = (u?: string) => u?.replace(a, base);
    const config = new oc.Configuration({ ...m, token_endpoint: swap(m.token_endpoint), userinfo_endpoint: swap(m.userinfo_endpoint), jwks_uri: swap(m.jwks_uri) }, 'app', SECRET, oc.ClientSecretBasic(SECRET));
    oc.allowInsecureRequests(config);
    oc.enableNonRepudiationChecks(config);
    return { ...rp, config };
  };
  const asAlice = (url: URL) => {
    if (url.pathname === '/open-apis/authen/v1/authorize') url.searchParams.set('login_as', emulator.state.users.find((u) => u.user_id === 'alice')!.open_id);
    return url;
  };

  it('login on A, tokens from B, refresh on A once, rotation on B signs on A', async () => {
    const alice = emulator.state.users.find((u) => u.user_id === 'alice')!;
    const rpA = await discover(`${a}/oidc`, 'app', SECRET, CALLBACK);
    const rpB = via(rpA, b);
    const browser = new Browser();
    // The browser talks to A; the app's back channel to B.
    const { tokens } = await codeFlow(rpB, browser, { scope: 'openid profile email offline_access', prompt: 'consent', rewrite: asAlice });
    expect(tokens.claims()).toMatchObject({ iss: `${a}/oidc`, sub: alice.union_id, email: alice.email });
    expect(await oc.fetchUserInfo(rpA.config, tokens.access_token, alice.union_id)).toMatchObject({ name: alice.name });

    const refreshed = await oc.refreshTokenGrant(rpA.config, tokens.refresh_token!);
    expect(refreshed.claims()!.sub).toBe(alice.union_id);
    await expect(oc.refreshTokenGrant(rpB.config, tokens.refresh_token!)).rejects.toMatchObject({ error: 'invalid_grant' });

    const first = await verifyWithJwks(rpA, tokens.id_token!);
    const rotated = await hubs[1].hub.oidc.rotate();
    const fresh = await discover(`${a}/oidc`, 'app', SECRET, CALLBACK);
    const next = await codeFlow(fresh, browser, { scope: 'openid' });
    const signed = await verifyWithJwks(fresh, next.tokens.id_token!);
    expect(signed.kid).toBe(rotated.kid);
    expect(signed.kid).not.toBe(first.kid);
    expect((await verifyWithJwks(via(fresh, b), tokens.id_token!)).payload.sub).toBe(alice.union_id);
  });
});
