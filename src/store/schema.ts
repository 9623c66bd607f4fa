import type { Kysely } from 'kysely';

/** Where an inbound event came from. */
export type InboxSource = 'webhook' | 'websocket' | 'replay';
/** pending → processing → done | pending (retry) | dead (kept for replay). */
export type InboxStatus = 'pending' | 'processing' | 'done' | 'dead';

/** Times are epoch milliseconds (bigint columns: PostgreSQL returns them as strings, see `toMs`). */
export interface InboxTable {
  event_id: string;
  event_type: string;
  source: InboxSource;
  /** The decrypted envelope as JSON text. */
  payload: string;
  received_at: number | string;
  status: InboxStatus;
  attempts: number;
  next_attempt_at: number | string;
  locked_by: string | null;
  locked_until: number | string | null;
  last_error: string | null;
}

export interface IdempotencyKeysTable {
  key: string;
  created_at: number | string;
  /** JSON of the effect's result; NULL while the effect runs. */
  result: string | null;
}

export interface KvTable {
  namespace: string;
  key: string;
  value: string;
  expires_at: number | string | null;
}

export interface HubSchema {
  inbox: InboxTable;
  idempotency_keys: IdempotencyKeysTable;
  kv: KvTable;
}

export type HubDb = Kysely<HubSchema>;

/** bigint columns come back from node-postgres as strings; SQLite gives numbers. */
export function toMs(value: number | string | null | undefined): number | undefined {
  if (value === null || value === undefined) return undefined;
  return typeof value === 'number' ? value : Number(value);
}
