/**
 * Message content builders: what `msg_type` + `content` a send carries. The IM API wants
 * `content` as a JSON string; these keep it an object until the last moment so the
 * webhook client (which wants an object) can reuse them.
 */
export interface MessageContent {
  msgType: 'text' | 'post' | 'image' | 'file' | 'interactive' | 'share_chat' | 'share_user' | 'audio' | 'media' | 'sticker';
  content: Record<string, unknown>;
}

const escapeXml = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

/**
 * A text message. Use mention() / mentionAll() inside it.
 *
 * @example
 * text(`deploy done ${mention('ou_123', 'Alice')}`)
 */
export function text(t: string): MessageContent {
  return { msgType: 'text', content: { text: t } };
}

/**
 * An @mention for text messages (open_id, user_id or union_id).
 *
 * @example
 * mention('ou_123', 'Alice') // '<at user_id="ou_123">Alice</at>'
 */
export function mention(userId: string, name = ''): string {
  return `<at user_id="${escapeXml(userId)}">${escapeXml(name)}</at>`;
}

/**
 * @all, for text messages in groups that allow it.
 *
 * @example
 * text(`${mentionAll()} the build is red`)
 */
export function mentionAll(label = ''): string {
  return `<at user_id="all">${escapeXml(label)}</at>`;
}

/** An image already uploaded (see Messenger.uploadImage). @example image('img_v2_…') */
export function image(imageKey: string): MessageContent {
  return { msgType: 'image', content: { image_key: imageKey } };
}

/** A file already uploaded (see Messenger.uploadFile). @example file('file_v2_…') */
export function file(fileKey: string): MessageContent {
  return { msgType: 'file', content: { file_key: fileKey } };
}

/** A group's share card. @example shareChat('oc_…') */
export function shareChat(chatId: string): MessageContent {
  return { msgType: 'share_chat', content: { chat_id: chatId } };
}

/** A card template published in the card builder. */
export interface CardTemplate {
  template_id: string;
  /** template_version_name, e.g. "1.0.0" (default: the latest). */
  version?: string;
  variables?: Record<string, unknown>;
}

/**
 * An interactive card: card JSON (schema 1.0 or 2.0) or a template.
 *
 * @example
 * card({ header: { title: { tag: 'plain_text', content: 'Deploy' } }, elements: [] })
 * card({ template_id: 'AAq…', version: '1.0.0', variables: { service: 'api' } })
 */
export function card(c: Record<string, unknown> | CardTemplate): MessageContent {
  if (typeof (c as CardTemplate).template_id === 'string') {
    const t = c as CardTemplate;
    const data: Record<string, unknown> = { template_id: t.template_id };
    if (t.version) data.template_version_name = t.version;
    if (t.variables) data.template_variable = t.variables;
    return { msgType: 'interactive', content: { type: 'template', data } };
  }
  return { msgType: 'interactive', content: c as Record<string, unknown> };
}

/** One node of a rich-text (post) paragraph. */
export type PostNode = Record<string, unknown> & { tag: string };

/** Rich-text nodes for PostBuilder.line(). @example node.link('runbook', 'https://…') */
export const node = {
  text: (t: string, style?: ('bold' | 'italic' | 'underline' | 'lineThrough')[]): PostNode => (style ? { tag: 'text', text: t, style } : { tag: 'text', text: t }),
  link: (t: string, href: string): PostNode => ({ tag: 'a', text: t, href }),
  at: (userId: string, name?: string): PostNode => (name ? { tag: 'at', user_id: userId, user_name: name } : { tag: 'at', user_id: userId }),
  emotion: (emojiType: string): PostNode => ({ tag: 'emotion', emoji_type: emojiType }),
};

/**
 * Builds a post (rich text): paragraphs of text, links and mentions, images, code blocks.
 *
 * @example
 * post('Deploy finished').line('service ', node.text('api', ['bold']), ' by ', node.at('ou_1')).line(node.link('logs', url)).build()
 */
export class PostBuilder {
  private readonly paragraphs: PostNode[][] = [];
  constructor(private readonly title = '', private readonly locale: 'zh_cn' | 'en_us' | 'ja_jp' = 'zh_cn') {}

  /** A paragraph; plain strings become text nodes. */
  line(...parts: (string | PostNode)[]): this {
    this.paragraphs.push(parts.map((p) => (typeof p === 'string' ? node.text(p) : p)));
    return this;
  }

  /** An image paragraph (images stand alone). */
  image(imageKey: string): this {
    this.paragraphs.push([{ tag: 'img', image_key: imageKey }]);
    return this;
  }

  code(code: string, language?: string): this {
    this.paragraphs.push([language ? { tag: 'code_block', language, text: code } : { tag: 'code_block', text: code }]);
    return this;
  }

  hr(): this {
    this.paragraphs.push([{ tag: 'hr' }]);
    return this;
  }

  /** Markdown, converted by Feishu (a paragraph of its own). */
  md(markdown: string): this {
    this.paragraphs.push([{ tag: 'md', text: markdown }]);
    return this;
  }

  build(): MessageContent {
    return { msgType: 'post', content: { [this.locale]: { title: this.title, content: this.paragraphs } } };
  }
}

/** Starts a post. @example post('Title').line('hello').build() */
export function post(title = '', locale: 'zh_cn' | 'en_us' | 'ja_jp' = 'zh_cn'): PostBuilder {
  return new PostBuilder(title, locale);
}
