import type { EmulatorContext } from '../context.js';
import { AuthState } from '../auth/index.js';
import { DirectoryState } from '../directory/index.js';
import type { MessageRecord } from '../types.js';

export type Mention = MessageRecord['mentions'][number];
export type RichNode = Record<string, unknown> & { tag: string };

/**
 * Hands out the `@_user_N` placeholders of the receive-side content, in the order
 * the mentions appear, and keeps the `mentions[]` entries (ids as open_ids).
 */
export class MentionCollector {
  readonly mentions: Mention[] = [];

  constructor(private readonly ctx: EmulatorContext) {}

  /** The placeholder and display name for an @ of `id`, or undefined if nobody has that id. */
  add(id: string, fallbackName = ''): { key: string; name: string } | undefined {
    if (id === 'all') return { key: '@_all', name: fallbackName || '所有人' };
    const dir = this.ctx.slice(DirectoryState);
    const user = dir.findUser(id, 'open_id') ?? dir.findUser(id, 'union_id') ?? dir.findUser(id, 'user_id');
    const bot = user ? undefined : [...this.ctx.slice(AuthState).apps.values()].find((a) => a.botOpenId === id);
    if (!user && !bot) return undefined;
    const key = `@_user_${this.mentions.length + 1}`;
    const name = user ? user.name : bot!.botName;
    this.mentions.push({ key, id: user ? user.open_id : bot!.botOpenId, id_type: 'open_id', name, tenant_key: user?.tenant_key ?? dir.tenantKey });
    return { key, name };
  }
}

/** `<at user_id="ou_x">Name</at>` (messages) and `<at id=ou_x></at>` (card markdown). */
const AT_TAG = /<at\s+(?:user_id|id|open_id)\s*=\s*["']?([^"'\s>]+)["']?\s*>(.*?)<\/at>/g;

/** Rewrites the @-tags of a text message into `@_user_N` placeholders; unknown ids stay as plain `@Name`. */
export function replaceAtTags(text: string, mentions: MentionCollector): string {
  return text.replace(AT_TAG, (_all, id: string, name: string) => {
    const m = mentions.add(id, name);
    return m ? m.key : `@${name || id}`;
  });
}

/**
 * A light markdown reader for `md` post nodes and card markdown, which the platform
 * turns into plain tags on read: links, @-mentions and bold; everything else is text.
 * One paragraph per non-empty line.
 */
export function mdToParagraphs(md: string, mentions: MentionCollector): RichNode[][] {
  const token = /\[([^\]]+)\]\(([^)\s]+)\)|<at\s+(?:user_id|id|open_id)\s*=\s*["']?([^"'\s>]+)["']?\s*>(.*?)<\/at>|\*\*(.+?)\*\*/g;
  const paragraphs: RichNode[][] = [];
  for (const line of md.split('\n')) {
    if (line.trim() === '') continue;
    const nodes: RichNode[] = [];
    let last = 0;
    for (const m of line.matchAll(token)) {
      if (m.index > last) nodes.push({ tag: 'text', text: line.slice(last, m.index) });
      if (m[1] !== undefined) nodes.push({ tag: 'a', href: m[2], text: m[1] });
      else if (m[3] !== undefined) nodes.push(atNode(m[3], m[4] ?? '', mentions));
      else nodes.push({ tag: 'text', text: m[5], style: ['bold'] });
      last = m.index + m[0].length;
    }
    if (last < line.length) nodes.push({ tag: 'text', text: line.slice(last) });
    paragraphs.push(nodes);
  }
  return paragraphs;
}

/** The receive-side `at` node: `user_id` becomes the placeholder, `user_name` the person's name. */
export function atNode(id: string, name: string, mentions: MentionCollector, style?: unknown): RichNode {
  const m = mentions.add(id, name);
  if (!m) return { tag: 'text', text: `@${name || id}` };
  return { tag: 'at', user_id: m.key, user_name: m.name, ...(Array.isArray(style) ? { style } : {}) };
}

/** Text styles that text messages accept on send and drop on read. */
export function stripTextStyles(text: string): string {
  let out = text;
  for (let i = 0; i < 3; i++) out = out.replace(/<(b|i|u|s)>([\s\S]*?)<\/\1>/g, '$2');
  return out.replace(/\*\*([^*\n]+?)\*\*/g, '$1');
}
