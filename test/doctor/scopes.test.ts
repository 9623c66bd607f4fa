import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { leastScopes, neededApis, runDoctor, type Check, type DoctorReport } from '../../src/doctor/index.js';
import { defaultProducts } from '../../src/emulator/index.js';
import { builtinCapabilities } from '../../src/server/capabilities.js';
import { BIN, ROOT, cleanEnv, run } from '../cli/process.js';
import { hubsOnOneDatabase } from '../helpers/hubs.js';

/**
 * The doctor's scope check against the emulator: the granted list narrowed through the control API,
 * the missing scope named with the feature it breaks (exit 1), the least set for the enabled
 * capabilities, the admin-approval note on sensitive scopes; and the capabilities' scope tables
 * checked against the emulator's route table so the two cannot drift.
 */
describe('feishu-hub doctor: scopes', () => {
  let env: Awaited<ReturnType<typeof hubsOnOneDatabase>>;
  beforeAll(async () => {
    env = await hubsOnOneDatabase();
  });
  afterAll(async () => env?.close());
  afterEach(async () => {
    await fetch(`${env.emulator.url}/__emulator/apps/${env.emulator.app.appId}/scopes`, { method: 'DELETE' });
  });

  const grant = async (granted: string[]) => {
    const res = await fetch(`${env.emulator.url}/__emulator/apps/${env.emulator.app.appId}/scopes`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ granted }) });
    expect(res.status).toBe(200);
  };
  const check = (checks: Check[], id: string) => checks.find((c) => c.id === id);
  /** The default config plus capability sections, as feishu-hub.yaml would give them. */
  const withSections = (extra: Record<string, unknown>) => () => ({ ...env.configFor(), extra });

  it('everything granted: the least set for the default config, nothing missing, unused named as not checkable', async () => {
    const report = await runDoctor(() => env.configFor());
    expect(report.scopes!.least.map((l) => l.scope)).toEqual(['im:message:send_as_bot']);
    expect(report.scopes!.least[0].for.join('; ')).toContain('bot: reply to commands and messages');
    expect(report.scopes!.least[0].for.join('; ')).toContain('cards: update a card after someone clicks it');
    expect(report.scopes!.missing).toEqual([]);
    expect(report.scopes!.unused).toBeUndefined();
    expect(check(report.checks, 'scopes')).toMatchObject({ status: 'ok' });
    expect(check(report.checks, 'scopes')!.detail).toContain('least set: im:message:send_as_bot');
    expect(check(report.checks, 'scopes-unused')).toMatchObject({ status: 'skip' });
    expect(check(report.checks, 'scopes-unused')!.detail).toContain('never which the app holds');
  });

  it('the IM send scopes revoked through the control API: the CLI names the scope to add and what breaks, exit 1; --json has least and missing', async () => {
    await grant(['im:message:update']); // cards can still be updated, nothing can be sent
    const cliEnv = cleanEnv({ FEISHU_APP_ID: env.emulator.app.appId, FEISHU_APP_SECRET: env.emulator.app.appSecret, FEISHU_DOMAIN: env.emulator.url, FEISHU_ENCRYPT_KEY: env.emulator.app.encryptKey ?? '', DATABASE_URL: env.configFor().databaseUrl });
    const r = await run(process.execPath, [BIN, 'doctor'], { cwd: ROOT, env: cliEnv });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/FAIL\s+scope im:message:send_as_bot/);
    expect(r.stdout).toContain('Feishu refuses POST /open-apis/im/v1/messages, POST /open-apis/im/v1/messages/:message_id/reply (99991672)');
    expect(r.stdout).toContain('bot: reply to commands and messages');
    expect(r.stdout).toContain('Permissions & Scopes, add im:message:send_as_bot (or one of im:message:send, im:message)');
    expect(r.stdout).toContain('Scopes to request for the enabled capabilities');
    expect(r.stdout).not.toContain("needs an admin's approval");

    const j = await run(process.execPath, [BIN, 'doctor', '--json'], { cwd: ROOT, env: cliEnv });
    expect(j.code).toBe(1);
    const report = JSON.parse(j.stdout) as DoctorReport;
    expect(report.scopes!.least.map((l) => l.scope)).toEqual(['im:message:send_as_bot']);
    expect(report.scopes!.missing.map((m) => [m.api, m.request])).toEqual([
      ['POST /open-apis/im/v1/messages', 'im:message:send_as_bot'],
      ['POST /open-apis/im/v1/messages/:message_id/reply', 'im:message:send_as_bot'],
    ]);
    expect(report.scopes!.missing[0].anyOf.sort()).toEqual(['im:message', 'im:message:send', 'im:message:send_as_bot']);
    expect(check(report.checks, 'scopes')).toMatchObject({ status: 'fail' });
  });

  it('a sensitive scope missing (the directory mirror without contact scopes): the admin-approval note', async () => {
    await grant(['im:message:send_as_bot']);
    const report = await runDoctor(withSections({ directory: { enabled: true } }));
    expect(report.ok).toBe(false);
    expect(report.scopes!.least).toHaveLength(2);
    expect(report.scopes!.least).toEqual(
      expect.arrayContaining([expect.objectContaining({ scope: 'im:message:send_as_bot', sensitive: false }), expect.objectContaining({ scope: 'contact:contact.base:readonly', sensitive: true })]),
    );
    const c = check(report.checks, 'scope:contact:contact.base:readonly')!;
    expect(c).toMatchObject({ status: 'fail', title: "scope contact:contact.base:readonly (needs an admin's approval)" });
    expect(c.detail).toContain('directory: mirror the directory (people and departments)');
    expect(c.fix).toContain("it needs an admin's approval");
    expect(report.scopes!.missing.every((m) => m.sensitive && m.request === 'contact:contact.base:readonly')).toBe(true);

    await grant(['im:message:send_as_bot', 'contact:contact:readonly']); // opens people and departments, not the app's contact scope nor users/batch
    const partly = await runDoctor(withSections({ directory: { enabled: true } }));
    expect(partly.scopes!.missing.map((m) => m.api)).toEqual(['GET /open-apis/contact/v3/scopes', 'GET /open-apis/contact/v3/users/batch']);

    await grant(['im:message:send_as_bot', 'contact:contact.base:readonly']);
    const after = await runDoctor(withSections({ directory: { enabled: true } }));
    expect(after.scopes!.missing).toEqual([]);
    expect(check(after.checks, 'scopes')).toMatchObject({ status: 'ok' });
  });

  it('the least set for a config using everything takes the narrowest scope of each API, reused where it covers several', async () => {
    const config = {
      ...env.configFor(),
      extra: {
        directory: { enabled: true },
        approvals: { approver_cards: ['CODE-1'], rules: [] },
        sync: { jobs: { orders: { bitable: { app_token: 'bascnX', table_id: 'tblX' }, database: { url: 'sqlite:/tmp/feishu-hub-doctor-orders.db', table: 'orders' }, key: { column: 'id', field: 'ID' }, fields: [{ column: 'name', field: 'Name' }] } } },
      },
    };
    const least = leastScopes(neededApis(builtinCapabilities, config));
    const scopes = least.map((l) => l.scope).sort();
    expect(scopes).toContain('im:message:send_as_bot');
    expect(scopes).toContain('contact:contact.base:readonly');
    expect(scopes).toContain('base:record:create');
    expect(scopes).toContain('docs:event:subscribe');
    expect(scopes).not.toContain('bitable:app'); // the catch-all is never needed
    expect(scopes).not.toContain('im:message');
    // Every needed API is opened by some scope of the set.
    for (const n of neededApis(builtinCapabilities, config)) expect(n.scopes.some((s) => scopes.includes(s))).toBe(true);
  });

  it("every capability's scope entry names an emulated API with the same scopes (the two tables cannot drift)", () => {
    const routes = new Map<string, string[]>();
    for (const p of defaultProducts) for (const [api, scopes] of Object.entries(p.scopes ?? {})) routes.set(api, [...scopes]);
    const entries = builtinCapabilities.flatMap((c) => (c.scopes ?? []).map((e) => ({ capability: c.name, ...e })));
    expect(entries.length).toBeGreaterThan(20);
    for (const e of entries) {
      expect(routes.has(e.api), `${e.capability}: ${e.api} is not an emulated route`).toBe(true);
      expect([...e.scopes].sort(), `${e.capability}: ${e.api}`).toEqual([...routes.get(e.api)!].sort());
      if (e.scopes.length && e.probe) expect(e.probe.url.startsWith('/open-apis/'), `${e.api} probe`).toBe(true);
    }
    // Every built-in capability declares its list (an empty one says it calls nothing itself).
    for (const name of ['platform', 'events', 'bot', 'cards', 'sso', 'oidc', 'approval', 'alerts', 'directory', 'bitable', 'sync']) {
      expect(builtinCapabilities.find((c) => c.name === name)?.scopes, name).toBeDefined();
    }
  });
});
