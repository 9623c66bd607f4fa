import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createTestHub, type TestHub } from 'feishu-hub';
import app from './app.ts';

// A hub running this app against an in-process local Feishu (no account, no network), for the whole file.
let hub: TestHub;
before(async () => {
  hub = await createTestHub({ setup: async (h) => void (await h.register(app)) });
});
after(() => hub.close());

test('/hello answers with a text', async () => {
  const replies = await hub.say('/hello'); // Alice writes "@bot /hello" in the demo group
  assert.equal(replies.length, 1);
  assert.equal(replies[0].text, 'Hello from feishu-hub!');
});

test('/card sends a card whose button shows a toast and updates the card', async () => {
  const [card] = await hub.say('/card');
  assert.equal(card.msgType, 'interactive');

  const answer = await hub.click(card.messageId, { action: 'hello.wave' }, { as: 'bob' });
  assert.equal((answer.toast as { content: string }).content, 'You waved back!');
  assert.equal(answer.card_updated, true);
});
