import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { paginate, requestOptions, type Platform } from '../platform/index.js';
import { Chats } from './chats.js';
import { card as cardContent, file as fileContent, image as imageContent, text as textContent, type CardTemplate, type MessageContent, type PostBuilder } from './content.js';
import { resolveRecipient, type Recipient } from './recipient.js';
import { assertValidCard, cardValidationStats } from '../cards/index.js';
import { fileTypeOf, readSource, type FileType, type UploadSource } from './upload.js';

/** A message as the IM API returns it. */
export interface Message {
  message_id: string;
  root_id?: string;
  parent_id?: string;
  thread_id?: string;
  msg_type: string;
  /** ms epoch, as a string. */
  create_time: string;
  update_time?: string;
  deleted?: boolean;
  updated?: boolean;
  chat_id: string;
  sender?: { id: string; id_type: string; sender_type: string; tenant_key?: string };
  body?: { content: string };
  mentions?: { key: string; id: string; id_type: string; name: string; tenant_key?: string }[];
}

export interface SendOptions {
  /** Deduplication key (≤ 50 chars): the same uuid sends at most one message per hour. Default: a random one per send. */
  uuid?: string;
  /** Cards are validated before they are sent (a rejected card is never sent); false skips that. */
  validate?: boolean;
}

/** Refuses a card the platform would not render, before any request (CardValidationError names the path and rule). */
function checkCard(c: MessageContent, validate: boolean | undefined): void {
  if (c.msgType !== 'interactive' || validate === false) return;
  try {
    assertValidCard(c.content);
  } catch (err) {
    cardValidationStats.record(false);
    throw err;
  }
  cardValidationStats.record(true);
}

export interface HistoryOptions {
  /** From this time (Date, ms epoch, or ISO string). */
  since?: Date | number | string;
  until?: Date | number | string;
  sort?: 'asc' | 'desc';
  /** Stop after this many messages. */
  limit?: number;
  /** `chatId` is a thread id (omt_…). */
  thread?: boolean;
  pageSize?: number;
}

/**
 * A uuid derived from what a send is about, so a retried handler sends the same message once.
 *
 * @example
 * await messenger.sendText(chatId, 'ack', { uuid: uuidFrom(event.event_id, 'ack') })
 */
export function uuidFrom(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 40);
}

const toSeconds = (t: Date | number | string): string => {
  const ms = t instanceof Date ? t.getTime() : typeof t === 'number' ? t : Date.parse(t);
  if (!Number.isFinite(ms)) throw new TypeError(`not a time: ${String(t)}`);
  return String(Math.floor(ms / 1000));
};

/**
 * Sends and manages messages through the platform client (retries, limits, typed errors).
 * Every send carries a uuid, so a retry never duplicates it.
 *
 * @example
 * const messenger = new Messenger(createPlatform());
 * await messenger.sendText('oc_…', `hello ${mention('ou_…', 'Alice')}`);
 */
export class Messenger {
  readonly chats: Chats;

  constructor(readonly platform: Platform, private readonly options: { tenantKey?: string } = {}) {
    this.chats = new Chats(platform, options);
  }

  /** The same messenger for another tenant (store apps). @example messenger.forTenant('tk_1').sendText(...) */
  forTenant(tenantKey: string): Messenger {
    return new Messenger(this.platform, { ...this.options, tenantKey });
  }

  private get sdk() {
    return this.platform.sdk;
  }

  private opts(o: { idempotent?: boolean } = {}) {
    return requestOptions({ tenantKey: this.options.tenantKey, idempotent: o.idempotent });
  }

  /** Sends any content to a chat or person. @example messenger.send('ou_…', text('hi')) */
  async send(to: Recipient, content: MessageContent | PostBuilder, options: SendOptions = {}): Promise<Message> {
    const c = 'build' in content ? content.build() : content;
    checkCard(c, options.validate);
    const { type, id } = resolveRecipient(to);
    const res = await this.sdk.im.v1.message.create(
      { params: { receive_id_type: type }, data: { receive_id: id, msg_type: c.msgType, content: JSON.stringify(c.content), uuid: options.uuid ?? randomUUID() } },
      this.opts(),
    );
    return res.data as Message;
  }

  /** @example messenger.sendText('oc_…', 'deploy done') */
  sendText(to: Recipient, text: string, options?: SendOptions): Promise<Message> {
    return this.send(to, textContent(text), options);
  }

  /** @example messenger.sendCard('oc_…', { template_id: 'AAq…', variables: { n: 1 } }) */
  sendCard(to: Recipient, card: Record<string, unknown> | CardTemplate, options?: SendOptions): Promise<Message> {
    return this.send(to, cardContent(card), options);
  }

  /** Uploads an image (path, bytes or stream) and sends it. @example messenger.sendImage('oc_…', './chart.png') */
  async sendImage(to: Recipient, source: UploadSource, options?: SendOptions): Promise<Message> {
    return this.send(to, imageContent(await this.uploadImage(source)), options);
  }

  /** Uploads a file and sends it. @example messenger.sendFile('oc_…', './report.pdf') */
  async sendFile(to: Recipient, source: UploadSource, options: SendOptions & { fileName?: string; fileType?: FileType } = {}): Promise<Message> {
    return this.send(to, fileContent(await this.uploadFile(source, options)), options);
  }

  /** Replies to a message (in its thread with `inThread`). @example messenger.reply('om_…', text('on it')) */
  async reply(messageId: string, content: MessageContent | PostBuilder, options: SendOptions & { inThread?: boolean } = {}): Promise<Message> {
    const c = 'build' in content ? content.build() : content;
    checkCard(c, options.validate);
    const res = await this.sdk.im.v1.message.reply(
      {
        path: { message_id: messageId },
        data: { msg_type: c.msgType, content: JSON.stringify(c.content), reply_in_thread: options.inThread ?? false, uuid: options.uuid ?? randomUUID() },
      },
      this.opts(),
    );
    return res.data as Message;
  }

  /** Edits a text or post message the bot sent. @example messenger.update('om_…', text('fixed typo')) */
  async update(messageId: string, content: MessageContent | PostBuilder): Promise<Message> {
    const c = 'build' in content ? content.build() : content;
    const res = await this.sdk.im.v1.message.update({ path: { message_id: messageId }, data: { msg_type: c.msgType, content: JSON.stringify(c.content) } }, this.opts());
    return res.data as Message;
  }

  /** Replaces a card the bot sent (it needs `config.update_multi: true`). @example messenger.patch('om_…', newCard) */
  async patch(messageId: string, card: Record<string, unknown> | CardTemplate, options: Pick<SendOptions, 'validate'> = {}): Promise<void> {
    const c = cardContent(card);
    checkCard(c, options.validate);
    // Patching to the same card twice is harmless, so it may be retried.
    await this.sdk.im.v1.message.patch({ path: { message_id: messageId }, data: { content: JSON.stringify(c.content) } }, this.opts({ idempotent: true }));
  }

  /** Recalls (deletes) a message. @example await messenger.recall('om_…') */
  async recall(messageId: string): Promise<void> {
    await this.sdk.im.v1.message.delete({ path: { message_id: messageId } }, this.opts());
  }

  /** One message. @example (await messenger.get('om_…')).body?.content */
  async get(messageId: string): Promise<Message> {
    const res = await this.sdk.im.v1.message.get({ path: { message_id: messageId } }, this.opts());
    const item = res.data?.items?.[0] as Message | undefined;
    if (!item) throw new Error(`message ${messageId} came back empty`);
    return item;
  }

  /**
   * The messages of a chat (or thread), oldest first by default; a failed page throws.
   *
   * @example
   * for await (const m of messenger.history('oc_…', { since: Date.now() - 3600_000 })) console.log(m.body?.content);
   */
  async *history(chatId: string, o: HistoryOptions = {}): AsyncGenerator<Message> {
    const params = {
      container_id_type: o.thread ? 'thread' : 'chat',
      container_id: chatId,
      start_time: o.since === undefined ? undefined : toSeconds(o.since),
      end_time: o.until === undefined ? undefined : toSeconds(o.until),
      sort_type: (o.sort === 'desc' ? 'ByCreateTimeDesc' : 'ByCreateTimeAsc') as 'ByCreateTimeAsc' | 'ByCreateTimeDesc',
      page_size: o.pageSize ?? 50,
    };
    let n = 0;
    if (o.limit !== undefined && o.limit <= 0) return;
    for await (const m of paginate<Message>((page_token) => this.sdk.im.v1.message.list({ params: { ...params, page_token } }, this.opts()) as never)) {
      yield m;
      if (o.limit !== undefined && ++n >= o.limit) return;
    }
  }

  /**
   * Downloads an image or file attached to a message, as a stream.
   *
   * @example
   * const { stream } = await messenger.download('om_…', 'file_v2_…', 'file'); stream.pipe(createWriteStream('out.pdf'));
   */
  async download(messageId: string, fileKey: string, type: 'image' | 'file'): Promise<{ stream: Readable; contentType?: string; headers: Record<string, string>; saveTo(path: string): Promise<void> }> {
    const res = await this.sdk.im.v1.messageResource.get({ path: { message_id: messageId, file_key: fileKey }, params: { type } }, this.opts());
    const stream = res.getReadableStream() as Readable;
    const headers = (res.headers ?? {}) as Record<string, string>;
    return { stream, headers, contentType: headers['content-type'], saveTo: (path) => pipeline(stream, createWriteStream(path)) };
  }

  /** Uploads an image for messages (or `avatar`); answers its image_key. @example await messenger.uploadImage(buffer) */
  async uploadImage(source: UploadSource, imageType: 'message' | 'avatar' = 'message'): Promise<string> {
    const { bytes } = await readSource(source, 'image');
    // A repeated upload only leaves an unused key behind, so uploads may be retried.
    const res = await this.sdk.im.v1.image.create({ data: { image_type: imageType, image: bytes } }, this.opts({ idempotent: true }));
    if (!res?.image_key) throw new Error('image upload answered without an image_key');
    return res.image_key;
  }

  /** Uploads a file (type from the extension unless given); answers its file_key. @example await messenger.uploadFile('./a.pdf') */
  async uploadFile(source: UploadSource, o: { fileName?: string; fileType?: FileType; durationMs?: number } = {}): Promise<string> {
    const { bytes, name } = await readSource(source, o.fileName ?? 'file');
    const fileName = o.fileName ?? name;
    const res = await this.sdk.im.v1.file.create(
      { data: { file_type: o.fileType ?? fileTypeOf(fileName), file_name: fileName, duration: o.durationMs, file: bytes } },
      this.opts({ idempotent: true }),
    );
    if (!res?.file_key) throw new Error('file upload answered without a file_key');
    return res.file_key;
  }
}
