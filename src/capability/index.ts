/**
 * The capability contract: what a capability declares in its own folder (config section, tables,
 * routes, listeners and middleware, hub methods, jobs, health checks, CLI commands), and how the
 * hub composes them. See docs/architecture.md and CONTRIBUTING.md ("Adding a capability").
 *
 * @example
 * export const greeter = defineCapability({
 *   name: 'greeter',
 *   config: { schema: z.object({ greeting: z.string().default('hi') }), env: { GREETER_GREETING: 'greeting' } },
 *   setup: ({ hub, config }) => hub.command('/greet', ({ reply }) => reply.text(config.greeting)),
 *   jobs: [{ name: 'tick', schedule: '0 * * * *', singleton: true, run: ({ logger }) => logger.info('tick') }],
 * });
 * hub.register(greeter);
 */
export { defineCapability, type Capability, type ConfigSection, type JobDefinition, type HealthCheck, type SetupContext, type RuntimeContext, type CliContext } from './define.js';
export type { ScopeNeed } from './scopes.js';
export type { EventContext, EventListener, Listener, ContextExtender, CardCallbackHandler, HubExtensions, HubCore, AppModule } from './context.js';
export type { ConsolePanel, ConsoleAction, ConsoleCall, ConsoleUser, ConsoleContribution } from './console.js';
export { parseCapabilityConfig } from './config.js';
export { startJobs, type RunningJobs } from './jobs.js';
