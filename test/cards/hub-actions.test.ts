import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CardValidationError } from '../../src/cards/index.js';
import { card } from '../../src/bot/index.js';
import { createTestHub, type TestHub } from '../../src/testing/index.js';

const approval = (title: string) => ({
  config: { update_multi: true },
  header: { title: { tag: 'plain_text', content: title }, template: 'blue' },
  elements: [{ tag: 'action', actions: [{ tag: 'button', text: { tag: 'plain_text', content: 'Approve' }, type: 'primary', value: { action: 'slow.approve' } }] }],
});

let t: TestHub;
beforeAll(async () => {
  t = await createTestHub({
    cardBudgetMs: 300,
    setup: (hub) => {
      hub.command('/slow', ({ reply }) => reply.card(approval('Waiting')));
      hub.command('/broken', ({ reply }) => reply.card({ elements: [{ tag: 'img', img_key: 'img_x' }] }));
      hub.action('slow.approve', async ({ toast, updateCard }) => {
        toast('working on it');
        await new Promise((r) => setTimeout(r, 500)); // longer than the budget: answered before this ends
        await updateCard(approval('Done'));
      });
    },
  });
});
afterAll(() => t?.close());

const sendCalls = () => t.emulator.state.calls.filter((c) => c.method === 'POST' && c.path.startsWith('/open-apis/im/v1/messages')).length;

describe('cards through the hub', () => {
  it('never sends a card the validator rejects; the caller gets the path and rule', async () => {
    const before = sendCalls();
    const err = await t.hub.messenger.send(t.chatId, card({ elements: [{ tag: 'img', img_key: 'img_x' }] })).catch((e) => e);
    expect(err).toBeInstanceOf(CardValidationError);
    expect(err.message).toMatch(/elements\[0\]\.alt.*required/);
    expect(sendCalls()).toBe(before);
  });

  it('a listener that builds a bad card gives the user the friendly note, and the event is dead-lettered at once', async () => {
    const replies = await t.say('/broken');
    expect(replies).toHaveLength(1);
    expect(replies[0].text).toMatch(/^Sorry, something went wrong/);
    // A retry cannot fix an invalid card: no backoff rounds, the event waits in the dead letters for a replay.
    let dead: Awaited<ReturnType<NonNullable<typeof t.hub.inbox>['listDead']>> = [];
    for (let i = 0; i < 100 && dead.length === 0; i++) {
      dead = await t.hub.inbox!.listDead();
      if (dead.length === 0) await new Promise((r) => setTimeout(r, 20));
    }
    expect(dead).toHaveLength(1);
    expect(dead[0].attempts).toBe(1);
    expect(dead[0].lastError).toMatch(/required/);
  });

  it('a slow action is answered within the budget with its toast, then updates the card by PATCH', async () => {
    const [sent] = await t.say('/slow');
    const answer = await t.click(sent.messageId, { action: 'slow.approve' });
    expect(JSON.stringify(answer)).toContain('working on it');
    let title = '';
    for (let i = 0; i < 100 && title !== 'Done'; i++) {
      title = JSON.parse(t.emulator.state.messages.get(sent.messageId)!.content).header.title.content;
      if (title !== 'Done') await new Promise((r) => setTimeout(r, 20));
    }
    expect(title).toBe('Done');
    expect(t.emulator.state.calls.some((c) => c.method === 'PATCH' && c.path === `/open-apis/im/v1/messages/${sent.messageId}`)).toBe(true);
  });
});
