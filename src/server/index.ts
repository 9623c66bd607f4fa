/**
 * The hub: listener API, contexts, and the runtime that wires receiver → inbox → workers → listeners.
 *
 * @example
 * const hub = createHub();
 * hub.command('/ping', ({ reply }) => reply.text('pong'));
 * await hub.start();
 */
export { createHub, Hub, type HubOptions, type Listener } from './hub.js';
export type { EventContext, MessageContext, CommandContext, Sender } from './contexts.js';
export type { ActionContext, ActionListener, ToastType } from './actions.js';
export type { Reply, CardInput, ReplyOptions } from './reply.js';
