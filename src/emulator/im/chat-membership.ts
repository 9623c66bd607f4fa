import type { EmulatorContext } from '../context.js';
import type { ChatRecord, UserRecord } from '../types.js';
import { chatEvents, type Operator } from './chat-events.js';

/**
 * The state changes behind members add/remove, me_join and the control routes, each with
 * the events the platform pushes. Every function ignores ids already in (or not in) the chat
 * and returns what actually changed.
 */

export function addBots(ctx: EmulatorContext, chat: ChatRecord, appIds: string[], op: Operator): string[] {
  const added = appIds.filter((id) => !chat.bots.includes(id));
  chat.bots.push(...added);
  for (const id of added) chatEvents.botAdded(ctx, chat, id, op);
  return added;
}

/** `notify`: the bots told of the new users (default: every bot in the chat). */
export function addUsers(ctx: EmulatorContext, chat: ChatRecord, users: UserRecord[], op: Operator, notify = chat.bots): UserRecord[] {
  const added = users.filter((u, i) => !chat.members.includes(u.open_id) && users.indexOf(u) === i);
  chat.members.push(...added.map((u) => u.open_id));
  chatEvents.usersAdded(ctx, chat, added, op, notify);
  return added;
}

export function removeBots(ctx: EmulatorContext, chat: ChatRecord, appIds: string[], op: Operator): string[] {
  const removed = appIds.filter((id) => chat.bots.includes(id));
  chat.bots = chat.bots.filter((id) => !removed.includes(id));
  dropManagers(chat, 'bot_managers', removed);
  for (const id of removed) chatEvents.botDeleted(ctx, chat, id, op);
  return removed;
}

export function removeUsers(ctx: EmulatorContext, chat: ChatRecord, users: UserRecord[], op: Operator): UserRecord[] {
  const removed = users.filter((u) => chat.members.includes(u.open_id));
  const gone = new Set(removed.map((u) => u.open_id));
  chat.members = chat.members.filter((id) => !gone.has(id));
  dropManagers(chat, 'user_managers', [...gone]);
  chatEvents.usersDeleted(ctx, chat, removed, op);
  return removed;
}

function dropManagers(chat: ChatRecord, key: 'bot_managers' | 'user_managers', ids: string[]): void {
  const list = chat.settings[key] as string[] | undefined;
  if (list) chat.settings[key] = list.filter((id) => !ids.includes(id));
}
