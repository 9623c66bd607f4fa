import { Registry } from 'prom-client';
import { createLogger, loadConfig, secretValues, type HubConfig, type Logger } from '../config/index.js';
import type { InboundEvent, Middleware } from '../events/index.js';
import type { InboxOptions } from '../store/index.js';
import { createPlatform, type Platform } from '../platform/index.js';
import type { AppModule, Capability, EventContext, HubCore, HubExtensions, Listener } from '../capability/index.js';
import { Composition } from './composition.js';
import { builtinCapabilities } from './capabilities.js';
import { startHubRuntime, type HubRuntime } from './runtime.js';

export interface HubOptions {
  /** Default: loadConfig() (env + feishu-hub.yaml). */
  config?: HubConfig;
  logger?: Logger;
  /** Default: a platform client from the config. */
  platform?: Platform;
  /** Worker concurrency (default 8). */
  concurrency?: number;
  /** Card callbacks are answered within this many ms of receipt (default 2500; Feishu allows 3 s). */
  cardBudgetMs?: number;
  /** Capability config sections that win over feishu-hub.yaml, e.g. `{ bot: { welcome: false } }`. */
  sections?: Record<string, unknown>;
  /** Default: the built-in list (src/server/capabilities.ts). */
  capabilities?: Capability<any>[];
  /** The event inbox's retry policy (default 8 attempts, backoff 1 s doubling to 15 min); tests set it small. */
  inbox?: Pick<InboxOptions, 'maxAttempts' | 'backoff'>;
}

export type { Listener };

/**
 * A Feishu app: the composer of its capabilities. It owns config, logger, platform client and
 * metrics; everything else (`command`, `message`, `action`…) is contributed by a capability.
 *
 * @example
 * const hub = createHub();
 * hub.command('/oncall', async ({ args, reply }) => reply.text(`on call: ${await who(args[0])}`));
 * await hub.start();
 */
export class Hub implements HubCore {
  readonly config: HubConfig;
  readonly logger: Logger;
  readonly platform: Platform;
  readonly registry = new Registry();
  private readonly composition: Composition;
  private runtime?: HubRuntime;

  constructor(private readonly options: HubOptions = {}) {
    this.config = options.config ?? loadConfig();
    if (!this.config.app.appId && !options.platform) {
      throw new Error(
        'no FEISHU_APP_ID set. To run against the built-in local Feishu, export your app as a function of the hub and start it with `npx feishu-hub dev <file>` (or use startHub() instead of createHub()); to use your Feishu app, set FEISHU_APP_ID and FEISHU_APP_SECRET.',
      );
    }
    this.logger = options.logger ?? createLogger({ level: this.config.logLevel, secrets: secretValues(this.config), name: 'feishu-hub' });
    this.platform = options.platform ?? createPlatform({ config: this.config, logger: this.logger });
    this.composition = new Composition(this, options.sections ?? {});
    for (const capability of options.capabilities ?? builtinCapabilities) this.composition.addSync(capability);
  }

  /** Adds a capability, or an app written as a function of the hub (`(hub) => { hub.command(…) }`). */
  async register(app: AppModule): Promise<this> {
    if (this.runtime) throw new Error('register capabilities before hub.start()');
    if (typeof app === 'function') await app(this);
    else await this.composition.add(app);
    return this;
  }

  /** The capabilities in order (built-in first, then registered ones). */
  get capabilities(): readonly Capability<any>[] {
    return this.composition.capabilities;
  }

  use(mw: Middleware<EventContext>): this {
    this.composition.dispatcher.use(mw);
    return this;
  }

  event<E = Record<string, unknown>>(type: string, listener: Listener<EventContext<E>>): this {
    this.composition.dispatcher.on(type, listener as Listener<EventContext>);
    return this;
  }

  /** Runs the listeners of one event (what the workers call). Throws to have the event retried. */
  handleEvent(event: InboundEvent): Promise<void> {
    return this.composition.handleEvent(event);
  }

  /** Opens the store (with every capability's migrations), starts workers, routes and jobs, and listens on HUB_PORT. */
  async start(): Promise<{ url: string }> {
    if (this.runtime) throw new Error('hub already started');
    this.runtime = await startHubRuntime(this, this.composition, { concurrency: this.options.concurrency ?? 8, cardBudgetMs: this.options.cardBudgetMs, inbox: this.options.inbox });
    return { url: this.runtime.url };
  }

  get url(): string | undefined {
    return this.runtime?.url;
  }

  /** The durable event inbox (for inspection and replaying dead letters), once started. */
  get inbox() {
    return this.runtime?.inbox;
  }

  /** The open store, once started. */
  get store() {
    return this.runtime?.store;
  }

  async stop(): Promise<void> {
    await this.runtime?.stop();
    this.runtime = undefined;
    await this.platform.close();
  }
}

// Capabilities add their methods to the hub's type through HubExtensions (declaration merging).
// eslint-disable-next-line @typescript-eslint/no-unsafe-declaration-merging
export interface Hub extends HubExtensions {}

export function createHub(options?: HubOptions): Hub {
  return new Hub(options);
}
