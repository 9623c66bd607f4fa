import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestHub, type TestHub } from '../../src/testing/index.js';

let t: TestHub;
beforeAll(async () => {
  t = await createTestHub({
    eventMode: 'websocket',
    setup: (hub) => {
      hub.command('/card', ({ reply }) =>
        reply.card({ config: { update_multi: true }, elements: [{ tag: 'action', actions: [{ tag: 'button', text: { tag: 'plain_text', content: 'Go' }, value: { action: 'go' } }] }] }),
      );
      hub.action('go', ({ toast }) => toast('went over the long connection'));
    },
  });
  // WSClient.start resolves before the socket is up; wait until the emulator sees the connection.
  for (let i = 0; i < 100; i++) {
    const calls = t.emulator.state.calls.filter((c) => c.path === '/callback/ws/endpoint' && c.code === 0);
    if (calls.length > 0) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 200));
});
afterAll(() => t?.close());

describe('FEISHU_EVENT_MODE=websocket', () => {
  it('receives events over the long connection into the same inbox and answers', async () => {
    const replies = await t.say('/ping');
    expect(replies[0]?.text).toBe('pong');
    // Nothing went to a webhook URL: the app has none configured in websocket mode.
    expect(t.emulator.state.defaultApp.eventUrl).toBeUndefined();
  });

  it('answers card callbacks in the ack of the long connection', async () => {
    const [card] = await t.say('/card');
    const answer = await t.click(card.messageId, { action: 'go' });
    expect(JSON.stringify(answer)).toContain('went over the long connection');
  });
});
