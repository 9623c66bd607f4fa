/**
 * The hub: the composer of capabilities, and the runtime that wires receiver → inbox → workers →
 * listeners plus every capability's routes, jobs and health checks.
 *
 * @example
 * const hub = createHub();
 * hub.command('/ping', ({ reply }) => reply.text('pong'));
 * await hub.start();
 */
export { createHub, Hub, type HubOptions, type Listener } from './hub.js';
export { builtinCapabilities } from './capabilities.js';
export type { EventContext } from '../capability/index.js';
export type { MessageContext, CommandContext, Sender, Reply, CardInput, ReplyOptions } from '../bot/index.js';
export type { ActionContext, ActionListener, ToastType } from '../cards/index.js';
