import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Messenger } from '../../src/bot/index.js';
import type { EmulatorHandle, MessageRecord } from '../../src/emulator/index.js';
import { FeishuApiError } from '../../src/platform/index.js';
import { addGroup, demoChat } from '../helpers/im.js';
import { calls, emulatorWithPlatform, platformFor } from '../helpers/platform.js';

let emu: EmulatorHandle;
let ctl: Awaited<ReturnType<typeof emulatorWithPlatform>>['ctl'];

beforeAll(async () => {
  ({ emu, ctl } = await emulatorWithPlatform({ rateLimits: { enabled: false } }));
});
afterAll(() => emu.close());

const SEND = '/open-apis/im/v1/messages';

describe('exactly once under faults', () => {
  it('1,000 sends with 30 % injected 5xx (half of them after the message was stored) and bursts of 429', async () => {
    const platform = platformFor(emu, { limits: false, retry: { retries: 15, rateLimitRetries: 20, baseMs: 2, capMs: 20 } });
    const messenger = new Messenger(platform);
    const chats = [demoChat(emu).chat_id, addGroup(emu, { name: 'second' }).chat_id];
    const outside = addGroup(emu, { name: 'bot not here', bots: [] }).chat_id;

    // 15 % fail before the message is stored; 15 % after (the answer is lost): 30 % 5xx in all.
    await ctl.fault({ method: 'POST', path: SEND, status: 500, rate: 0.15 });
    await ctl.fault({ method: 'POST', path: SEND, status: 502, rate: 0.15 / 0.85, after: true });

    const N = 1000;
    const failures = new Map<number, unknown>();
    let next = 0;
    let completed = 0;
    const burstsAt = new Set([250, 500, 750]);
    const worker = async () => {
      for (let i = next++; i < N + 10; i = next++) {
        // Ten sends that cannot succeed (the bot is not in that chat): the only errors the caller may see.
        const to = i >= N ? outside : chats[i % chats.length];
        try {
          await messenger.sendText(to, `msg ${i}`);
        } catch (err) {
          failures.set(i, err);
        }
        if (burstsAt.delete(++completed)) await ctl.fault({ method: 'POST', path: SEND, status: 429, count: 30 });
      }
    };
    await Promise.all(Array.from({ length: 40 }, worker));

    // Only the ten non-retryable sends failed, with the platform's code.
    expect([...failures.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: 10 }, (_, k) => N + k));
    for (const err of failures.values()) {
      expect(err).toBeInstanceOf(FeishuApiError);
      expect((err as FeishuApiError).code).toBe(230002);
      expect((err as FeishuApiError).retryable).toBe(false);
    }

    // Every message is in the chat exactly once (read through the control API, as a user would).
    const state = (await ctl.state()) as { messages: MessageRecord[] };
    const count = new Map<string, number>();
    for (const m of state.messages) {
      const t = JSON.parse(m.content).text as string;
      count.set(t, (count.get(t) ?? 0) + 1);
    }
    const wrong = Array.from({ length: N }, (_, i) => `msg ${i}`).filter((t) => count.get(t) !== 1);
    expect(wrong).toEqual([]);
    expect(state.messages).toHaveLength(N);

    // The faults really happened: about 30 % 5xx, three bursts of 429, and stored-then-lost answers.
    const log = calls(emu, 'POST', SEND);
    const fiveXx = log.filter((c) => c.status >= 500).length;
    expect(fiveXx / log.length).toBeGreaterThan(0.2);
    expect(log.filter((c) => c.status === 429)).toHaveLength(90);
    expect(log.filter((c) => c.status === 502).length).toBeGreaterThan(50);
    const metrics = await platform.metrics.registry.metrics();
    expect(metrics).toMatch(/feishu_hub_api_rate_limited_total\{api="POST \/open-apis\/im\/v1\/messages"\} 90/);
  }, 120_000);
});
