import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CardAction } from '../../src/events/index.js';
import { startEmulator, type EmulatorHandle } from '../../src/emulator/index.js';
import { control, sdkClient } from '../helpers/emulator.js';
import { startReceiver } from '../helpers/receiver.js';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

/**
 * The emulator (an independent implementation of the platform's side) pushes to our receiver:
 * url_verification, encrypted and signed v2 events, v1 events and card callbacks all get through.
 */
describe('emulator → receiver', () => {
  let emu: EmulatorHandle;
  let r: Receiver;
  const actions: CardAction[] = [];
  const until = async <T>(get: () => Promise<T | undefined>) => {
    for (;;) {
      const v = await get();
      if (v !== undefined) return v;
      await new Promise((res) => setTimeout(res, 10));
    }
  };

  beforeAll(async () => {
    emu = await startEmulator({ port: 0 });
    expect(emu.app.encryptKey).toBeTruthy();
    r = await startReceiver({
      encryptKeys: [emu.app.encryptKey!],
      verificationTokens: [emu.app.verificationToken!],
      appId: emu.app.appId,
      onCardAction: async (a) => {
        actions.push(a);
        return { toast: { type: 'success', content: 'Deployed' } };
      },
    });
  });
  afterAll(async () => {
    await emu?.close();
    await r?.close();
  });

  it('answers the url_verification the emulator sends when the request URLs are saved', async () => {
    const res = await control(emu).call('PATCH', `/__emulator/apps/${emu.app.appId}`, { event_url: `${r.url}/webhook/event`, card_url: `${r.url}/webhook/card` });
    expect(res.status).toBe(200);
    const verifications = Object.values(res.body.verification ?? {}) as { verified: boolean; error?: string }[];
    expect(verifications.length).toBeGreaterThan(0);
    for (const v of verifications) expect(v).toMatchObject({ verified: true });
  });

  it('stores the im.message.receive_v1 a user message produces', async () => {
    const user = emu.state.users[0];
    const sent = await control(emu).call('POST', `/__emulator/users/${user.open_id}/messages`, { text: 'hello hub' });
    expect(sent.status).toBe(200);
    const eventId = sent.body.event_ids[0] as string;
    const item = await until(() => r.inbox.get(eventId));
    expect(item).toMatchObject({ type: 'im.message.receive_v1', source: 'webhook' });
    const payload = item.payload as any;
    expect(payload.header.app_id).toBe(emu.app.appId);
    expect(payload.event.message.message_id).toBe(sent.body.message_id);
    expect(JSON.parse(payload.event.message.content).text).toContain('hello hub');
  });

  it('stores injected v1 and v2 events', async () => {
    const v2 = await control(emu).call('POST', '/__emulator/events', { event_type: 'contact.user.created_v3', event: { object: { open_id: 'ou_x', name: 'Ada' } } });
    const v1 = await control(emu).call('POST', '/__emulator/events', { event_type: 'approval_instance', schema: '1.0', event: { approval_code: 'A', instance_code: 'I', status: 'APPROVED' } });
    expect(await until(() => r.inbox.get(v2.body.event_id))).toMatchObject({ type: 'contact.user.created_v3' });
    expect(await until(() => r.inbox.get(v1.body.event_id))).toMatchObject({ type: 'approval_instance' });
  });

  it('answers a card click within the budget; the emulator shows the toast', async () => {
    const user = emu.state.users[0];
    const client = sdkClient(emu);
    const card = { config: { wide_screen_mode: true }, elements: [{ tag: 'action', actions: [{ tag: 'button', text: { tag: 'plain_text', content: 'Deploy' }, value: { action: 'deploy' } }] }] };
    const res = await client.im.message.create({ params: { receive_id_type: 'open_id' }, data: { receive_id: user.open_id, msg_type: 'interactive', content: JSON.stringify(card) } });
    expect(res.code).toBe(0);
    const click = await control(emu).call('POST', `/__emulator/messages/${res.data!.message_id}/actions`, { operator: user.open_id, value: { action: 'deploy' }, tag: 'button' });
    expect(click.status).toBe(200);
    expect(click.body).toMatchObject({ status: 200, toast: { content: 'Deployed' } });
    expect(actions.at(-1)).toMatchObject({ schema: 'v2', appId: emu.app.appId });
    expect((actions.at(-1)!.payload as any).event.action.value).toEqual({ action: 'deploy' });
  });
});
