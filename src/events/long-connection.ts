import * as lark from '@larksuiteoapi/node-sdk';
import type { Logger } from 'pino';
import type { InboxEventInput, PutResult } from '../store/index.js';
import { answerCardCallback, type CardAnswerOptions } from './card-answer.js';
import { isCardCallbackType, toInboundEvent, type CardAction } from './types.js';

export interface LongConnection {
  close(): void;
}

export interface LongConnectionOptions {
  appId: string;
  appSecret: string;
  /** The SDK domain (https://open.feishu.cn, or an emulator's URL). */
  domain: string;
  inbox: { put(event: InboxEventInput): Promise<PutResult> };
  logger: Logger;
  /** Card callbacks: the same handler, answer store and budget as the webhook's. */
  card: Omit<CardAnswerOptions, 'logger'>;
}

/**
 * FEISHU_EVENT_MODE=websocket: the official WSClient receives events over the long connection and
 * feeds the same durable inbox (acked once stored); card callbacks are answered exactly as on the
 * webhook (durable dedup, one budget from receipt), their answer travelling back in the ack.
 */
export async function startLongConnection(options: LongConnectionOptions): Promise<LongConnection> {
  const log = options.logger.child({ transport: 'websocket' });
  const client = new lark.WSClient({
    appId: options.appId,
    appSecret: options.appSecret,
    domain: options.domain,
    loggerLevel: lark.LoggerLevel.warn,
    logger: { error: (...a: unknown[]) => log.error(a.join(' ')), warn: (...a: unknown[]) => log.warn(a.join(' ')), info: () => {}, debug: () => {}, trace: () => {} },
  });
  const cardOptions: CardAnswerOptions = { ...options.card, logger: log };
  const dispatcher = {
    // The WSClient acks after this resolves: store first, so an acked event is never lost.
    invoke: async (data: unknown) => {
      const receivedAt = Date.now();
      const event = toInboundEvent(data, 'websocket');
      if (!event) {
        log.warn('long connection delivered something that is not an event; ignored');
        return undefined;
      }
      if (isCardCallbackType(event.type)) {
        const action: CardAction = { schema: 'v2', id: event.id, appId: event.appId, tenantKey: event.tenantKey, payload: event.payload };
        return answerCardCallback(action, receivedAt, cardOptions);
      }
      const result = await options.inbox.put({ id: event.id, type: event.type, source: 'websocket', payload: event.payload });
      if (result === 'duplicate') log.debug({ event_id: event.id }, 'duplicate event dropped');
      return undefined;
    },
  };
  await client.start({ eventDispatcher: dispatcher as unknown as lark.EventDispatcher });
  log.info('long connection started');
  return { close: () => client.close({ force: true }) };
}
