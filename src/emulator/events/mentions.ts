import { createHash } from 'node:crypto';
import type { EmulatorContext } from '../context.js';
import { AuthState } from '../auth/index.js';
import { DirectoryState } from '../directory/index.js';
import type { ChatRecord } from '../types.js';

/** Someone a user can @-mention in a chat: a member or one of the chat's bots. */
export interface Mentionable {
  kind: 'user' | 'bot';
  name: string;
  open_id: string;
  union_id: string;
  /** Bots have no user_id. */
  user_id: string;
  tenant_key: string;
  /** Other names that @-mention it (a member's English name). */
  aliases: string[];
}

export interface ParsedMention {
  key: string;
  who: Mentionable;
}

/** A bot's union_id is not stored; derive a stable one so mentions carry all three ids. */
const botUnionId = (appId: string) => `on_${createHash('sha256').update(`bot-union:${appId}`).digest('hex').slice(0, 32)}`;

/** The people and bots of a chat, as mention targets. */
export function mentionables(ctx: EmulatorContext, chat: ChatRecord): Mentionable[] {
  const out: Mentionable[] = [];
  for (const appId of chat.bots) {
    const app = ctx.slice(AuthState).apps.get(appId);
    if (app) out.push({ kind: 'bot', name: app.botName, open_id: app.botOpenId, union_id: botUnionId(app.appId), user_id: '', tenant_key: chat.tenant_key, aliases: [] });
  }
  for (const openId of chat.members) {
    const u = ctx.slice(DirectoryState).findUser(openId);
    if (u) out.push({ kind: 'user', name: u.name, open_id: u.open_id, union_id: u.union_id, user_id: u.user_id, tenant_key: u.tenant_key, aliases: [u.en_name] });
  }
  return out;
}

const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Turns what a user typed into the two forms the platform uses: the stored send-side text
 * (`<at user_id="ou_…">Name</at>`) and the receive-side text of events (`@_user_1`), plus
 * the mentions in order. Understands `<at user_id="…">`, `@_bot` (the chat's first bot),
 * `@_all`/`@all`, and `@Name` for the chat's bots and members (Chinese or English name).
 */
export function parseMentions(text: string, targets: Mentionable[]): { sendText: string; receiveText: string; mentions: ParsedMention[] } {
  const byName: [string, Mentionable][] = targets.flatMap((t) => [t.name, ...t.aliases].filter(Boolean).map((n) => [n, t] as [string, Mentionable]));
  const names = byName.map(([n]) => n).sort((a, b) => b.length - a.length);
  const nameAlt = names.length ? `|@(${names.map(escapeRe).join('|')})` : '';
  const re = new RegExp(`<at\\s+user_id="([^"]*)"\\s*>([^<]*)</at>|@_bot\\b|@_?all\\b${nameAlt}`, 'g');
  const mentions: ParsedMention[] = [];
  let sendText = '';
  let receiveText = '';
  let last = 0;
  for (const m of text.matchAll(re)) {
    sendText += text.slice(last, m.index);
    receiveText += text.slice(last, m.index);
    last = m.index! + m[0].length;
    let who: Mentionable | undefined;
    if (m[1] !== undefined) {
      const id = m[1];
      if (id === 'all') who = undefined;
      else who = targets.find((t) => t.open_id === id || t.union_id === id || (t.user_id !== '' && t.user_id === id));
      if (!who && id !== 'all') {
        // Unknown id: the client shows the name as plain text.
        sendText += m[0];
        receiveText += `@${m[2]}`;
        continue;
      }
    } else if (m[0] === '@_bot') {
      who = targets.find((t) => t.kind === 'bot');
    } else if (m[3] !== undefined) {
      who = byName.find(([n]) => n === m[3])?.[1];
    }
    if (!who) {
      if (m[0] === '@_bot') {
        sendText += m[0];
        receiveText += m[0];
        continue;
      }
      sendText += '<at user_id="all"></at>';
      receiveText += '@_all';
      continue;
    }
    const key = `@_user_${mentions.length + 1}`;
    mentions.push({ key, who });
    sendText += `<at user_id="${who.open_id}">${who.name}</at>`;
    receiveText += key;
  }
  sendText += text.slice(last);
  receiveText += text.slice(last);
  return { sendText, receiveText, mentions };
}
