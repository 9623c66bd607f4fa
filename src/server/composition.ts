import { Counter, Histogram } from 'prom-client';
import { ConfigError } from '../config/index.js';
import { Dispatcher, ListenerError, type InboundEvent } from '../events/index.js';
import { parseCapabilityConfig, type Capability, type CardCallbackHandler, type ContextExtender, type EventContext, type RuntimeContext, type SetupContext } from '../capability/index.js';
import type { Hub } from './hub.js';
import { hubStatsOf, type HubStats } from './stats.js';

type Hook<A extends unknown[]> = (...args: A) => Promise<void> | void;

/**
 * What the capabilities contributed, in list order: parsed config sections, hub methods, listeners,
 * middleware, context extenders, failure hooks, the card handler, start/stop hooks. The hub and
 * the runtime read it; nothing here knows any particular capability.
 */
export class Composition {
  readonly capabilities: Capability<any>[] = [];
  readonly configs = new Map<string, unknown>();
  readonly dispatcher = new Dispatcher<EventContext>((ctx) => ctx.type);
  readonly extenders: ContextExtender[] = [];
  readonly unhandled: Hook<[EventContext]>[] = [];
  readonly failures: ((ctx: EventContext, err: unknown) => Promise<string | void> | string | void)[] = [];
  readonly starts: { capability: Capability<any>; fn: Hook<[RuntimeContext<any>]> }[] = [];
  readonly stops: Hook<[]>[] = [];
  readonly permanent: ((err: unknown) => boolean)[] = [];
  cardHandler?: CardCallbackHandler;
  private readonly eventsTotal: Counter<'type' | 'outcome'>;
  private readonly handleSeconds: Histogram<'type'>;
  private readonly stats: HubStats;

  constructor(
    private readonly hub: Hub,
    private readonly sections: Record<string, unknown>,
  ) {
    this.eventsTotal = new Counter({ name: 'feishu_hub_events_total', help: 'Events handled, by type and outcome', labelNames: ['type', 'outcome'], registers: [hub.registry] });
    this.handleSeconds = new Histogram({ name: 'feishu_hub_event_handle_seconds', help: 'Time to run the listeners of one event', labelNames: ['type'], registers: [hub.registry] });
    this.stats = hubStatsOf(hub, hub.registry);
  }

  /** Built-in capabilities are set up synchronously, so `createHub().command(…)` works at once. */
  addSync(capability: Capability<any>): void {
    const result = this.add(capability);
    if (result instanceof Promise) throw new Error(`built-in capability ${capability.name}: setup must not be async`);
  }

  add(capability: Capability<any>): Promise<void> | void {
    if (this.capabilities.some((c) => c.name === capability.name)) throw new Error(`a capability named "${capability.name}" is already registered`);
    const missing = (capability.after ?? []).filter((name) => !this.capabilities.some((c) => c.name === name));
    if (missing.length) throw new Error(`capability ${capability.name} must come after ${missing.join(', ')} (register those first)`);
    const config = this.configFor(capability);
    this.capabilities.push(capability);
    this.configs.set(capability.name, config);
    const result = capability.setup?.(this.setupContext(capability, config));
    return result instanceof Promise ? result.then(() => undefined) : undefined;
  }

  private configFor(capability: Capability<any>): unknown {
    const yamlKey = capability.config?.yamlKey ?? capability.name;
    const hubConfig = yamlKey in this.sections ? { ...this.hub.config, extra: { ...this.hub.config.extra, [yamlKey]: this.sections[yamlKey] } } : this.hub.config;
    const { value, problems } = parseCapabilityConfig(capability, hubConfig);
    if (problems.length) throw new ConfigError(problems);
    return value;
  }

  private setupContext(capability: Capability<any>, config: unknown): SetupContext<any> {
    const hub = this.hub;
    return {
      hub,
      config,
      hubConfig: hub.config,
      logger: hub.logger.child({ capability: capability.name }),
      platform: hub.platform,
      metrics: hub.registry,
      decorate: (methods) => {
        for (const [name, fn] of Object.entries(methods)) {
          if (name in hub) throw new Error(`capability ${capability.name}: hub.${name} already exists`);
          Object.defineProperty(hub, name, { value: fn, enumerable: false, configurable: false, writable: false });
        }
      },
      on: (type, listener, name) => this.dispatcher.on(type, listener, name),
      use: (mw) => this.dispatcher.use(mw),
      extendContext: (extend) => this.extenders.push(extend),
      onUnhandled: (fn) => this.unhandled.push(fn),
      onFailure: (fn) => this.failures.push(fn),
      permanentError: (fn) => this.permanent.push(fn),
      handleCardCallbacks: (handler) => {
        if (this.cardHandler) throw new Error(`capability ${capability.name}: card callbacks already have a handler`);
        this.cardHandler = handler;
      },
      onStart: (fn) => this.starts.push({ capability, fn }),
      onStop: (fn) => this.stops.push(fn),
    };
  }

  /** Every failed listener hit something a retry cannot fix, as some capability judges it. */
  private isPermanent(err: unknown): boolean {
    if (!(err instanceof ListenerError)) return false;
    return err.failures.every((f) => this.permanent.some((judge) => judge(f.error)));
  }

  /** Runs the listeners of one event. Throws (after the failure hooks) to have it retried. */
  async handleEvent(event: InboundEvent): Promise<void> {
    const started = performance.now();
    const hub = this.hub;
    let ctx: EventContext = {
      type: event.type,
      eventId: event.id,
      event: (event.payload.event ?? {}) as Record<string, unknown>,
      envelope: event.payload,
      tenantKey: event.tenantKey,
      client: hub.platform.sdk,
      platform: hub.platform,
      logger: hub.logger.child({ event_id: event.id, type: event.type }),
      state: {},
      inbound: event,
    } as EventContext; // capabilities' fields (e.g. `messenger`) are filled in by their extenders below
    for (const extend of this.extenders) ctx = await extend(ctx);
    try {
      const { matched } = await this.dispatcher.dispatch(ctx);
      if (matched === 0) for (const fn of this.unhandled) await fn(ctx);
      this.eventsTotal.inc({ type: event.type, outcome: matched === 0 ? 'unhandled' : 'ok' });
      this.stats.record(true, event.createTime);
    } catch (err) {
      this.eventsTotal.inc({ type: event.type, outcome: 'error' });
      this.stats.record(false, event.createTime);
      if (this.isPermanent(err)) (err as { permanent?: boolean }).permanent = true;
      ctx.logger.error({ err, event_id: event.id }, 'listener failed');
      for (const fn of this.failures) {
        try {
          const note = await fn(ctx, err);
          if (note && err && typeof err === 'object') ((err as { notes?: string[] }).notes ??= []).push(note);
        } catch (hookErr) {
          ctx.logger.warn({ err: hookErr }, 'a failure hook failed');
        }
      }
      throw err;
    } finally {
      this.handleSeconds.observe({ type: event.type }, (performance.now() - started) / 1000);
    }
  }
}
