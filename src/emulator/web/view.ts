import type { EmulatorContext } from '../context.js';
import { eventLog } from '../events/index.js';
import type { ChatRecord, MessageRecord } from '../types.js';
import { AuthState } from '../auth/index.js';
import { DirectoryState } from '../directory/index.js';
import { ImState } from '../im/index.js';
import { WebhookBotState } from '../webhook-bot/index.js';
import { clientPages } from './pages.js';
import { summarize } from './summary.js';

/** What the page needs, with names resolved on the server so the client stays a pure renderer. */

const MAX_MESSAGES = 300;
const MAX_CALLS = 300;
const MAX_EVENTS = 150;

export function nameResolver(ctx: EmulatorContext): (id: string) => string | undefined {
  return (id) => {
    const dir = ctx.slice(DirectoryState);
    const u = dir.findUser(id) ?? dir.findUser(id, 'user_id') ?? dir.findUser(id, 'union_id');
    if (u) return u.en_name || u.name;
    for (const a of ctx.slice(AuthState).apps.values()) if (a.botOpenId === id || a.appId === id) return a.botName;
    return undefined;
  };
}

function senderOf(ctx: EmulatorContext, m: MessageRecord) {
  if (m.sender.sender_type === 'user') {
    const u = ctx.slice(DirectoryState).findUser(m.sender.id);
    return { kind: 'user' as const, id: m.sender.id, name: u ? u.en_name || u.name : m.sender.id, avatar: `/__emulator/avatars/${encodeURIComponent(m.sender.id)}?size=80` };
  }
  const app = ctx.slice(AuthState).apps.get(m.sender.id);
  const hook = app ? undefined : [...ctx.slice(WebhookBotState).bots.values()].find((b) => b.chat_id === m.chat_id);
  const name = app?.botName ?? hook?.name ?? 'Custom bot';
  return { kind: 'app' as const, id: m.sender.id, name, avatar: `/__emulator/web/avatar/${encodeURIComponent(m.sender.id)}?name=${encodeURIComponent(name)}` };
}

const parse = (s: string): unknown => {
  try {
    return JSON.parse(s);
  } catch {
    return null;
  }
};

function fileInfo(ctx: EmulatorContext, content: unknown) {
  const key = (content as { file_key?: unknown } | null)?.file_key;
  const u = typeof key === 'string' ? ctx.slice(ImState).uploads.get(key) : undefined;
  return u ? { key: u.key, name: u.file_name ?? u.key, size: u.data.length, type: u.type, duration: u.duration } : undefined;
}

function summaryOf(ctx: EmulatorContext, m: MessageRecord): string {
  if (m.deleted) return 'Message recalled';
  const content = parse(m.content);
  return summarize(m.msg_type, content, nameResolver(ctx), fileInfo(ctx, content)?.name);
}

export function messageView(ctx: EmulatorContext, m: MessageRecord) {
  const content = m.deleted ? null : parse(m.content);
  const parent = m.parent_id ? ctx.slice(ImState).messages.get(m.parent_id) : undefined;
  const shared = m.msg_type === 'share_chat' ? ctx.slice(ImState).chats.get(String((content as { chat_id?: unknown } | null)?.chat_id)) : undefined;
  return {
    message_id: m.message_id,
    msg_type: m.msg_type,
    content,
    sender: senderOf(ctx, m),
    create_time: m.create_time,
    update_time: m.update_time,
    updated: m.updated,
    deleted: m.deleted,
    parent: parent ? { message_id: parent.message_id, sender: senderOf(ctx, parent).name, summary: summaryOf(ctx, parent) } : undefined,
    thread_id: m.thread_id,
    last_toast: m.last_toast,
    file: fileInfo(ctx, content),
    shared_chat: shared ? { chat_id: shared.chat_id, name: shared.name, description: shared.description, members: shared.members.length } : undefined,
  };
}

function chatView(ctx: EmulatorContext, c: ChatRecord, last: MessageRecord | undefined) {
  const user = c.chat_mode === 'p2p' ? ctx.slice(DirectoryState).findUser(c.members[0] ?? '') : undefined;
  const bot = c.chat_mode === 'p2p' ? ctx.slice(AuthState).apps.get(c.bots[0] ?? '') : undefined;
  return {
    chat_id: c.chat_id,
    mode: c.chat_mode,
    name: user ? user.en_name || user.name : c.name || 'Unnamed group',
    /** p2p chats are a user talking with a bot: say which. */
    label: user ? `Direct with ${bot?.botName ?? 'bot'}` : undefined,
    description: c.description,
    avatar: `/__emulator/avatars/${encodeURIComponent(user ? user.open_id : c.chat_id)}?size=80`,
    members: c.members,
    bots: c.bots,
    dissolved: c.status !== 'normal',
    last_time: last?.create_time ?? c.create_time,
    preview: last ? `${senderOf(ctx, last).name}: ${summaryOf(ctx, last)}` : '',
  };
}

export interface ViewQuery {
  chat?: string;
  calls_since?: string;
}

/** The polled snapshot: directory, chat list, the open chat's messages, new API calls and recent deliveries. */
export function webState(ctx: EmulatorContext, q: ViewQuery) {
  const im = ctx.slice(ImState);
  const lastByChat = new Map<string, MessageRecord>();
  const selected: MessageRecord[] = [];
  for (const m of im.messages.values()) {
    const prev = lastByChat.get(m.chat_id);
    if (!prev || prev.create_time <= m.create_time) lastByChat.set(m.chat_id, m);
    if (m.chat_id === q.chat) selected.push(m);
  }
  selected.sort((a, b) => a.create_time - b.create_time);
  const chats = [...im.chats.values()]
    .map((c) => chatView(ctx, c, lastByChat.get(c.chat_id)))
    .sort((a, b) => b.last_time - a.last_time);
  const since = Number(q.calls_since ?? 0) || 0;
  const calls = ctx.calls.since(since).slice(-MAX_CALLS);
  const events = eventLog(ctx)
    .slice(-MAX_EVENTS)
    .map((r) => {
      const last = r.attempts[r.attempts.length - 1];
      return {
        event_id: r.event_id,
        type: r.type,
        kind: r.kind,
        app_id: r.app_id,
        created_at: r.created_at,
        delivered: r.delivered,
        gave_up: r.gave_up,
        attempts: r.attempts.length,
        via: last?.via,
        status: last?.status,
        error: last?.error,
        duration_ms: last?.duration_ms,
      };
    });
  return {
    now: ctx.clock.now(),
    users: ctx.slice(DirectoryState).users.map((u) => ({ open_id: u.open_id, user_id: u.user_id, union_id: u.union_id, email: u.email, name: u.name, en_name: u.en_name, job_title: u.job_title, resigned: Boolean(u.resigned) })),
    bots: [...ctx.slice(AuthState).apps.values()].map((a) => ({ app_id: a.appId, open_id: a.botOpenId, name: a.botName })),
    chats,
    chat_id: q.chat,
    messages: selected.slice(-MAX_MESSAGES).map((m) => messageView(ctx, m)),
    calls,
    events,
    /** The rail's entries: the pages the products declare, with their modules' served URLs. */
    pages: clientPages(ctx),
  };
}
