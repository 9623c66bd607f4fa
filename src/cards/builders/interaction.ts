import type { Behavior, MultiUrl } from '../types.js';

/**
 * How a component reacts when clicked or changed. `action` is the routing key that
 * `hub.action(key)` matches: it travels back in the callback as `action.value.action`.
 */
export interface InteractionOptions {
  /** Routing key, put into the callback value as `value.action`. */
  action?: string;
  /** More data returned in the callback (merged with `action`). */
  value?: Record<string, unknown> | string;
  /** Link opened on click (buttons, columns). */
  url?: string;
  /** Links per platform; `url` is the fallback. */
  multi_url?: MultiUrl;
  /**
   * Emit the classic fields (`value`, `url`, `multi_url`) instead of `behaviors[]`.
   * Both schemas accept both; classic fields also reach old 1.0 clients.
   */
  legacy?: boolean;
}

/**
 * The callback value for a routing key plus extra data.
 * @example actionValue('deploy.approve', { id: 42 }) // {action:'deploy.approve', id:42}
 */
export function actionValue(action: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { action, ...extra };
}

/**
 * A `callback` behavior (the platform posts `value` to the card callback URL).
 * @example callback({ action: 'ack' }) // {type:'callback', value:{action:'ack'}}
 */
export function callback(value: Record<string, unknown>): Behavior {
  return { type: 'callback', value };
}

/**
 * An `open_url` behavior, with optional per-platform links.
 * @example openUrl('https://ci.example.com/run/7') // {type:'open_url', default_url:'https://ci.example.com/run/7'}
 */
export function openUrl(url: string, perPlatform: Omit<MultiUrl, 'url'> = {}): Behavior {
  return { type: 'open_url', default_url: url, ...perPlatform };
}

function callbackValue(o: InteractionOptions): Record<string, unknown> | string | undefined {
  if (typeof o.value === 'string') return o.action === undefined ? o.value : { action: o.action, value: o.value };
  if (o.action === undefined) return o.value;
  return { action: o.action, ...o.value };
}

/**
 * The JSON fields that implement an interaction: `behaviors[]`, or the classic fields with `legacy`.
 * @example interaction({ action: 'deploy.approve' }) // {behaviors:[{type:'callback', value:{action:'deploy.approve'}}]}
 */
export function interaction(o: InteractionOptions): Record<string, unknown> {
  const value = callbackValue(o);
  if (o.legacy) {
    return {
      ...(value !== undefined && { value }),
      ...(o.url !== undefined && o.multi_url === undefined && { url: o.url }),
      ...(o.multi_url !== undefined && { multi_url: { ...(o.url !== undefined && { url: o.url }), ...o.multi_url } }),
    };
  }
  const behaviors: Behavior[] = [];
  // open_url needs a default_url: the fallback link, else the first per-platform one
  const link = o.url ?? o.multi_url?.url ?? o.multi_url?.pc_url ?? o.multi_url?.ios_url ?? o.multi_url?.android_url;
  if (link !== undefined) {
    const { url: _fallback, ...platforms } = o.multi_url ?? {};
    behaviors.push(openUrl(link, platforms));
  }
  // behaviors carry objects only; a bare string value becomes the routing key.
  if (value !== undefined) behaviors.push(callback(typeof value === 'string' ? { action: value } : value));
  return behaviors.length ? { behaviors } : {};
}
