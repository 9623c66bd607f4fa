import { Registry, Counter, Histogram } from 'prom-client';
import { createLogger, loadConfig, secretValues, type HubConfig, type Logger } from '../config/index.js';
import { Dispatcher, ListenerError, type Middleware, type InboundEvent } from '../events/index.js';
import { CardValidationError } from '../cards/index.js';
import { createPlatform, FeishuApiError, type Platform } from '../platform/index.js';
import { ActionRouter, type ActionListener } from './actions.js';
import { registerBuiltins, type BuiltinOptions } from './builtins.js';
import { baseContext, messageContext, type CommandContext, type EventContext, type MessageContext } from './contexts.js';
import { Messenger, uuidFrom } from '../bot/index.js';
import { startHubRuntime, type HubRuntime } from './runtime.js';

export interface HubOptions extends BuiltinOptions {
  /** Default: loadConfig() (env + feishu-hub.yaml). */
  config?: HubConfig;
  logger?: Logger;
  /** Default: a platform client from the config. */
  platform?: Platform;
  /** Worker concurrency (default 8). */
  concurrency?: number;
  /** Budget for card action listeners before the callback is answered (default 2300 ms; Feishu allows 3 s). */
  actionBudgetMs?: number;
}

export type Listener<C> = (ctx: C) => unknown | Promise<unknown>;

interface CommandInfo {
  name: string;
  description?: string;
}

/**
 * A Feishu app: register listeners, then `start()`.
 *
 * @example
 * const hub = createHub();
 * hub.command('/oncall', async ({ args, reply }) => reply.text(`on call: ${await who(args[0])}`));
 * await hub.start();
 */
export class Hub {
  readonly config: HubConfig;
  readonly logger: Logger;
  readonly platform: Platform;
  readonly messenger: Messenger;
  readonly registry = new Registry();
  /** The bot's own open_id, learned at start (to tell @bot mentions from others). */
  botOpenId?: string;
  botName?: string;
  private readonly dispatcher = new Dispatcher<EventContext>((ctx) => ctx.type);
  private readonly actions: ActionRouter;
  private readonly commands = new Map<string, CommandInfo>();
  private runtime?: HubRuntime;
  private readonly eventsTotal: Counter<'type' | 'outcome'>;
  private readonly handleSeconds: Histogram<'type'>;

  constructor(private readonly options: HubOptions = {}) {
    this.config = options.config ?? loadConfig();
    this.logger = options.logger ?? createLogger({ level: this.config.logLevel, secrets: secretValues(this.config), name: 'feishu-hub' });
    this.platform = options.platform ?? createPlatform({ config: this.config, logger: this.logger });
    this.messenger = new Messenger(this.platform);
    this.actions = new ActionRouter({ platform: this.platform, messenger: this.messenger, logger: this.logger, budgetMs: options.actionBudgetMs ?? 2300 });
    this.eventsTotal = new Counter({ name: 'feishu_hub_events_total', help: 'Events handled, by type and outcome', labelNames: ['type', 'outcome'], registers: [this.registry] });
    this.handleSeconds = new Histogram({ name: 'feishu_hub_event_handle_seconds', help: 'Time to run the listeners of one event', labelNames: ['type'], registers: [this.registry] });
    registerBuiltins(this, options);
  }

  /** Middleware around every event's listeners (Koa style). */
  use(mw: Middleware<EventContext>): this {
    this.dispatcher.use(mw);
    return this;
  }

  /** Any event type, e.g. `contact.user.created_v3` or v1 `approval_instance`. */
  event<E = Record<string, unknown>>(type: string, listener: Listener<EventContext<E>>): this {
    this.dispatcher.on(type, listener as Listener<EventContext>);
    return this;
  }

  /** Received messages whose text matches (a substring, or a RegExp whose match is in `ctx.match`). */
  message(pattern: string | RegExp, listener: Listener<MessageContext>): this {
    const test = (text: string) => (typeof pattern === 'string' ? (text.includes(pattern) ? ([pattern] as RegExpMatchArray) : null) : text.match(pattern));
    this.dispatcher.on(
      (ctx) => isMessage(ctx) && test((ctx as MessageContext).text) !== null,
      (ctx) => listener({ ...(ctx as MessageContext), match: test((ctx as MessageContext).text) ?? undefined }),
      `message ${String(pattern)}`,
    );
    return this;
  }

  /** `/name args…` in p2p, or after @bot in a group. */
  command(name: string, listener: Listener<CommandContext>, options: { description?: string } = {}): this {
    const key = name.replace(/^\//, '').toLowerCase();
    this.commands.set(key, { name: `/${key}`, description: options.description });
    this.dispatcher.on(
      (ctx) => isMessage(ctx) && (ctx as MessageContext).commandLine?.name === key,
      (ctx) => {
        const m = ctx as MessageContext;
        return listener({ ...m, command: key, args: m.commandLine!.args, rest: m.commandLine!.rest });
      },
      `/${key}`,
    );
    return this;
  }

  /** Card clicks whose value's `action` (or `key`, or the element name) is `key`. */
  action(key: string | RegExp, listener: ActionListener): this {
    this.actions.on(key, listener);
    return this;
  }

  /** Registered commands, for /help. */
  listCommands(): CommandInfo[] {
    return [...this.commands.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Runs the listeners of one event (what the workers call). Throws to have the event retried. */
  async handleEvent(event: InboundEvent): Promise<void> {
    const started = performance.now();
    const base = baseContext(event, this.platform, this.messenger, this.logger);
    const ctx = event.type === 'im.message.receive_v1' ? (messageContext(base, this.botOpenId) ?? base) : base;
    if ('message' in ctx) this.platform.recipients.remember((ctx as MessageContext).message.id, (ctx as MessageContext).message.chatId);
    if (event.type === 'app_ticket' && typeof base.event.app_ticket === 'string') await this.platform.tokens.setAppTicket(base.event.app_ticket);
    try {
      const { matched } = await this.dispatcher.dispatch(ctx);
      if (matched === 0) await this.onUnhandled(ctx);
      this.eventsTotal.inc({ type: event.type, outcome: matched === 0 ? 'unhandled' : 'ok' });
    } catch (err) {
      this.eventsTotal.inc({ type: event.type, outcome: 'error' });
      if (isPermanent(err)) (err as { permanent?: boolean }).permanent = true;
      ctx.logger.error({ err, event_id: event.id }, 'listener failed');
      if (isMessage(ctx)) await this.apologise(ctx as MessageContext);
      throw err;
    } finally {
      this.handleSeconds.observe({ type: event.type }, (performance.now() - started) / 1000);
    }
  }

  /** Card callbacks (what the receiver calls). */
  handleCardAction = (action: Parameters<ActionRouter['handle']>[0]) => this.actions.handle(action);

  /** Opens the store, starts the workers, and listens on HUB_PORT. */
  async start(): Promise<{ url: string }> {
    if (this.runtime) throw new Error('hub already started');
    await this.learnBotIdentity();
    this.runtime = await startHubRuntime(this, { concurrency: this.options.concurrency ?? 8 });
    return { url: this.runtime.url };
  }

  get url(): string | undefined {
    return this.runtime?.url;
  }

  /** The durable event inbox (for inspection and replaying dead letters), once started. */
  get inbox() {
    return this.runtime?.inbox;
  }

  async stop(): Promise<void> {
    await this.runtime?.stop();
    this.runtime = undefined;
    await this.platform.close();
  }

  private async learnBotIdentity(): Promise<void> {
    try {
      const res = await this.platform.request<{ bot?: { open_id?: string; app_name?: string } }>({ method: 'GET', url: '/open-apis/bot/v3/info' });
      this.botOpenId = res.bot?.open_id;
      this.botName = res.bot?.app_name;
    } catch (err) {
      this.logger.warn({ err }, 'could not read the bot identity (GET /open-apis/bot/v3/info); @bot mentions will not be recognised');
    }
  }

  private async onUnhandled(ctx: EventContext): Promise<void> {
    if (!isMessage(ctx)) return;
    const m = ctx as MessageContext;
    if (m.commandLine && (m.message.chatType === 'p2p' || m.mentionsBot)) {
      await m.reply.text(`I don't know /${m.commandLine.name}. Type /help to see what I can do.`);
    }
  }

  /** A listener failed: the user gets a short note once (uuid per event), the log has the details. */
  private async apologise(m: MessageContext): Promise<void> {
    try {
      const text = `Sorry, something went wrong while handling that. The team can look it up with reference ${m.eventId.slice(0, 12)}.`;
      await this.messenger.reply(m.message.id, { msgType: 'text', content: { text } }, { uuid: uuidFrom(m.eventId, 'apology') });
    } catch (err) {
      m.logger.warn({ err }, 'could not tell the user about the failure');
    }
  }
}

/** Every failed listener hit something a retry cannot fix: a Feishu refusal that is not transient, or an invalid card. */
function isPermanent(err: unknown): boolean {
  if (!(err instanceof ListenerError)) return false;
  return err.failures.every((f) => f.error instanceof CardValidationError || (f.error instanceof FeishuApiError && !f.error.retryable));
}

function isMessage(ctx: EventContext): boolean {
  return ctx.type === 'im.message.receive_v1' && 'message' in ctx;
}

export function createHub(options?: HubOptions): Hub {
  return new Hub(options);
}
