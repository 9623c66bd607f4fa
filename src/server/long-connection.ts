import * as lark from '@larksuiteoapi/node-sdk';
import { isCardCallbackType, toInboundEvent, type CardAction } from '../events/index.js';
import type { Inbox } from '../store/index.js';
import type { Hub } from './hub.js';

export interface LongConnection {
  close(): void;
}

/**
 * FEISHU_EVENT_MODE=websocket: the official WSClient receives events over the long connection and
 * feeds the same durable inbox (acked once stored); card callbacks go to the same action router and
 * their answer travels back in the ack.
 */
export async function startLongConnection(hub: Hub, inbox: Inbox): Promise<LongConnection> {
  const { config, logger } = hub;
  const log = logger.child({ transport: 'websocket' });
  const client = new lark.WSClient({
    appId: config.app.appId!,
    appSecret: config.app.appSecret!,
    domain: hub.platform.domain,
    loggerLevel: lark.LoggerLevel.warn,
    logger: { error: (...a: unknown[]) => log.error(a.join(' ')), warn: (...a: unknown[]) => log.warn(a.join(' ')), info: () => {}, debug: () => {}, trace: () => {} },
  });
  const dispatcher = {
    // The WSClient acks after this resolves: store first, so an acked event is never lost.
    invoke: async (data: unknown) => {
      const event = toInboundEvent(data, 'websocket');
      if (!event) {
        log.warn('long connection delivered something that is not an event; ignored');
        return undefined;
      }
      if (isCardCallbackType(event.type)) {
        const action: CardAction = { schema: 'v2', id: event.id, appId: event.appId, tenantKey: event.tenantKey, payload: event.payload };
        return hub.handleCardAction(action);
      }
      const result = await inbox.put({ id: event.id, type: event.type, source: 'websocket', payload: event.payload });
      if (result === 'duplicate') log.debug({ event_id: event.id }, 'duplicate event dropped');
      return undefined;
    },
  };
  await client.start({ eventDispatcher: dispatcher as unknown as lark.EventDispatcher });
  log.info('long connection started');
  return { close: () => client.close({ force: true }) };
}
