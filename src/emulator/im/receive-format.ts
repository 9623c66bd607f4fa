import type { EmulatorContext } from '../context.js';
import { cardReceiveContent } from './card-receive.js';
import { atNode, mdToParagraphs, MentionCollector, replaceAtTags, stripTextStyles, type Mention, type RichNode } from './rich-text.js';
import { ImState } from './state.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface ReceiveView {
  /** The receive-side content (JSON string), as get/list and events show it. */
  content: string;
  /** Mentions in order of their `@_user_N` keys; ids are open_ids. */
  mentions: Mention[];
}

/** Locales in the order the platform falls back through when a post carries several. */
const LOCALE_ORDER = ['zh_cn', 'en_us', 'ja_jp'];

/**
 * Turns send-side content into what readers of the message get (reference §2.4):
 * text @-tags become `@_user_N` with `mentions[]`, styles drop; a post loses its
 * locale wrapper and `md` nodes; cards are simplified; files gain their names.
 * Content that is not JSON (or of a type the emulator does not convert) passes through.
 */
export function receiveView(ctx: EmulatorContext, msgType: string, content: string): ReceiveView {
  const mentions = new MentionCollector(ctx);
  let parsed: unknown;
  try {
    parsed = JSON.parse(content);
  } catch {
    return { content, mentions: [] };
  }
  if (!isObj(parsed)) return { content, mentions: [] };
  const out = convert(ctx, msgType, parsed, mentions);
  return { content: out === undefined ? content : JSON.stringify(out), mentions: mentions.mentions };
}

function convert(ctx: EmulatorContext, msgType: string, c: Obj, mentions: MentionCollector): Obj | undefined {
  const upload = (key: unknown) => (typeof key === 'string' ? ctx.slice(ImState).uploads.get(key) : undefined);
  switch (msgType) {
    case 'text':
      return { text: stripTextStyles(replaceAtTags(String(c.text ?? ''), mentions)) };
    case 'post':
      return postReceive(c, mentions);
    case 'interactive':
      return cardReceiveContent(c, mentions);
    case 'image':
      return { image_key: c.image_key };
    case 'file':
      return { file_key: c.file_key, file_name: upload(c.file_key)?.file_name ?? '' };
    case 'audio':
      return { file_key: c.file_key, duration: upload(c.file_key)?.duration ?? 0 };
    case 'media': {
      const f = upload(c.file_key);
      return { file_key: c.file_key, image_key: c.image_key ?? '', file_name: f?.file_name ?? '', duration: f?.duration ?? 0 };
    }
    case 'sticker':
      return { file_key: c.file_key };
    case 'share_chat':
      return { chat_id: c.chat_id };
    case 'share_user':
      return { user_id: c.user_id };
    case 'system':
      return systemReceive(c);
    default:
      return undefined;
  }
}

/** Picks one locale of a send-side post; a post that already has no wrapper is read as it is. */
function postBody(c: Obj): Obj {
  if (Array.isArray(c.content)) return c;
  for (const l of LOCALE_ORDER) if (isObj(c[l])) return c[l] as Obj;
  const first = Object.values(c).find(isObj);
  return first ?? {};
}

function postReceive(c: Obj, mentions: MentionCollector): Obj {
  const body = postBody(c);
  const paragraphs: RichNode[][] = [];
  for (const para of Array.isArray(body.content) ? body.content : []) {
    if (!Array.isArray(para)) continue;
    let row: RichNode[] = [];
    for (const node of para) {
      if (!isObj(node) || typeof node.tag !== 'string') continue;
      if (node.tag === 'md') {
        // md becomes ordinary paragraphs of its own.
        if (row.length) paragraphs.push(row);
        row = [];
        paragraphs.push(...mdToParagraphs(String(node.text ?? ''), mentions));
        continue;
      }
      row.push(postNode(node as RichNode, mentions));
    }
    if (row.length) paragraphs.push(row);
  }
  return { title: typeof body.title === 'string' ? body.title : '', content: paragraphs };
}

function postNode(n: RichNode, mentions: MentionCollector): RichNode {
  const style = Array.isArray(n.style) ? { style: n.style } : {};
  switch (n.tag) {
    case 'text':
      return { tag: 'text', text: String(n.text ?? ''), ...(n.un_escape === true ? { un_escape: true } : {}), ...style };
    case 'a':
      return { tag: 'a', href: String(n.href ?? ''), text: String(n.text ?? ''), ...style };
    case 'at':
      return atNode(String(n.user_id ?? ''), String(n.user_name ?? ''), mentions, n.style);
    case 'img':
      return { tag: 'img', image_key: n.image_key };
    case 'media':
      return { tag: 'media', file_key: n.file_key, image_key: n.image_key ?? '' };
    case 'emotion':
      return { tag: 'emotion', emoji_type: n.emoji_type };
    case 'code_block':
      return { tag: 'code_block', language: n.language ?? '', text: n.text };
    default:
      return { ...n };
  }
}

/** `{type:"divider", params:{divider_text}}` as sent → the template form readers get. */
function systemReceive(c: Obj): Obj {
  if (typeof c.template === 'string') return c;
  const params = isObj(c.params) ? c.params : {};
  const divider = isObj(params.divider_text) ? params.divider_text : {};
  const i18n = isObj(divider.i18n_text) ? Object.fromEntries(Object.entries(divider.i18n_text).map(([k, v]) => [k.toLowerCase(), v])) : undefined;
  return {
    template: '{divider_text}',
    from_user: [],
    to_chatters: [],
    divider_text: { text: divider.text ?? '', ...(i18n ? { i18n_text: i18n } : {}) },
  };
}
