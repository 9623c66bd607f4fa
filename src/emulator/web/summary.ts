/** One-line summaries of messages, for the chat list and reply quotes (like Feishu's "[Image]"). */

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The text of a plain_text/lark_md object, preferring English like an en_us client. */
export function textOf(t: unknown): string {
  if (typeof t === 'string') return t;
  if (!isObj(t)) return '';
  if (typeof t.content === 'string' && t.content !== '') return t.content;
  const i18n = isObj(t.i18n) ? t.i18n : isObj(t.i18n_content) ? t.i18n_content : undefined;
  const v = i18n && (i18n.en_us ?? i18n.zh_cn ?? Object.values(i18n)[0]);
  return typeof v === 'string' ? v : '';
}

/** Plain text of a text message's send-side markup. */
export function plainText(text: string, nameOf: (id: string) => string | undefined): string {
  return text
    .replace(/<at\s+user_id="([^"]*)"\s*>([^<]*)<\/at>/g, (_m, id: string, name: string) => (id === 'all' ? '@All' : `@${nameOf(id) ?? name}`))
    .replace(/\[([^\]]*)\]\(([^)]*)\)/g, '$1')
    .replace(/\*\*([^*]+)\*\*/g, '$1')
    .replace(/<\/?(i|u|s|b)>/g, '');
}

function postTitle(c: Obj): string {
  const body = (['en_us', 'zh_cn', 'ja_jp'].map((k) => c[k]).find(isObj) as Obj | undefined) ?? c;
  if (typeof body.title === 'string' && body.title) return body.title;
  const first = Array.isArray(body.content) ? (body.content as unknown[][]).flat() : [];
  return first
    .filter(isObj)
    .map((n) => (typeof n.text === 'string' ? n.text : ''))
    .join('')
    .trim();
}

function cardTitle(c: Obj): string {
  if (c.type === 'template') return '';
  const header = isObj(c.header) ? c.header : isObj(c.i18n_header) ? (Object.values(c.i18n_header).find(isObj) as Obj | undefined) : undefined;
  return header ? textOf(header.title) : '';
}

/** A summary such as "[Card] Approval request" or the text itself. */
export function summarize(msgType: string, content: unknown, nameOf: (id: string) => string | undefined, fileName?: string): string {
  const c = isObj(content) ? content : {};
  switch (msgType) {
    case 'text':
      return plainText(typeof c.text === 'string' ? c.text : '', nameOf);
    case 'post':
      return `[Post] ${postTitle(c)}`.trim();
    case 'image':
      return '[Image]';
    case 'file':
      return `[File] ${fileName ?? ''}`.trim();
    case 'audio':
      return '[Voice]';
    case 'media':
      return '[Video]';
    case 'sticker':
      return '[Sticker]';
    case 'interactive':
      return `[Card] ${cardTitle(c)}`.trim();
    case 'share_chat':
      return '[Group card]';
    case 'share_user':
      return '[Contact card]';
    case 'system': {
      const params = isObj(c.params) ? c.params : {};
      const d = isObj(params.divider_text) ? params.divider_text : {};
      const i18n = isObj(d.i18n_text) ? d.i18n_text : {};
      return String(i18n.en_US || d.text || '') || '[System message]';
    }
    default:
      return `[${msgType}]`;
  }
}
