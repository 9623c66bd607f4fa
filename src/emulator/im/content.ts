import type { EmulatorContext } from '../context.js';
import type { ChatRecord, UploadRecord } from '../types.js';
import { DirectoryState } from '../directory/index.js';
import { validateCard } from './card-validate.js';
import { imErrors } from './errors.js';
import { ImState } from './state.js';

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export const MSG_TYPES = ['text', 'post', 'image', 'file', 'audio', 'media', 'sticker', 'interactive', 'share_chat', 'share_user', 'system'] as const;

/** Documented size limits of `content` (bytes of the JSON string). */
const TEXT_LIMIT = 150 * 1024;
const RICH_LIMIT = 30 * 1024;

const POST_TAGS: Record<string, string[]> = {
  text: ['text'],
  a: ['text', 'href'],
  at: ['user_id'],
  img: ['image_key'],
  media: ['file_key'],
  emotion: ['emoji_type'],
  code_block: ['text'],
  hr: [],
  md: ['text'],
};

export interface ContentContext {
  ctx: EmulatorContext;
  appId: string;
  /** The chat the message goes to (share_chat and system depend on it). */
  chat: ChatRecord;
}

/**
 * Checks a send-side `content` string against its `msg_type` the way the platform does
 * (reference §2.3), throwing the platform's error. The content is stored as sent.
 */
export function validateContent(cc: ContentContext, msgType: string, content: string): void {
  if (!(MSG_TYPES as readonly string[]).includes(msgType)) throw imErrors.invalidParam(`unknown msg_type ${JSON.stringify(msgType)}`);
  const bytes = Buffer.byteLength(content);
  if (msgType === 'text' && bytes > TEXT_LIMIT) throw imErrors.tooLong(150);
  if ((msgType === 'post' || msgType === 'interactive') && bytes > RICH_LIMIT) throw imErrors.tooLong(30);
  let c: unknown;
  try {
    c = JSON.parse(content);
  } catch {
    if (msgType === 'interactive') throw imErrors.card(200621, 'parse card json err, please check whether the card json is correct');
    throw imErrors.invalidParam('content is not a valid JSON string');
  }
  if (!isObj(c)) {
    if (msgType === 'interactive') throw imErrors.card(200621, 'parse card json err, the card must be a JSON object');
    throw imErrors.invalidParam('content must be a JSON object');
  }
  switch (msgType) {
    case 'text':
      if (typeof c.text !== 'string') throw imErrors.invalidParam('text content needs {"text": string}');
      return;
    case 'post':
      return validatePost(cc, c);
    case 'image':
      upload(cc, c.image_key, 'image', 'image_key');
      return;
    case 'file':
      upload(cc, c.file_key, 'file', 'file_key');
      return;
    case 'audio':
      if (upload(cc, c.file_key, 'file', 'file_key').type !== 'opus') throw imErrors.typeMismatch('audio messages need an opus file');
      return;
    case 'media':
      if (upload(cc, c.file_key, 'file', 'file_key').type !== 'mp4') throw imErrors.typeMismatch('media messages need an mp4 file');
      if (c.image_key !== undefined && c.image_key !== '') upload(cc, c.image_key, 'image', 'image_key');
      return;
    case 'sticker':
      // Stickers come from messages the bot received; the emulator cannot tell them apart, so any key passes.
      if (typeof c.file_key !== 'string' || c.file_key === '') throw imErrors.invalidParam('sticker content needs {"file_key"}');
      return;
    case 'interactive':
      return validateCard(cc.ctx, c);
    case 'share_chat': {
      const shared = typeof c.chat_id === 'string' ? cc.ctx.slice(ImState).chats.get(c.chat_id) : undefined;
      if (!shared) throw imErrors.invalidParam('share_chat content needs the chat_id of an existing chat');
      if (shared.chat_mode === 'p2p') throw imErrors.p2pNotShareable();
      return;
    }
    case 'share_user':
      if (typeof c.user_id !== 'string' || !cc.ctx.slice(DirectoryState).findUser(c.user_id, 'open_id')) {
        throw imErrors.invalidParam('share_user content needs the open_id of an existing user');
      }
      return;
    case 'system':
      return validateSystem(cc, c);
  }
}

/** An uploaded image/file the app may send: it must exist, be of the right kind and be the app's own. */
function upload(cc: ContentContext, key: unknown, kind: 'image' | 'file', field: string): UploadRecord {
  if (typeof key !== 'string' || key === '') throw imErrors.invalidParam(`content needs ${field}`);
  const u = cc.ctx.slice(ImState).uploads.get(key);
  if (!u || u.kind !== kind) throw imErrors.invalidParam(`${field} ${key} does not exist`);
  if (u.app_id !== cc.appId) throw imErrors.notResourceOwner(key);
  return u;
}

function validatePost(cc: ContentContext, c: Obj): void {
  const locales = Object.keys(c);
  if (locales.length === 0) throw imErrors.invalidParam('post content needs a locale key such as zh_cn or en_us');
  for (const locale of locales) {
    const body = c[locale];
    if (!/^[a-z]{2}_[a-z]{2}$/.test(locale) || !isObj(body)) {
      throw imErrors.invalidParam(`post content must be {"<locale>": {"title", "content"}} (bad key ${JSON.stringify(locale)})`);
    }
    if (body.title !== undefined && typeof body.title !== 'string') throw imErrors.invalidParam(`${locale}.title must be a string`);
    if (!Array.isArray(body.content)) throw imErrors.invalidParam(`${locale}.content must be a list of paragraphs`);
    body.content.forEach((para, i) => {
      if (!Array.isArray(para)) throw imErrors.invalidParam(`${locale}.content[${i}] must be a list of nodes`);
      para.forEach((node, j) => {
        const where = `${locale}.content[${i}][${j}]`;
        if (!isObj(node) || typeof node.tag !== 'string') throw imErrors.invalidParam(`${where} must be an object with a tag`);
        const required = POST_TAGS[node.tag];
        if (!required) throw imErrors.invalidParam(`${where}: unknown tag ${JSON.stringify(node.tag)}`);
        for (const f of required) if (typeof node[f] !== 'string') throw imErrors.invalidParam(`${where}: ${node.tag} needs ${f}`);
        if (node.tag === 'img') upload(cc, node.image_key, 'image', `${where}.image_key`);
        if (node.tag === 'media') {
          upload(cc, node.file_key, 'file', `${where}.file_key`);
          if (typeof node.image_key === 'string' && node.image_key) upload(cc, node.image_key, 'image', `${where}.image_key`);
        }
      });
    });
  }
}

function validateSystem(cc: ContentContext, c: Obj): void {
  if (cc.chat.chat_mode !== 'p2p') throw imErrors.invalidParam('system messages can only be sent to p2p chats');
  const text = isObj(c.params) && isObj(c.params.divider_text) ? c.params.divider_text.text : undefined;
  if (c.type !== 'divider' || typeof text !== 'string') {
    throw imErrors.invalidParam('system content needs {"type":"divider","params":{"divider_text":{"text"}}}');
  }
}

/** Image and file keys a message carries, for the message-resource download (cards excluded, as on the platform). */
export function referencedKeys(msgType: string, content: string): { images: Set<string>; files: Set<string> } {
  const images = new Set<string>();
  const files = new Set<string>();
  let c: unknown;
  try {
    c = JSON.parse(content);
  } catch {
    return { images, files };
  }
  if (!isObj(c)) return { images, files };
  const add = (set: Set<string>, v: unknown) => typeof v === 'string' && v && set.add(v);
  if (msgType === 'image') add(images, c.image_key);
  if (msgType === 'file' || msgType === 'audio' || msgType === 'media') add(files, c.file_key);
  if (msgType === 'media') add(images, c.image_key);
  if (msgType === 'post') {
    const bodies = Array.isArray(c.content) ? [c] : Object.values(c).filter(isObj);
    for (const body of bodies) {
      for (const para of Array.isArray(body.content) ? body.content : []) {
        for (const n of Array.isArray(para) ? para : []) {
          if (!isObj(n)) continue;
          if (n.tag === 'img') add(images, n.image_key);
          if (n.tag === 'media') {
            add(files, n.file_key);
            add(images, n.image_key);
          }
        }
      }
    }
  }
  return { images, files };
}
