/**
 * All traffic FROM Feishu: verification and decryption, the HTTP receiver, and the workers that
 * drain the durable inbox (src/store) into a handler.
 *
 * @example
 * app.register(inboundReceiver, { inbox, logger, encryptKeys, verificationTokens, onCardAction }); // POST /webhook/event, /webhook/card
 * const workers = startWorkers({ inbox, concurrency: 8, handle: (event) => dispatch(event) });      // claim → handle → done | retry | dead
 * const push = verifyPush(rawBody, headers, config);                                                // the checks alone, for other transports
 * decrypt(body.encrypt, encryptKey); encrypt(JSON.stringify(envelope), encryptKey);                 // Feishu's AES-256-CBC
 * const lc = await startLongConnection({ appId, appSecret, domain, inbox, logger, card });      // FEISHU_EVENT_MODE=websocket
 *
 * Both transports store events in the same inbox and answer card callbacks through the same
 * `answerCardCallback` (durable dedup by identity, one budget from receipt), so workers and
 * listeners never know how an event arrived.
 */
export { inboundReceiver, receiverCore, type ReceiverOptions, type ReceiverCore, type PushAnswer } from './receiver.js';
export { createEventRequestHandler, withFastPath, type EventRequestHandlerOptions } from './fast-path.js';
export { startWorkers, type WorkerOptions, type Workers } from './worker.js';
export { verifyPush, PushRejected, type VerifyConfig, type VerifiedPush } from './verify.js';
export { NonceCache } from './nonce-cache.js';
export { answerWithin, DEFAULT_CARD_BUDGET_MS, type AnswerBudget } from './budget.js';
export { answerCardCallback, cardCallbackKey, type CardAnswerStore, type CardHandler, type CardAnswerOptions } from './card-answer.js';
export { startLongConnection, type LongConnection, type LongConnectionOptions } from './long-connection.js';
export { decrypt, encrypt, eventSignature, cardV1Signature, safeEqual, matchSignature, matchToken } from './crypto.js';
export {
  toInboundEvent,
  toEpochMs,
  isCardCallbackType,
  isOldCardCallback,
  type InboundEvent,
  type CardAction,
  type CardActionResponse,
  type EventSource,
} from './types.js';
export { signPush, v2Envelope, type SignedPushRequest, type SignPushOptions, type V2EnvelopeOptions } from './sign.js';
export { Dispatcher, ListenerError, type Listener, type ListenerMatch, type DispatchResult } from './dispatcher.js';
export { compose, type Middleware } from './middleware.js';
export { eventsCapability } from './capability.js';
