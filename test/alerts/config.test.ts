import { describe, expect, it } from 'vitest';
import { createTestHub } from '../../src/testing/index.js';

/** A wrong alerts section stops the start with one line per problem that says what to fix. */
describe('alerts config is checked at start', () => {
  const startWith = (alerts: Record<string, unknown>) => createTestHub({ sections: { alerts } }).then(async (t) => (await t.close(), undefined), (err: Error) => err);

  it('a bad matcher, a route to nowhere, a source without credentials', async () => {
    const err = await startWith({
      sources: { alertmanager: { credentials: [] } },
      routes: [{ name: 'db', matchers: ['team=="db"'], chats: ['oc_1'] }, { name: 'empty', chats: [] }],
    });
    expect(err?.message).toContain('alerts.sources.alertmanager.credentials must list at least one credential');
    expect(err?.message).toContain('alerts.routes.0.matchers.0 "team=="db"" is not a matcher');
    expect(err?.message).toContain('alerts.routes.1 needs at least one chat or user to send to');
  });

  it('a credential whose variable is unset names the variable', async () => {
    delete process.env.ALERTS_UNSET_TOKEN;
    const err = await startWith({ sources: { generic: { credentials: [{ token_env: 'ALERTS_UNSET_TOKEN' }] } } });
    expect(err?.message).toContain('ALERTS_UNSET_TOKEN must hold a token of at least 16 characters (a credential of alerts source "generic")');
  });

  it('an empty alerts section: no alert commands in /help, sources answer 404, hub.alerts says it is off', async () => {
    const t = await createTestHub({ sections: { alerts: {} } });
    try {
      expect(t.hub.listCommands().map((c) => c.name)).not.toContain('/incidents');
      const res = await fetch(`${t.hub.url}/alerts/alertmanager`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
      expect(res.status).toBe(404);
      await expect(t.hub.alerts.incidents()).rejects.toThrow(/alerts are not configured/);
    } finally {
      await t.close();
    }
  });
});
