import type { InboxSource } from '../store/index.js';

export type EventSource = InboxSource;

/**
 * An event from Feishu, whatever the envelope (v1 `event_callback` or v2 `schema: "2.0"`) and
 * whatever the transport (webhook, long connection, replay).
 */
export interface InboundEvent {
  /** Dedup key: v2 `header.event_id`, v1 `uuid`. */
  id: string;
  /** v2 `header.event_type`, v1 `event.type` (e.g. `im.message.receive_v1`, `approval_instance`). */
  type: string;
  schema: 'v1' | 'v2';
  tenantKey?: string;
  appId?: string;
  /** When Feishu created the event, epoch ms (v2 `create_time` may be ms or µs; v1 `ts` is seconds). */
  createTime?: number;
  /** The decrypted envelope as Feishu sent it, with the verification token blanked (a secret, checked on receipt). */
  payload: Record<string, unknown>;
  source: EventSource;
}

/** What a card callback handler gets: the decrypted callback, new (v2) or old (flat) format. */
export interface CardAction {
  schema: 'v2' | 'v1';
  /** v2 `header.event_id`; the old format has none (its `X-Refresh-Token` header is used if present). */
  id?: string;
  appId?: string;
  tenantKey?: string;
  /** The decrypted body: `{schema, header, event}` (v2) or `{open_id, action, …}` (old). */
  payload: Record<string, unknown>;
}

/** What the card handler answers: `{}` (no change), `{toast}`, `{card}`, or an old-style card JSON. */
export type CardActionResponse = Record<string, unknown>;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Converts `create_time`/`ts` to epoch ms: v2 strings may be ms or µs, v1 `ts` is seconds with a fraction. */
export function toEpochMs(value: unknown, unit: 'auto' | 'seconds' = 'auto'): number | undefined {
  const n = typeof value === 'string' ? Number(value) : typeof value === 'number' ? value : NaN;
  if (!Number.isFinite(n) || n <= 0) return undefined;
  if (unit === 'seconds') return Math.round(n * 1000);
  if (n > 1e14) return Math.floor(n / 1000); // µs
  if (n < 1e11) return Math.round(n * 1000); // s
  return Math.floor(n);
}

/**
 * Reads a decrypted envelope into an InboundEvent; undefined when it is neither a v2 event
 * (`schema` + `header.event_id` + `header.event_type`) nor a v1 `event_callback` (`uuid` + `event.type`).
 *
 * @example toInboundEvent(JSON.parse(plaintext), 'webhook')?.type // 'im.message.receive_v1'
 */
export function toInboundEvent(envelope: unknown, source: EventSource): InboundEvent | undefined {
  if (!isObject(envelope)) return undefined;
  if (envelope.schema !== undefined) {
    const header = envelope.header;
    if (!isObject(header) || typeof header.event_id !== 'string' || !header.event_id || typeof header.event_type !== 'string' || !header.event_type) return undefined;
    return {
      id: header.event_id,
      type: header.event_type,
      schema: 'v2',
      tenantKey: typeof header.tenant_key === 'string' ? header.tenant_key : undefined,
      appId: typeof header.app_id === 'string' ? header.app_id : undefined,
      createTime: toEpochMs(header.create_time),
      payload: envelope,
      source,
    };
  }
  if (envelope.type === 'event_callback') {
    const event = envelope.event;
    if (typeof envelope.uuid !== 'string' || !envelope.uuid || !isObject(event) || typeof event.type !== 'string' || !event.type) return undefined;
    return {
      id: envelope.uuid,
      type: event.type,
      schema: 'v1',
      tenantKey: typeof event.tenant_key === 'string' ? event.tenant_key : undefined,
      appId: typeof event.app_id === 'string' ? event.app_id : undefined,
      createTime: toEpochMs(envelope.ts, 'seconds'),
      payload: envelope,
      source,
    };
  }
  return undefined;
}

/** Is this event a card callback (answered synchronously, never queued)? */
export function isCardCallbackType(type: string): boolean {
  return type === 'card.action.trigger' || type === 'url.preview.get';
}

/** The old card callback has no envelope: `{open_id, open_message_id, token, action: {...}}`. */
export function isOldCardCallback(body: Record<string, unknown>): boolean {
  return body.schema === undefined && body.encrypt === undefined && body.type === undefined && isObject(body.action) && (typeof body.open_message_id === 'string' || typeof body.open_id === 'string');
}

export { isObject };
