import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmulatorHandle } from '../../src/emulator/index.js';
import { control, emulatorWithSdk, sdkClient } from '../helpers/emulator.js';

let emu: EmulatorHandle;
let ctl: ReturnType<typeof control>;
let chatId: string;

beforeAll(async () => {
  ({ emu, control: ctl } = await emulatorWithSdk());
  chatId = [...emu.state.chats.values()].find((c) => c.name === 'feishu-hub demo')!.chat_id;
});
afterAll(() => emu.close());

const send = (client: ReturnType<typeof sdkClient>, text: string, uuid?: string) =>
  client.im.message.create({ params: { receive_id_type: 'chat_id' }, data: { receive_id: chatId, msg_type: 'text', content: JSON.stringify({ text }), uuid } });

const failure = async (p: Promise<unknown>) => {
  try {
    await p;
    return undefined;
  } catch (e) {
    return e as { response: { status: number; data: { code: number; error: { log_id: string } }; headers: Record<string, string> } };
  }
};

describe('fault injection', () => {
  it('fails exactly `count` matching calls with the given status and code, then retires the rule', async () => {
    await ctl.clearFaults();
    const client = sdkClient(emu);
    await ctl.fault({ method: 'POST', path: '/open-apis/im/v1/messages', status: 503, code: 1500, count: 2 });
    const a = await failure(send(client, 'a'));
    const b = await failure(send(client, 'b'));
    const c = await failure(send(client, 'c'));
    expect([a?.response.status, b?.response.status, c]).toEqual([503, 503, undefined]);
    expect(a?.response.data.code).toBe(1500);
    const state = await ctl.state();
    const faulted = state.calls.filter((x: { fault: boolean }) => x.fault);
    expect(faulted).toHaveLength(2);
    expect(state.messages.filter((m: { content: string }) => m.content.includes('"a"'))).toHaveLength(0);
  });

  it('matches :param route patterns and prefixes, and a 429 fault carries the rate-limit headers', async () => {
    await ctl.clearFaults();
    const client = sdkClient(emu);
    await ctl.fault({ path: '/open-apis/im/v1/chats/:chat_id', status: 429, count: 1 });
    const f = await failure(client.im.chat.get({ path: { chat_id: chatId } }));
    expect(f?.response.status).toBe(429);
    expect(f?.response.data.code).toBe(99991400);
    expect(f?.response.headers['x-ogw-ratelimit-reset']).toBe('1');
    await ctl.fault({ path: '/open-apis/contact/*', status: 500, count: 1 });
    const g = await failure(client.contact.user.get({ path: { user_id: 'alice' }, params: { user_id_type: 'user_id' } }));
    expect(g?.response.status).toBe(500);
  });

  it('with after: true the call takes effect but its answer is lost (what uuid dedup is for)', async () => {
    await ctl.clearFaults();
    const client = sdkClient(emu);
    await ctl.fault({ method: 'POST', path: '/open-apis/im/v1/messages', status: 500, after: true, count: 1 });
    const lost = await failure(send(client, 'committed-then-lost', 'uuid-after-1'));
    expect(lost?.response.status).toBe(500);
    const retried = await send(client, 'committed-then-lost', 'uuid-after-1');
    const stored = [...emu.state.messages.values()].filter((m) => m.content.includes('committed-then-lost'));
    expect(stored).toHaveLength(1);
    expect(retried.data?.message_id).toBe(stored[0].message_id);
  });

  it('applies probability: rate 0 never fires, and a latency-only fault still answers', async () => {
    await ctl.clearFaults();
    const client = sdkClient(emu);
    await ctl.fault({ path: '/open-apis/im/v1/chats', rate: 0, status: 500 });
    await ctl.fault({ path: '/open-apis/im/v1/chats', delay_ms: 50 });
    const res = await client.im.chat.list({});
    expect(res.code).toBe(0);
    const rules = (await ctl.call('GET', '/__emulator/faults')).body.faults;
    expect(rules.map((r: { hits: number }) => r.hits)).toEqual([0, 1]);
  });

  it('refuses a malformed fault with the reason', async () => {
    const r = await ctl.fault({ status: 'boom', pathh: '/x' });
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.body.issues)).toMatch(/status|pathh/);
  });
});
