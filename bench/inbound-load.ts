/** Request material for bench/inbound.ts: a realistic im.message.receive_v1 envelope (≈1 KB). */
export { signPush } from '../src/events/index.js';

export function v2Event(eventId: string, token: string) {
  return {
    schema: '2.0',
    header: { event_id: eventId, token, create_time: String(Date.now()), event_type: 'im.message.receive_v1', tenant_key: '2ca1d211f64f6438', app_id: 'cli_a1b2c3d4e5f60708' },
    event: {
      sender: { sender_id: { union_id: 'on_8ed6aa67826108097d9ee143816345', user_id: 'e33ggbyz', open_id: 'ou_84aad35d084aa403a838cf73ee18467' }, sender_type: 'user', tenant_key: '2ca1d211f64f6438' },
      message: {
        message_id: `om_${eventId}`,
        root_id: '',
        parent_id: '',
        create_time: String(Date.now()),
        update_time: String(Date.now()),
        chat_id: 'oc_5ad11d72b830411d72b836c20',
        chat_type: 'group',
        message_type: 'text',
        content: JSON.stringify({ text: '@_user_1 /deploy api --env production --reason "hotfix for the checkout timeout"' }),
        mentions: [{ key: '@_user_1', id: { union_id: 'on_bot', user_id: '', open_id: 'ou_bot' }, name: 'hub-bot', tenant_key: '2ca1d211f64f6438' }],
        user_agent: 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Lark/7.1.0',
      },
    },
  };
}
