import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { taskOutcomeCard } from '../../src/approval/approver-card.js';
import { DEMO_CHAT_ID } from '../../src/emulator/index.js';
import { clearAlertTokens, setAlertTokens, sources } from '../alerts/helpers.js';
import { Jar, loginAs, ssoTestHub } from './helpers.js';

/** hub.accounts as the one binding service: the alerts capability resolves people through it. */
describe('sso: hub.accounts used by alerts and approval', () => {
  let t: Awaited<ReturnType<typeof ssoTestHub>>;
  beforeAll(async () => {
    setAlertTokens();
    t = await ssoTestHub({
      sso: { bindings: { 'carol@example.com': 'cwang' }, bind_claim: 'user_id' },
      sections: { alerts: { sources: sources(), default_chat: DEMO_CHAT_ID, bindings: { by_email: false } } },
    });
  });
  afterAll(async () => {
    await t?.close();
    clearAlertTokens();
  });

  it('alerts know a person by the hub binding from sso.bindings', async () => {
    const [answer] = await t.say('/bind', { as: 'carol' });
    expect(answer.text).toContain('You are linked as cwang.');
  });

  it('a login binds by the configured claim, and alerts see it', async () => {
    expect((await t.say('/bind', { as: 'dave', p2p: true }))[0].text).toContain('You are not linked yet.');
    await loginAs(new Jar(), t.hub.url!, t.users.dave.open_id);
    expect(await t.hub.accounts.systemUserOf(t.users.dave.open_id)).toBe('dave'); // bind_claim: user_id
    expect((await t.say('/bind', { as: 'dave', p2p: true }))[0].text).toContain('You are linked as dave.');
  });

  it('/bind in the alerts bot is learnt by hub.accounts (and by a later login)', async () => {
    await t.say('/bind erin.l', { as: 'erin', p2p: true });
    expect(await t.hub.accounts.systemUserOf(t.users.erin.open_id)).toBe('erin.l');
    expect((await t.hub.accounts.feishuUserOf('erin.l'))?.source).toBe('self');
    const jar = new Jar();
    await loginAs(jar, t.hub.url!, t.users.erin.open_id);
    const me = (await (await jar.fetch(`${t.hub.url}/me.json`)).json()) as { user: { system_user?: string } };
    expect(me.user.system_user).toBe('erin.l');
  });

  it('approval outcome cards name the decider\'s system user when bound', () => {
    const card = JSON.stringify(taskOutcomeCard({ title: 'Expense', applicant: 'Bob', lines: [] }, 'APPROVED', t.users.carol.open_id, 'ok', undefined, 'cwang'));
    expect(card).toContain(`Approved by <at id=${t.users.carol.open_id}></at> (cwang): ok.`);
  });
});
