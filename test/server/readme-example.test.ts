import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { button, card2, defineCapability, header, markdown, type Hub } from '../../src/index.js';
import { createTestHub, type TestHub } from '../../src/testing/index.js';

// The README's "Write a Feishu app" examples, as written there, must work.
function app(hub: Hub) {
  hub.command('/deploy', async ({ args, reply }) => {
    await reply.card(card2({ header: header(`Deploy ${args[0]}?`, { template: 'orange' }) }, [
      markdown('Requested in this chat.'),
      button('Approve', { action: 'deploy.approve', value: { service: args[0] }, type: 'primary' }),
    ]));
  }, { description: 'deploy a service' });
  hub.message(/status of (\S+)/, ({ match, reply }) => reply.text(`${match![1]} is green`));
  hub.event('contact.user.created_v3', async ({ event, logger }) => logger.info({ user: event.object }, 'new colleague'));
  hub.action('deploy.approve', async ({ value, user, toast, updateCard }) => {
    toast(`approved by ${user.openId}`);
    await updateCard(card2({ header: header(`Deploying ${(value as { service: string }).service}…`, { template: 'green' }) }, []));
  });
  hub.use(async (ctx, next) => { const t = Date.now(); await next(); ctx.logger.debug({ ms: Date.now() - t }, 'handled'); });
}

const standup = defineCapability({
  name: 'standup',
  config: { schema: z.object({ chat: z.string().startsWith('oc_'), cron: z.string().default('0 30 9 * * 1-5') }) },
  setup: ({ hub, config }) => hub.command('/standup', ({ reply }) => reply.text(`standup is posted in ${config.chat}`)),
  jobs: [{ name: 'post', schedule: '0 30 9 * * 1-5', singleton: true, run: ({ hub, config }) => hub.messenger.send(config.chat, { msgType: 'text', content: { text: 'Standup time!' } }) }],
  health: [{ name: 'standup', check: ({ config }) => `posting to ${config.chat}` }],
});

describe('the README examples', () => {
  let t: TestHub;
  beforeAll(async () => {
    t = await createTestHub({
      sections: { standup: { chat: 'oc_standup_room' } },
      setup: async (hub) => {
        await hub.register(app);
        await hub.register(standup);
      },
    });
  });
  afterAll(() => t?.close());

  it('app.ts: sends the 2.0 card, and a click on Approve toasts and updates it', async () => {
    const [sent] = await t.say('/deploy api');
    expect(sent.content).toMatchObject({ schema: '2.0', header: { template: 'orange' } });
    const answer = await t.click(sent.messageId, { action: 'deploy.approve', service: 'api' }, { as: 'bob' });
    expect(JSON.stringify(answer)).toContain(`approved by ${t.users.bob.open_id}`);
    expect(JSON.parse(t.emulator.state.messages.get(sent.messageId)!.content).header.title.content).toBe('Deploying api…');
    expect((await t.say('status of billing'))[0].text).toBe('billing is green');
  });

  it('the standup capability reads its section, answers its command and reports its health', async () => {
    expect((await t.say('/standup'))[0].text).toBe('standup is posted in oc_standup_room');
    const ready = (await (await fetch(`${t.hub.url}/readyz`)).json()) as { checks: Record<string, string> };
    expect(ready.checks.standup).toBe('ok: posting to oc_standup_room');
  });

  it('a wrong value in its section is one line naming the key', async () => {
    const err = await createTestHub({ sections: { standup: { chat: 'general' } }, setup: (hub) => hub.register(standup) }).catch((e: unknown) => e);
    expect((err as { problems?: string[] }).problems).toEqual(['standup.chat Invalid string: must start with "oc_"']);
  });
});
