import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { WebhookBot, card, mentionAll, post, webhookSign } from '../../src/bot/index.js';
import { FeishuApiError } from '../../src/platform/index.js';
import { demoChat } from '../helpers/im.js';
import { calls } from '../helpers/platform.js';
import { useEmulator } from '../helpers/emulator.js';

const env = useEmulator();

async function hook(o: { secret?: string; keywords?: string[] } = {}): Promise<string> {
  const r = await env.ctl.call('POST', '/__emulator/webhook-bots', { chat_id: demoChat(env.emu).chat_id, ...o });
  expect(r.status).toBe(200);
  return r.body.url;
}
const chatTexts = () => [...env.emu.state.messages.values()].filter((m) => m.chat_id === demoChat(env.emu).chat_id).map((m) => JSON.parse(m.content));

describe('custom group bot (webhook)', () => {
  it('signs with HMAC-SHA256 keyed by "timestamp\\nsecret" over an empty message', () => {
    // Independent check of the documented construction.
    expect(webhookSign('1700000000', 's3cret')).toBe(createHmac('sha256', '1700000000\ns3cret').update('').digest('base64'));
  });

  it('sends text, post and cards to a signed bot', async () => {
    const url = await hook({ secret: 'hook-secret' });
    const bot = new WebhookBot({ url, secret: 'hook-secret' });
    await bot.text(`${mentionAll()} deploy starts`);
    await bot.send(post('Deploy').line('api v2 is live'));
    await bot.card({ header: { title: { tag: 'plain_text', content: 'Deploy' } }, elements: [] });
    await bot.send(card({ template_id: 'AAqT1', variables: { n: 1 } }));
    const texts = chatTexts();
    expect(texts[0]).toEqual({ text: '<at user_id="all"></at> deploy starts' });
    expect(texts[1].zh_cn.title).toBe('Deploy');
    expect(texts).toHaveLength(4);
  });

  it('a wrong secret is refused with 19021 as a FeishuApiError', async () => {
    const url = await hook({ secret: 'hook-secret' });
    const err = await new WebhookBot({ url, secret: 'not-it' }).text('hi').catch((e) => e);
    expect(err).toBeInstanceOf(FeishuApiError);
    expect(err.code).toBe(19021);
    expect(err.explain().action).toMatch(/secret/);
    expect(JSON.stringify(err) + err.message).not.toContain('not-it');
  });

  it('knows its keywords: a message without one fails before it is sent', async () => {
    const url = await hook({ keywords: ['[alert]'] });
    const bot = new WebhookBot({ url, keywords: ['[alert]'] });
    const err = await bot.text('no keyword here').catch((e) => e);
    expect(err.code).toBe(19024);
    expect(calls(env.emu, 'POST', '/open-apis/bot/v2/hook/*')).toHaveLength(0);
    await bot.text('[alert] disk full');
    // Without telling the client, the platform refuses it.
    const unaware = await new WebhookBot({ url }).text('no keyword').catch((e) => e);
    expect(unaware.code).toBe(19024);
    expect(chatTexts()).toEqual([{ text: '[alert] disk full' }]);
  });

  it('keeps to 5/s and 100/min per bot on our side: a burst of 12 arrives, none refused', async () => {
    const url = await hook();
    const bot = new WebhookBot({ url });
    await Promise.all(Array.from({ length: 12 }, (_, i) => bot.text(`burst ${i}`)));
    expect(chatTexts()).toHaveLength(12);
    expect(calls(env.emu, 'POST', '/open-apis/bot/v2/hook/*').filter((c) => c.status !== 200 || (c.code ?? 0) !== 0)).toHaveLength(0);
  });

  it('refuses URLs that are not custom bot hooks', () => {
    expect(() => new WebhookBot({ url: 'https://example.com/hook' })).toThrow(/bot\/v2\/hook/);
  });
});
