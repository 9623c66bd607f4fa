import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHub, type TestHub } from '../../src/testing/index.js';

let t: TestHub;
const seen: string[] = [];
let deployRuns = 0;

beforeAll(async () => {
  t = await createTestHub({
    setup: (hub) => {
      hub.use(async (ctx, next) => {
        seen.push(ctx.type);
        await next();
      });
      hub.command('/deploy', async ({ args, reply }) => {
        deployRuns++;
        await reply.text(`deploying ${args[0]} to ${args[1] ?? 'staging'}`);
      }, { description: 'deploy a service' });
      hub.message(/^status of (\S+)$/, ({ match, reply }) => reply.text(`${match![1]} is green`));
      hub.command('/boom', () => {
        throw new Error('database exploded');
      });
      hub.command('/card', ({ reply }) =>
        reply.card({
          config: { update_multi: true },
          header: { title: { tag: 'plain_text', content: 'Deploy api?' } },
          elements: [{ tag: 'action', actions: [{ tag: 'button', text: { tag: 'plain_text', content: 'Approve' }, type: 'primary', value: { action: 'deploy.approve', service: 'api' } }] }],
        }),
      );
      hub.action('deploy.approve', async ({ value, user, toast, updateCard }) => {
        toast(`approved by ${user.openId}`);
        await updateCard({ config: { update_multi: true }, header: { title: { tag: 'plain_text', content: `Deploying ${(value as { service: string }).service}` } }, elements: [] });
      });
    },
  });
});
afterAll(() => t?.close());

describe('a hub in sandbox mode', () => {
  it('answers /help in the demo chat within a second, listing built-in and app commands', async () => {
    const replies = await t.say('/help', { waitMs: 1000 });
    expect(replies).toHaveLength(1);
    expect(replies[0].text).toContain('/deploy — deploy a service');
    expect(replies[0].text).toContain('/ping');
  });

  it('parses command arguments after the @bot mention, and answers in p2p too', async () => {
    expect((await t.say('/deploy api prod'))[0].text).toBe('deploying api to prod');
    expect((await t.say('/ping', { p2p: true, as: 'bob' }))[0].text).toBe('pong');
  });

  it('routes messages by pattern with the match, and ran the middleware for every event', async () => {
    expect((await t.say('status of billing'))[0].text).toBe('billing is green');
    expect(seen).toContain('im.message.receive_v1');
  });

  it('tells the user about an unknown command instead of staying silent', async () => {
    expect((await t.say('/nope'))[0].text).toMatch(/I don't know \/nope\. Type \/help/);
  });

  it('gives the user a short friendly note when a listener throws, never the stack', async () => {
    const replies = await t.say('/boom');
    expect(replies[0].text).toMatch(/^Sorry, something went wrong/);
    expect(replies[0].text).not.toContain('database exploded');
  });

  it('runs a command once even when Feishu delivers its event twice', async () => {
    const before = deployRuns;
    await fetch(`${t.emulator.url}/__emulator/faults/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ duplicate: true, count: 1 }),
    });
    const replies = await t.say('/deploy web');
    expect(replies).toHaveLength(1);
    expect(deployRuns - before).toBe(1);
  });

  it('welcomes itself when added to a group', async () => {
    const res = await fetch(`${t.emulator.url}/__emulator/chats`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ops', members: [t.users.bob.open_id], bot: true }),
    });
    const { chat_id } = (await res.json()) as { chat_id: string };
    let welcome;
    for (let i = 0; i < 100 && !welcome; i++) {
      welcome = t.messages(chat_id).find((m) => m.sender.sender_type === 'app');
      if (!welcome) await new Promise((r) => setTimeout(r, 20));
    }
    expect(welcome && JSON.parse(welcome.content).text).toMatch(/Type \/help/);
  });

  it('routes a card click to hub.action and applies its toast and new card', async () => {
    const [card] = await t.say('/card');
    expect(card.msgType).toBe('interactive');
    const answer = await t.click(card.messageId, { action: 'deploy.approve', service: 'api' }, { as: 'carol' });
    expect(JSON.stringify(answer)).toContain(`approved by ${t.users.carol.open_id}`);
    const stored = t.emulator.state.messages.get(card.messageId)!;
    expect(JSON.parse(stored.content).header.title.content).toBe('Deploying api');
  });
});
