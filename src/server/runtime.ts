import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { createServer } from 'node:http';
import { createEventRequestHandler, inboundReceiver, startWorkers, withFastPath, type ReceiverOptions, type Workers } from '../events/index.js';
import { Inbox, openDatabase, type Store } from '../store/index.js';
import { registerHealthRoutes } from './health.js';
import { startLongConnection, type LongConnection } from './long-connection.js';
import type { Hub } from './hub.js';

export interface HubRuntime {
  url: string;
  store: Store;
  inbox: Inbox;
  workers: Workers;
  stop(): Promise<void>;
}

/** Wires store → inbox → receiver/long connection → workers → hub listeners, and listens on HUB_PORT. */
export async function startHubRuntime(hub: Hub, options: { concurrency: number }): Promise<HubRuntime> {
  const { config, logger } = hub;
  const store = await openDatabase(config.databaseUrl);
  const inbox = new Inbox(store);
  const workers = startWorkers({ inbox, concurrency: options.concurrency, logger, handle: (event) => hub.handleEvent(event) });

  const receiverOptions: ReceiverOptions = {
    inbox,
    logger,
    encryptKeys: config.app.encryptKeys,
    verificationTokens: config.app.verificationTokens,
    appId: config.app.appId,
    onCardAction: hub.handleCardAction,
  };
  // POST /webhook/event (the hot path) skips Fastify's routing and reply machinery; the same options
  // object gives both paths one set of checks and one nonce cache.
  const fastPath = createEventRequestHandler(receiverOptions, { trustProxy: true });
  const app = Fastify({ logger: false, trustProxy: true, serverFactory: (handler) => createServer(withFastPath(fastPath, handler)) });
  await app.register(inboundReceiver, receiverOptions);
  registerHealthRoutes(app, { hub, store });

  let longConnection: LongConnection | undefined;
  try {
    await app.listen({ port: config.http.port, host: config.http.host });
    if (config.eventMode === 'websocket') longConnection = await startLongConnection(hub, inbox);
  } catch (err) {
    await workers.stop();
    await app.close();
    await store.close();
    throw err;
  }
  // Done events are kept for the dedup window (≥ 7 h, Feishu re-sends for 7.1 h), then pruned.
  const prune = setInterval(() => {
    inbox.prune().catch((err: unknown) => logger.warn({ err }, 'could not prune the inbox'));
  }, 10 * 60_000);
  prune.unref();
  const port = (app.server.address() as AddressInfo).port;
  const url = `http://${config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host}:${port}`;
  logger.info({ url, mode: config.eventMode, database: store.dialect }, 'feishu-hub listening');

  return {
    url,
    store,
    inbox,
    workers,
    async stop() {
      clearInterval(prune);
      longConnection?.close();
      await app.close();
      await workers.stop({ timeoutMs: 5000 });
      await inbox.drain();
      await store.close();
    },
  };
}
