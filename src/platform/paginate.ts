import { FeishuApiError } from './errors.js';

/** One page as the list APIs answer it (`data` of the envelope, or the envelope itself). */
export interface Page<T> {
  items?: T[];
  has_more?: boolean;
  page_token?: string;
  [key: string]: unknown;
}

/**
 * Iterates every item of a paginated API, page after page. Unlike the SDK's `*WithIterator`,
 * a failed page throws (our http instance raises FeishuApiError) instead of ending the loop silently.
 *
 * @example
 * for await (const chat of paginate((page_token) => platform.sdk.im.v1.chat.list({ params: { page_token } }))) console.log(chat);
 */
export async function* paginate<T = Record<string, unknown>>(
  fetchPage: (pageToken: string | undefined) => Promise<Page<T> | { code?: number; msg?: string; data?: Page<T> } | undefined | null>,
  options: { itemsKey?: string; maxPages?: number } = {},
): AsyncGenerator<T, void, undefined> {
  let token: string | undefined;
  const seen = new Set<string>();
  for (let n = 0; n < (options.maxPages ?? Infinity); n++) {
    const res = await fetchPage(token);
    if (!res) throw new FeishuApiError({ code: -3, msg: 'a page request returned nothing', httpStatus: 0, method: '', path: '' });
    const envelope = res as { code?: number; msg?: string; data?: Page<T> };
    if (typeof envelope.code === 'number' && envelope.code !== 0) {
      throw new FeishuApiError({ code: envelope.code, msg: envelope.msg ?? 'page request failed', httpStatus: 200, method: '', path: '' });
    }
    const page: Page<T> = (typeof envelope.code === 'number' ? envelope.data : (res as Page<T>)) ?? {};
    const items = (page[options.itemsKey ?? 'items'] as T[] | undefined) ?? [];
    for (const item of items) yield item;
    const next = page.page_token;
    if (!page.has_more || !next) return;
    // A server answering the same token forever would loop us forever.
    if (seen.has(next)) throw new FeishuApiError({ code: -3, msg: `page_token ${next} repeated`, httpStatus: 200, method: '', path: '' });
    seen.add(next);
    token = next;
  }
}
