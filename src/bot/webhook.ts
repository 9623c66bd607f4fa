import { createHmac } from 'node:crypto';
import type { Logger } from '../config/index.js';
import { FeishuApiError, PlatformLimiter, createTokenlessClient, type RetryOptions } from '../platform/index.js';
import { card as cardContent, text as textContent, type CardTemplate, type MessageContent, type PostBuilder } from './content.js';

/** A custom bot's limit: 5/s and 100/min per bot. */
const WEBHOOK_LIMIT = { perSecond: 5, perMinute: 100 };

export interface WebhookBotOptions {
  /** The bot's webhook URL, …/open-apis/bot/v2/hook/<token>. */
  url: string;
  /** The signing secret, when "signature verification" is on. */
  secret?: string;
  /** The bot's keywords, when "custom keywords" is on: a message without one is refused before sending. */
  keywords?: string[];
  timeoutMs?: number;
  /** Only refusals by the rate limit are retried: a webhook send has no idempotency key. */
  retry?: RetryOptions | false;
  /** Share the 5/s & 100/min budget between bots objects (or replicas, with a Redis-backed limiter). */
  limiter?: PlatformLimiter;
  logger?: Logger;
}

/**
 * sign = base64(HMAC-SHA256(key = `${timestamp}\n${secret}`, message = "")) — the string is the key.
 *
 * @example
 * webhookSign('1700000000', 'secret')
 */
export function webhookSign(timestamp: string, secret: string): string {
  return createHmac('sha256', `${timestamp}\n${secret}`).update('').digest('base64');
}

/**
 * The webhook envelope: `content` is an object (not a string) and cards go in `card`.
 *
 * @example
 * webhookBody(text('hi')) // { msg_type: 'text', content: { text: 'hi' } }
 */
export function webhookBody(c: MessageContent): Record<string, unknown> {
  switch (c.msgType) {
    case 'interactive':
      return { msg_type: 'interactive', card: c.content };
    case 'post':
      return { msg_type: 'post', content: { post: c.content } };
    case 'share_chat':
      return { msg_type: 'share_chat', content: { share_chat_id: c.content.chat_id } };
    case 'text':
    case 'image':
      return { msg_type: c.msgType, content: c.content };
    default:
      throw new TypeError(`custom bots cannot send ${c.msgType} messages (text, post, image, share_chat, interactive only)`);
  }
}

/** The strings Feishu checks keywords in: text, titles, and card text. */
function visibleTexts(v: unknown, key = '', out: string[] = []): string[] {
  if (typeof v === 'string') {
    if (['text', 'content', 'title'].includes(key) || key === 'template_variable') out.push(v);
  } else if (Array.isArray(v)) {
    for (const x of v) visibleTexts(x, key, out);
  } else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) visibleTexts(x, key === 'template_variable' ? key : k, out);
  }
  return out;
}

/**
 * A custom group bot (incoming webhook): signed sends, keyword check, the bot's 5/s & 100/min
 * limit on our side, and failures as FeishuApiError.
 *
 * @example
 * const bot = new WebhookBot({ url: process.env.HOOK_URL!, secret: process.env.HOOK_SECRET });
 * await bot.text('build is green');
 */
export class WebhookBot {
  private readonly client: ReturnType<typeof createTokenlessClient>;
  private readonly limiter: PlatformLimiter;
  private readonly key: string;

  constructor(private readonly options: WebhookBotOptions) {
    const m = /^https?:\/\/[^/]+\/open-apis\/bot\/v2\/hook\/([^/?#]+)$/.exec(options.url);
    if (!m) throw new TypeError('a custom bot URL looks like https://open.feishu.cn/open-apis/bot/v2/hook/<token>');
    this.key = `webhook:${m[1]}`;
    this.limiter = options.limiter ?? new PlatformLimiter({ holdMs: options.timeoutMs ?? 10_000 });
    this.client = createTokenlessClient({
      timeoutMs: options.timeoutMs,
      retry: options.retry === false ? false : { retries: 0, ...options.retry },
      logger: options.logger,
    });
  }

  /** Sends any content (text, post, image, share_chat, interactive). @example await bot.send(post('Deploy').line('done')) */
  async send(content: MessageContent | PostBuilder): Promise<void> {
    const c = 'build' in content ? content.build() : content;
    const body = webhookBody(c);
    const keywords = this.options.keywords ?? [];
    if (keywords.length > 0) {
      const texts = visibleTexts(body);
      if (!texts.some((t) => keywords.some((k) => t.includes(k)))) {
        throw new FeishuApiError({
          code: 19024,
          msg: `Key Words Not Found (checked before sending: the message contains none of ${keywords.map((k) => JSON.stringify(k)).join(', ')})`,
          httpStatus: 0,
          method: 'POST',
          path: '/open-apis/bot/v2/hook/:token',
        });
      }
    }
    if (this.options.secret) {
      const timestamp = String(Math.floor(Date.now() / 1000));
      body.timestamp = timestamp;
      body.sign = webhookSign(timestamp, this.options.secret);
    }
    const permit = await this.limiter.acquire(this.key, WEBHOOK_LIMIT);
    try {
      await this.client.request({ method: 'POST', url: this.options.url, data: body });
    } finally {
      await permit.release();
    }
  }

  /** @example await bot.text(`${mentionAll()} deploy starts`) */
  text(t: string): Promise<void> {
    return this.send(textContent(t));
  }

  /** @example await bot.card({ template_id: 'AAq…', variables: { n: 1 } }) */
  card(c: Record<string, unknown> | CardTemplate): Promise<void> {
    return this.send(cardContent(c));
  }
}
