import type * as lark from '@larksuiteoapi/node-sdk';
import type { Registry } from 'prom-client';
import type { HubConfig, Logger } from '../config/index.js';
import type { AnswerBudget, CardAction, CardActionResponse, InboundEvent, Middleware } from '../events/index.js';
import type { Platform } from '../platform/index.js';
import type { Capability } from './define.js';

/**
 * What every listener gets. Capabilities add fields (the bot adds `messenger`) by augmenting this
 * interface (`declare module '../capability/index.js'`) and filling them in `extendContext`.
 */
export interface EventContext<E = Record<string, unknown>> {
  /** The event type, e.g. `im.message.receive_v1`. */
  type: string;
  /** `header.event_id` (v2) or `uuid` (v1): the dedup key. */
  eventId: string;
  /** The `event` object of the envelope. */
  event: E;
  /** The whole decrypted envelope. */
  envelope: Record<string, unknown>;
  tenantKey?: string;
  /** The official SDK client, with feishu-hub's tokens, limits, retries and errors. */
  client: lark.Client;
  platform: Platform;
  logger: Logger;
  /** Scratch space shared by middleware and listeners of this event. */
  state: Record<string, unknown>;
  /** The event as it came out of the inbox. */
  inbound: InboundEvent;
}

export type Listener<C> = (ctx: C) => unknown | Promise<unknown>;
export type EventListener = Listener<EventContext>;

/** Returns the context with more fields (or the same object, changed). */
export type ContextExtender = (ctx: EventContext) => EventContext | Promise<EventContext>;

/** Answers one card callback; `budget.answered` turns true when the answer has gone out. */
export type CardCallbackHandler = (action: CardAction, budget: AnswerBudget) => Promise<CardActionResponse>;

/** Methods capabilities add to the hub. Each capability augments this with its own (see bot/, cards/). */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface HubExtensions {}

/** Something `hub.register` accepts: a capability, or an app written as a function of the hub. */
// Method syntax keeps the parameter bivariant, so `(hub: Hub) => void` (the full hub type) is accepted.
export type AppModule = Capability<any> | { app(hub: HubCore): unknown }['app'];

/** The hub as capabilities and apps see it: the composer's own methods plus every capability's. */
export interface HubCore extends HubExtensions {
  readonly config: HubConfig;
  readonly logger: Logger;
  readonly platform: Platform;
  readonly registry: Registry;
  /** Adds a capability (or an app function) after the built-in ones. */
  register(app: AppModule): Promise<this>;
  /** Middleware around every event's listeners (Koa style). */
  use(mw: Middleware<EventContext>): this;
  /** Any event type, e.g. `contact.user.created_v3` or v1 `approval_instance`. */
  event<E = Record<string, unknown>>(type: string, listener: Listener<EventContext<E>>): this;
  /** The base URL the hub listens on, once started. */
  readonly url?: string;
}
