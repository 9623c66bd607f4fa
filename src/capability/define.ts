import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import type { Migration } from 'kysely';
import type { Registry } from 'prom-client';
import type { z } from 'zod';
import type { HubConfig, Logger } from '../config/index.js';
import type { Middleware } from '../events/index.js';
import type { Platform } from '../platform/index.js';
import type { Inbox, Store } from '../store/index.js';
import type { CardCallbackHandler, ContextExtender, EventContext, EventListener, HubCore } from './context.js';
import type { ScopeNeed } from './scopes.js';
import type { ConsoleContribution } from './console.js';

/**
 * A capability's configuration: a zod schema for its section of `feishu-hub.yaml` (`yamlKey`,
 * default the capability's name) and the environment variables that may set its keys (secrets
 * belong in env). Validated at start; a wrong value stops the process with one line per problem.
 */
export interface ConfigSection<S extends z.ZodType = z.ZodType> {
  schema: S;
  /** Top-level key in feishu-hub.yaml (default: the capability's name). */
  yamlKey?: string;
  /** Env var → dotted key in the section, e.g. `{ ALERTS_TOKEN: 'sources.alertmanager.token' }`. Env wins over the file. */
  env?: Record<string, string>;
}

/** A background job: a cron schedule (croner syntax) or a fixed interval. */
export interface JobDefinition<C = unknown> {
  name: string;
  /** Cron expression (`*\/5 * * * *`, seconds allowed as a 6th leading field). */
  schedule?: string;
  /** Or: run every `everyMs` milliseconds (a function reads it from the capability's config). */
  everyMs?: number | ((config: C) => number);
  /**
   * Run on one replica only: on PostgreSQL each run takes an advisory lock (a replica that does not
   * get it skips the run); on SQLite there is one process, so nothing to do.
   */
  singleton?: boolean;
  /** Whether this job runs at all with this config (default: always), e.g. only when its section turns it on. */
  enabled?: (config: C) => boolean;
  /** Also run once right after start (default false). */
  runAtStart?: boolean;
  run(ctx: RuntimeContext<C>): Promise<unknown> | unknown;
}

/** A readiness check: resolve with `ok` (or a short note), throw to say what is wrong. */
export interface HealthCheck<C = unknown> {
  name: string;
  /** Only readiness (`/readyz`) checks exist today; liveness is the process answering `/healthz`. */
  check(ctx: RuntimeContext<C>): Promise<string | void> | string | void;
}

/** What `setup` gets, at construction time (before the store is open). */
export interface SetupContext<C = unknown> {
  /** The hub being composed (methods contributed so far are on it). */
  hub: HubCore;
  /** This capability's parsed config section. */
  config: C;
  hubConfig: HubConfig;
  logger: Logger;
  platform: Platform;
  /** The hub's metrics registry (served on `/metrics`). */
  metrics: Registry;
  /** Adds methods to the hub (`hub.command`, `hub.approval`…); type them with `declare module` on HubExtensions. */
  decorate(members: Record<string, unknown>): void;
  /** Listeners for an event type (or a predicate over the context). */
  on(type: string | ((ctx: EventContext) => boolean), listener: EventListener, name?: string): void;
  /** Middleware around every event's listeners (Koa style), in capability order. */
  use(mw: Middleware<EventContext>): void;
  /** Adds fields to every event context (e.g. `messenger`, the parsed message), in capability order. */
  extendContext(extend: ContextExtender): void;
  /** Called when no listener matched an event. */
  onUnhandled(fn: (ctx: EventContext) => Promise<void> | void): void;
  /**
   * Called when listeners failed (before the event is retried or dead-lettered). A returned string
   * is kept with the event's error for the operator (e.g. "the user could not be told").
   */
  onFailure(fn: (ctx: EventContext, err: unknown) => Promise<string | void> | string | void): void;
  /**
   * Tells errors that a retry cannot fix (an invalid card, a Feishu refusal that is not transient):
   * an event whose every failed listener hit one is dead-lettered at once instead of retried.
   */
  permanentError(isPermanent: (err: unknown) => boolean): void;
  /** The card callback handler (one per hub: the cards capability's router). */
  handleCardCallbacks(handler: CardCallbackHandler): void;
  /** A function to run once the store is open and the hub listens (and one at stop). */
  onStart(fn: (ctx: RuntimeContext<C>) => Promise<void> | void): void;
  onStop(fn: () => Promise<void> | void): void;
}

/** What routes, jobs, health checks and start hooks get: the setup context plus the open store. */
export interface RuntimeContext<C = unknown> extends Omit<SetupContext<C>, 'decorate' | 'on' | 'use' | 'extendContext' | 'onUnhandled' | 'onFailure' | 'permanentError' | 'handleCardCallbacks' | 'onStart' | 'onStop'> {
  store: Store;
  /** The durable event inbox (inspection, replay of dead letters). */
  inbox: Inbox;
  /** Every capability of the hub, in order, with its own runtime context (the console mounts their panels from it). */
  capabilities: readonly { capability: Capability<any>; context: RuntimeContext<any> }[];
}

/** What CLI commands get: the program, and a lazy config loader (commands may run without an app configured). */
export interface CliContext {
  program: Command;
}

/**
 * One capability: its config section, tables, routes, listeners, jobs, health checks, metrics and
 * CLI commands, declared in its own folder. The hub holds one ordered list of them
 * (src/server/capabilities.ts); users add theirs with `hub.register(capability)`.
 */
export interface Capability<C = unknown> {
  name: string;
  /** Names of capabilities that must come earlier in the list. */
  after?: string[];
  config?: ConfigSection;
  /**
   * Its part of the sandbox demo (`npm start` with no FEISHU_APP_ID): the config section used
   * then when feishu-hub.yaml has none, written against the emulator's seeded world. A function
   * gets the hub's config (to put demo files next to the hub's own data, say).
   */
  sandbox?: {
    config?: unknown | ((hub: HubConfig) => unknown);
    /** Lines `feishu-hub serve` prints in sandbox mode under "try it" (how to see this capability work). */
    hint?: (at: { hubUrl: string; emulatorUrl: string }) => string[];
  };
  /**
   * Kysely migrations, named like `0001_create_things` (stored as `<capability>/<name>`, so names
   * never clash across capabilities). Append only; each capability types its own tables.
   */
  migrations?: Record<string, Migration>;
  /** Listeners, middleware, hub methods: runs when the hub is created (or the capability registered). */
  setup?(ctx: SetupContext<C>): unknown;
  /** A Fastify plugin with the capability's routes (route schemas welcome). */
  routes?(app: FastifyInstance, ctx: RuntimeContext<C>): Promise<void> | void;
  jobs?: JobDefinition<C>[];
  health?: HealthCheck<C>[];
  /** CLI commands (`feishu-hub <name> …`). */
  cli?(ctx: CliContext): void;
  /** The Feishu APIs it calls and the scopes each needs, one entry per API (read by `feishu-hub doctor`). */
  scopes?: ScopeNeed<C>[];
  /** Its pages in the admin console (`/console`): see ConsolePanel. */
  console?: ConsoleContribution<C>;
}

/**
 * Declares a capability (typing only: it returns its argument). The config type is inferred from
 * the schema.
 *
 * @example
 * export const greeter = defineCapability({
 *   name: 'greeter',
 *   config: { schema: z.object({ greeting: z.string().default('hi') }) },
 *   setup: ({ hub, config }) => hub.command('/greet', ({ reply }) => reply.text(config.greeting)),
 * });
 */
export function defineCapability<S extends z.ZodType = z.ZodType<unknown>>(capability: Capability<z.output<S>> & { config?: ConfigSection<S> }): Capability<z.output<S>> {
  return capability;
}
