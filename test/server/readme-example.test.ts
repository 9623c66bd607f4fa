import { afterAll, beforeAll, expect, it } from 'vitest';
import { button, card2, header, markdown } from '../../src/index.js';
import { createTestHub, type TestHub } from '../../src/testing/index.js';

// The README's "Write a Feishu app" example, as written there, must work.
let t: TestHub;
beforeAll(async () => {
  t = await createTestHub({
    setup: (hub) => {
      hub.command('/deploy', async ({ args, reply }) => {
        await reply.card(card2({ header: header(`Deploy ${args[0]}?`, { template: 'orange' }) }, [
          markdown('Requested in this chat.'),
          button('Approve', { action: 'deploy.approve', value: { service: args[0] }, type: 'primary' }),
        ]));
      }, { description: 'deploy a service' });
      hub.action('deploy.approve', async ({ value, user, toast, updateCard }) => {
        toast(`approved by ${user.openId}`);
        await updateCard(card2({ header: header(`Deploying ${(value as { service: string }).service}…`, { template: 'green' }) }, []));
      });
    },
  });
});
afterAll(() => t?.close());

it('sends the 2.0 card, and a click on Approve toasts and updates it', async () => {
  const [sent] = await t.say('/deploy api');
  expect(sent.content).toMatchObject({ schema: '2.0', header: { template: 'orange' } });
  const answer = await t.click(sent.messageId, { action: 'deploy.approve', service: 'api' }, { as: 'bob' });
  expect(JSON.stringify(answer)).toContain(`approved by ${t.users.bob.open_id}`);
  expect(JSON.parse(t.emulator.state.messages.get(sent.messageId)!.content).header.title.content).toBe('Deploying api…');
});
