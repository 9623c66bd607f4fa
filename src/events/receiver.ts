import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { IncomingHttpHeaders } from 'node:http';
import type { Logger } from 'pino';
import type { InboxEventInput, PutResult } from '../store/index.js';
import { NonceCache } from './nonce-cache.js';
import type { EventSource } from './types.js';
import { answerCardCallback, type CardAnswerStore, type CardHandler } from './card-answer.js';
import { PushRejected, verifyPush, type VerifiedPush, type VerifyConfig } from './verify.js';

export interface ReceiverOptions {
  /** Where verified events go before the 200 (the durable inbox). */
  inbox: { put(event: InboxEventInput): Promise<PutResult> };
  logger: Logger;
  encryptKeys?: readonly string[];
  verificationTokens?: readonly string[];
  /** When set, pushes carrying another app_id are refused. */
  appId?: string;
  /** Card callbacks go here, not to the inbox; answered within `cardBudgetMs` of receipt. */
  onCardAction?: CardHandler;
  /**
   * Where card callbacks are recorded by identity before the handler runs, with their answer: a
   * repeat never runs the handler twice and gets the first answer. Without it, a repeat within the
   * nonce cache's window is refused with 401 and one after it runs again.
   */
  cardAnswers?: CardAnswerStore;
  /** Feishu gives callbacks 3 s; answer with what the handler has after this (default 2500). */
  cardBudgetMs?: number;
  /** Accepted skew of X-Lark-Request-Timestamp in seconds (default 300). */
  timestampWindowSec?: number;
  /** Maximum body size in bytes (default 1 MiB); larger bodies get 413. */
  bodyLimit?: number;
  /** Defaults to a per-process cache sized for the timestamp window. */
  nonceCache?: NonceCache;
  /** Accept pushes with no encrypt key and no verification token configured (local experiments only). */
  allowUnverified?: boolean;
  /** Route paths (defaults /webhook/event and /webhook/card). */
  paths?: { event?: string; card?: string };
  now?: () => number;
  source?: EventSource;
}

const DEFAULT_BODY_LIMIT = 1024 * 1024;
/** Every answer is JSON, typed as Fastify types `reply.send(object)`. */
export const JSON_TYPE = 'application/json; charset=utf-8';

/** What one push gets back: the HTTP status and the JSON text of the body. */
export interface PushAnswer {
  status: number;
  body: string;
}

/** The receiver's checks and storage, independent of the HTTP layer that carries the push. */
export interface ReceiverCore {
  bodyLimit: number;
  eventPath: string;
  cardPath: string;
  logger: Logger;
  /** Verifies one push, stores it or hands it to the card handler, and says what to answer. Never rejects. */
  answer(raw: Buffer, headers: IncomingHttpHeaders, route: string, ip: string | undefined, receivedAt?: number): Promise<PushAnswer>;
}

// One core per options object: the Fastify routes and the raw fast path (createEventRequestHandler)
// built from the same options share one nonce cache, so a replay is caught whichever way it comes in.
const cores = new WeakMap<ReceiverOptions, ReceiverCore>();

/**
 * Fastify plugin: `POST /webhook/event` and `POST /webhook/card`. Verifies every push (raw-body
 * signature, timestamp window, nonce, decryption, token), answers url_verification, stores events
 * in the inbox before answering 200 `{}` (a duplicate is acked and dropped), and hands card
 * callbacks to `onCardAction` within a 2.5 s budget. Forgeries get 401/400, never 200.
 * For throughput, serve `POST /webhook/event` through `createEventRequestHandler` (same options object).
 *
 * @example
 * app.register(inboundReceiver, { inbox, logger, encryptKeys: cfg.app.encryptKeys, verificationTokens: cfg.app.verificationTokens, onCardAction });
 */
export async function inboundReceiver(app: FastifyInstance, options: ReceiverOptions): Promise<void> {
  const core = receiverCore(options);
  const { bodyLimit, logger: log } = core;

  // Signatures are computed over the exact bytes received: keep the body as a Buffer, whatever its type.
  app.removeAllContentTypeParsers();
  const keepBuffer = (_req: FastifyRequest, body: Buffer, done: (err: null, body: Buffer) => void) => done(null, body);
  app.addContentTypeParser('application/json', { parseAs: 'buffer', bodyLimit }, keepBuffer); // Feishu's type: the fast path
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit }, keepBuffer);

  app.setErrorHandler((err: Error & { statusCode?: number; code?: string }, req, reply) => {
    if (err.statusCode === 413 || err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      log.warn({ route: req.url, ip: req.ip, status: 413, reason: `body larger than ${bodyLimit} bytes` }, 'inbound push rejected');
      return reply.status(413).send({ msg: 'body too large' });
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      log.warn({ route: req.url, ip: req.ip, status: err.statusCode, reason: err.message }, 'inbound push rejected');
      return reply.status(err.statusCode).send({ msg: 'bad request' });
    }
    log.error({ route: req.url, err }, 'inbound push failed');
    return reply.status(500).send({ msg: 'internal error' });
  });

  const handle = async (req: FastifyRequest, reply: FastifyReply) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const { status, body } = await core.answer(raw, req.headers, req.url, req.ip);
    return reply.status(status).type(JSON_TYPE).send(body);
  };

  const routeOptions = { bodyLimit };
  app.post(core.eventPath, routeOptions, handle);
  app.post(core.cardPath, routeOptions, handle);
}

/** The shared checks and storage for `options` (built once per options object). */
export function receiverCore(options: ReceiverOptions): ReceiverCore {
  let core = cores.get(options);
  if (!core) {
    core = buildCore(options);
    cores.set(options, core);
  }
  return core;
}

function buildCore(options: ReceiverOptions): ReceiverCore {
  const encryptKeys = options.encryptKeys ?? [];
  const verificationTokens = options.verificationTokens ?? [];
  if (encryptKeys.length === 0 && verificationTokens.length === 0 && !options.allowUnverified) {
    throw new Error(
      'The event receiver needs FEISHU_ENCRYPT_KEY and/or FEISHU_VERIFICATION_TOKEN (from the app\'s "Events and callbacks" page) to tell Feishu\'s pushes from forgeries; set FEISHU_ALLOW_UNVERIFIED=true (the receiver option allowUnverified) only for local experiments.',
    );
  }
  const log = options.logger;
  const windowSec = options.timestampWindowSec ?? 300;
  const cfg: VerifyConfig = {
    encryptKeys,
    verificationTokens,
    appId: options.appId,
    timestampWindowSec: windowSec,
    nonces: options.nonceCache ?? new NonceCache(2 * windowSec * 1000),
    now: options.now ?? Date.now,
    source: options.source ?? 'webhook',
  };
  const EMPTY: PushAnswer = { status: 200, body: '{}' };
  const json = (status: number, value: unknown): PushAnswer => ({ status, body: JSON.stringify(value) });
  const cardOptions = { handler: options.onCardAction, answers: options.cardAnswers, budgetMs: options.cardBudgetMs, logger: log };

  const store = async (push: Extract<VerifiedPush, { kind: 'event' }>): Promise<PushAnswer> => {
    const { event } = push;
    let result: PutResult;
    try {
      result = await options.inbox.put({ id: event.id, type: event.type, source: event.source, payload: event.payload, payloadJson: push.json });
    } catch (err) {
      // Not stored, so not acked: Feishu re-sends, and its identical re-send must not look like a replay.
      if (push.nonceKey) cfg.nonces.forget(push.nonceKey);
      log.error({ err, event_id: event.id, type: event.type }, 'could not store the event; answering 500 so Feishu re-sends it');
      return json(500, { msg: 'could not store the event' });
    }
    if (result === 'duplicate') log.debug({ event_id: event.id, type: event.type }, 'duplicate event dropped');
    return EMPTY;
  };

  const answer = async (raw: Buffer, headers: IncomingHttpHeaders, route: string, ip: string | undefined, receivedAt = Date.now()): Promise<PushAnswer> => {
    try {
      let push: VerifiedPush;
      try {
        push = verifyPush(raw, headers, cfg);
      } catch (err) {
        if (!(err instanceof PushRejected)) throw err;
        log.warn({ route, ip, status: err.status, reason: err.reason }, 'inbound push rejected');
        return json(err.status, { msg: err.status === 401 ? 'unauthorized' : `bad request: ${err.reason}` });
      }
      if (push.kind === 'challenge') {
        log.info({ route }, 'url_verification answered');
        return json(200, { challenge: push.challenge });
      }
      if (push.kind === 'card') {
        if (push.replayed && !options.cardAnswers) {
          log.warn({ route, ip, status: 401, reason: 'replayed card callback (timestamp, nonce and signature already seen)' }, 'inbound push rejected');
          return json(401, { msg: 'unauthorized' });
        }
        return json(200, await answerCardCallback(push.action, receivedAt, cardOptions));
      }
      if (push.replayed) log.debug({ event_id: push.event.id }, 'repeated delivery (same signature); acked, the inbox drops a duplicate');
      return await store(push);
    } catch (err) {
      log.error({ route, err }, 'inbound push failed');
      return json(500, { msg: 'internal error' });
    }
  };

  return {
    bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
    eventPath: options.paths?.event ?? '/webhook/event',
    cardPath: options.paths?.card ?? '/webhook/card',
    logger: log,
    answer,
  };
}
