import Fastify from 'fastify';
import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import type { Migration } from 'kysely';
import { createEventRequestHandler, inboundReceiver, startLongConnection, startWorkers, withFastPath, type LongConnection, type ReceiverOptions, type Workers } from '../events/index.js';
import { IdempotencyKeys, Inbox, openDatabase, type InboxOptions, type Store } from '../store/index.js';
import { startJobs, type Capability, type RuntimeContext } from '../capability/index.js';
import { ConfigError } from '../config/index.js';
import { registerHealthRoutes, type NamedCheck } from './health.js';
import type { Composition } from './composition.js';
import type { Hub } from './hub.js';
import { hubStatsOf, registerInboxGauges } from './stats.js';

export interface HubRuntime {
  url: string;
  store: Store;
  inbox: Inbox;
  workers: Workers;
  stop(): Promise<void>;
}

/** Every capability's migrations, namespaced `<capability>/<name>`. */
function capabilityMigrations(composition: Composition): Record<string, Migration> {
  const all: Record<string, Migration> = {};
  for (const c of composition.capabilities) for (const [name, m] of Object.entries(c.migrations ?? {})) all[`${c.name}/${name}`] = m;
  return all;
}

/**
 * Wires store → inbox → receiver/long connection → workers → listeners, then each capability's
 * routes, health checks, jobs and start hooks, and listens on HUB_PORT.
 */
export async function startHubRuntime(hub: Hub, composition: Composition, options: { concurrency: number; cardBudgetMs?: number; inbox?: InboxOptions }): Promise<HubRuntime> {
  const { config, logger } = hub;
  if (config.eventMode === 'webhook' && config.app.encryptKeys.length === 0 && config.app.verificationTokens.length === 0 && !config.allowUnverified) {
    throw new ConfigError([
      'FEISHU_ENCRYPT_KEY or FEISHU_VERIFICATION_TOKEN is required to tell Feishu\'s pushes from forgeries (copy them from the app\'s "Events and callbacks" page); or use FEISHU_EVENT_MODE=websocket; or, for local experiments only, FEISHU_ALLOW_UNVERIFIED=true',
    ]);
  }
  const store = await openDatabase(config.databaseUrl, { migrations: capabilityMigrations(composition) });
  const inbox = new Inbox(store, options.inbox);
  // One context per capability, each listing all of them (the console mounts every capability's panels).
  const mounted: { capability: Capability<any>; context: RuntimeContext<any> }[] = [];
  const contexts = new Map<string, RuntimeContext<any>>();
  for (const c of composition.capabilities) {
    const context: RuntimeContext<any> = {
      hub,
      config: composition.configs.get(c.name),
      hubConfig: config,
      logger: logger.child({ capability: c.name }),
      platform: hub.platform,
      metrics: hub.registry,
      store,
      inbox,
      capabilities: mounted,
    };
    contexts.set(c.name, context);
    mounted.push({ capability: c, context });
  }
  const runtimeContext = (name: string): RuntimeContext<any> => contexts.get(name)!;
  // Start hooks run before any event is handled (the bot learns who it is first).
  try {
    for (const s of composition.starts) await s.fn(runtimeContext(s.capability.name));
  } catch (err) {
    await store.close();
    throw err;
  }
  const workers = startWorkers({ inbox, concurrency: options.concurrency, logger, handle: (event) => hub.handleEvent(event) });
  const cardAnswers = new IdempotencyKeys(store);
  if (config.allowUnverified) logger.warn('FEISHU_ALLOW_UNVERIFIED=true: pushes are accepted WITHOUT signature or token checks; anyone who can reach this port can inject events. Local experiments only.');

  const receiverOptions: ReceiverOptions = {
    inbox,
    logger,
    encryptKeys: config.app.encryptKeys,
    verificationTokens: config.app.verificationTokens,
    allowUnverified: config.allowUnverified,
    appId: config.app.appId,
    onCardAction: composition.cardHandler,
    cardAnswers,
    cardBudgetMs: options.cardBudgetMs,
  };
  const { trustProxy, headersTimeoutMs, requestTimeoutMs } = config.http;
  // POST /webhook/event (the hot path) skips Fastify's routing and reply machinery; the same options
  // object gives both paths one set of checks.
  const fastPath = createEventRequestHandler(receiverOptions, { trustProxy: trustProxy !== false });
  const app = Fastify<Server>({
    logger: false,
    // A hop count is valid at run time (Fastify turns it into proxy-addr's), though not in its types.
    trustProxy: trustProxy as boolean | string,
    // Our own deadlines for receiving a request (a trickled body is cut long before Feishu's 3 s are up).
    serverFactory: (handler) =>
      createServer({ requestTimeout: requestTimeoutMs, headersTimeout: headersTimeoutMs, connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(headersTimeoutMs / 4))) }, withFastPath(fastPath, handler)),
    clientErrorHandler: (err: Error & { code?: string }, socket) => {
      const timedOut = err.code === 'ERR_HTTP_REQUEST_TIMEOUT' || err.code === 'ERR_HTTP_HEADERS_TIMEOUT' || err.code === 'ETIMEDOUT';
      if (timedOut) logger.warn({ ip: socket.remoteAddress, reason: err.code, request_timeout_ms: requestTimeoutMs, headers_timeout_ms: headersTimeoutMs }, 'request cut: not received in time (HUB_REQUEST_TIMEOUT_MS / HUB_HEADERS_TIMEOUT_MS)');
      else logger.debug({ ip: socket.remoteAddress, err }, 'client error');
      if (socket.writable) socket.end(timedOut ? 'HTTP/1.1 408 Request Timeout\r\nConnection: close\r\nContent-Length: 0\r\n\r\n' : 'HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
      socket.destroy();
    },
  });
  await app.register(inboundReceiver, receiverOptions);

  const checks: NamedCheck[] = [];
  for (const c of composition.capabilities) {
    const ctx = runtimeContext(c.name);
    if (c.routes) await app.register(async (scope) => c.routes!(scope, ctx));
    for (const h of c.health ?? []) checks.push({ name: h.name, check: () => h.check(ctx) });
  }
  registerInboxGauges(hub.registry, inbox, hub.platform.limiter, hubStatsOf(hub, hub.registry));
  registerHealthRoutes(app, { hub, store, checks });

  let longConnection: LongConnection | undefined;
  try {
    await app.listen({ port: config.http.port, host: config.http.host });
    if (config.eventMode === 'websocket') {
      longConnection = await startLongConnection({
        appId: config.app.appId!,
        appSecret: config.app.appSecret!,
        domain: hub.platform.domain,
        inbox,
        logger,
        card: { handler: composition.cardHandler, answers: cardAnswers, budgetMs: options.cardBudgetMs },
      });
    }
  } catch (err) {
    longConnection?.close();
    await workers.stop();
    await app.close();
    await store.close();
    throw err;
  }
  const jobs = startJobs(
    composition.capabilities.flatMap((c) =>
      (c.jobs ?? []).filter((job) => job.enabled?.(composition.configs.get(c.name)) ?? true).map((job) => ({
        job: { ...job, everyMs: typeof job.everyMs === 'function' ? job.everyMs(composition.configs.get(c.name)) : job.everyMs },
        capability: c.name,
        run: async () => job.run(runtimeContext(c.name)),
      })),
    ),
    { store, logger },
  );
  const port = (app.server.address() as AddressInfo).port;
  const url = `http://${config.http.host.includes(':') ? `[${config.http.host}]` : config.http.host}:${port}`;
  logger.info({ url, mode: config.eventMode, database: store.dialect === 'sqlite' ? `sqlite:${store.file}` : 'postgres', capabilities: composition.capabilities.map((c) => c.name) }, 'feishu-hub listening');

  return {
    url,
    store,
    inbox,
    workers,
    async stop() {
      await jobs.stop();
      for (const fn of composition.stops) await fn();
      longConnection?.close();
      await app.close();
      await workers.stop({ timeoutMs: 5000 });
      await inbox.drain();
      await store.close();
    },
  };
}
