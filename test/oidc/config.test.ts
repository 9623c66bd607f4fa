import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/index.js';
import { createTestHub } from '../../src/testing/index.js';
import { createHub } from '../../src/server/index.js';

/** What someone who got feishu-hub.yaml's oidc section wrong reads when the hub starts. */
const hubWith = (oidc: unknown, env: Record<string, string> = {}) => {
  const config = loadConfig({ env: { FEISHU_APP_ID: 'cli_a1b2c3d4e5f60708', FEISHU_APP_SECRET: 's', FEISHU_VERIFICATION_TOKEN: 'v', LOG_LEVEL: 'silent', ...env }, file: undefined });
  return () => createHub({ config, sections: { oidc, sso: { enabled: true } } });
};
const problems = (fn: () => unknown): string[] => {
  try {
    fn();
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('no ConfigError');
};

describe('oidc config at start', () => {
  const secret = { HUB_SESSION_SECRET: 'k'.repeat(40) };

  it('names each mistake as written in the file', () => {
    const out = problems(
      hubWith(
        {
          clients: [
            { client_id: 'grafana', redirect_uris: [] },
            { client_id: 'spa', public: true, client_secret: 'x'.repeat(20), redirect_uris: ['https://spa.example.com/cb#frag'] },
            { client_id: 'grafana', client_secret_env: 'lower-case!', redirect_uris: ['https://g.example.com/cb'] },
          ],
          subject: 'name',
        },
        secret,
      ),
    );
    expect(out).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^oidc\.clients\.0\.redirect_uris needs at least one redirect URI/),
        expect.stringMatching(/^oidc\.clients\.0\.client_secret_env is required for a confidential client/),
        expect.stringMatching(/^oidc\.clients\.1\.public a public client has no secret/),
        expect.stringMatching(/^oidc\.clients\.1\.redirect_uris\.0 must be an absolute URL .* without a #fragment/),
        expect.stringMatching(/^oidc\.clients\.2\.client_secret_env must be an environment variable name/),
        expect.stringMatching(/^oidc\.subject must be one of union_id, open_id, user_id, email/),
      ]),
    );
  });

  it('a client_id declared twice', () => {
    const c = { client_id: 'grafana', client_secret_env: 'G', redirect_uris: ['https://g.example.com/cb'] };
    expect(problems(hubWith({ clients: [c, c] }, secret))).toEqual(['oidc.clients.1.client_id "grafana" is declared twice']);
  });

  it('a secret from an env variable that is not set is said plainly', () => {
    const out = problems(hubWith({ clients: [{ client_id: 'grafana', client_secret_env: 'GRAFANA_OIDC_SECRET_UNSET', redirect_uris: ['https://g.example.com/cb'] }] }, secret));
    expect(out).toEqual(['oidc.clients.0 (grafana): client_secret_env GRAFANA_OIDC_SECRET_UNSET is not set in the environment']);
  });

  it('without Feishu login (no sso section) it says to turn that on', () => {
    const config = loadConfig({ env: { FEISHU_APP_ID: 'cli_a1b2c3d4e5f60708', FEISHU_APP_SECRET: 's', FEISHU_VERIFICATION_TOKEN: 'v', LOG_LEVEL: 'silent', ...secret }, file: undefined });
    const out = problems(() => createHub({ config, sections: { oidc: { clients: [{ client_id: 'app', public: true, redirect_uris: ['https://a.example.com/cb'] }] } } }));
    expect(out).toEqual([expect.stringMatching(/^oidc logs people in with Feishu: turn on Feishu login with an sso section/)]);
  });

  it('no clients: no provider, and hub.oidc says how to turn it on', async () => {
    const hub = hubWith({}, secret)();
    expect(() => hub.oidc.issuer()).toThrow(/oidc\.clients/);
    await expect(hub.oidc.keys()).rejects.toThrow(/declare its clients under oidc\.clients/);
  });

  it("oidc-provider's own checks of a client run at start too", async () => {
    await expect(createTestHub({ sections: { oidc: { clients: [{ client_id: 'app', public: true, redirect_uris: ['javascript://x/alert(1)'] }] } } })).rejects.toThrow(/oidc\.clients\.0 \(app\): redirect_uris/);
  });
});
