/**
 * The webhook body → an IM message. The webhook envelope differs from the IM API's
 * (reference §8): `content` is an object, not a JSON string, and cards sit in a
 * top-level `card`. Also collects the text and title values that keywords are checked in.
 */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export const WEBHOOK_MSG_TYPES = ['text', 'post', 'image', 'share_chat', 'interactive'] as const;

export type WebhookMessage =
  | { ok: true; msgType: string; content: string; texts: string[] }
  | { ok: false; code: number; msg: string };

export const BAD_REQUEST = { ok: false, code: 9499, msg: 'Bad Request' } as const;
const BAD_MSG_TYPE = { ok: false, code: 19002, msg: "incorrect input format or can't find msg_type" } as const;

/** Text and title values of a post (hrefs, keys and ids are not checked for keywords). */
function postTexts(post: Obj): string[] {
  const out: string[] = [];
  for (const locale of Object.values(post)) {
    if (!isObj(locale)) continue;
    if (typeof locale.title === 'string') out.push(locale.title);
    for (const para of Array.isArray(locale.content) ? locale.content : []) {
      for (const node of Array.isArray(para) ? para : []) {
        if (isObj(node) && typeof node.text === 'string') out.push(node.text);
      }
    }
  }
  return out;
}

/** Strings a reader sees in a card: text/content/title values, and template variables. */
function cardTexts(v: unknown, key = '', out: string[] = []): string[] {
  if (typeof v === 'string') {
    if (['text', 'content', 'title', 'template_variable'].includes(key)) out.push(v);
  } else if (Array.isArray(v)) {
    for (const x of v) cardTexts(x, key, out);
  } else if (isObj(v)) {
    for (const [k, x] of Object.entries(v)) cardTexts(x, key === 'template_variable' ? key : k, out);
  }
  return out;
}

export function toMessage(body: Obj): WebhookMessage {
  const msgType = body.msg_type;
  if (typeof msgType !== 'string' || !(WEBHOOK_MSG_TYPES as readonly string[]).includes(msgType)) return BAD_MSG_TYPE;
  const c = body.content;
  switch (msgType) {
    case 'text':
      if (!isObj(c) || typeof c.text !== 'string' || c.text === '') return BAD_REQUEST;
      return { ok: true, msgType, content: JSON.stringify({ text: c.text }), texts: [c.text] };
    case 'post': {
      if (!isObj(c) || !isObj(c.post) || Object.keys(c.post).length === 0) return BAD_REQUEST;
      const locales = Object.values(c.post);
      if (locales.some((l) => !isObj(l) || !Array.isArray(l.content) || l.content.some((p) => !Array.isArray(p)))) return BAD_REQUEST;
      return { ok: true, msgType, content: JSON.stringify(c.post), texts: postTexts(c.post) };
    }
    case 'image':
      if (!isObj(c) || typeof c.image_key !== 'string' || c.image_key === '') return BAD_REQUEST;
      return { ok: true, msgType, content: JSON.stringify({ image_key: c.image_key }), texts: [] };
    case 'share_chat':
      if (!isObj(c) || typeof c.share_chat_id !== 'string' || c.share_chat_id === '') return BAD_REQUEST;
      return { ok: true, msgType, content: JSON.stringify({ chat_id: c.share_chat_id }), texts: [] };
    default: {
      // Many senders stringify the card; the platform takes both.
      let card: unknown = body.card;
      if (typeof card === 'string') {
        try {
          card = JSON.parse(card);
        } catch {
          return BAD_REQUEST;
        }
      }
      if (!isObj(card)) return BAD_REQUEST;
      if (card.type === 'template') {
        const data = card.data;
        if (!isObj(data) || typeof data.template_id !== 'string' || data.template_id === '') return BAD_REQUEST;
      }
      return { ok: true, msgType, content: JSON.stringify(card), texts: cardTexts(card) };
    }
  }
}
