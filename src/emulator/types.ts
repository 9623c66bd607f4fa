/** Data model of the emulated tenant. Plain objects so `GET /__emulator/state` can return them as they are. */

export interface AppRecord {
  appId: string;
  appSecret: string;
  /** `self_built` apps get tenant tokens directly; `store` apps go through app_ticket. */
  type: 'self_built' | 'store';
  encryptKey?: string;
  verificationToken?: string;
  /** Where events (and, unless cardUrl is set, card callbacks) are pushed. */
  eventUrl?: string;
  cardUrl?: string;
  botName: string;
  /** The bot's own open_id, used when users @-mention it. */
  botOpenId: string;
  /** Tenants that installed the app (store apps may have several). */
  tenantKeys: string[];
}

export interface UserRecord {
  open_id: string;
  union_id: string;
  user_id: string;
  name: string;
  en_name: string;
  email: string;
  mobile: string;
  department_ids: string[];
  job_title: string;
  tenant_key: string;
  /** Resigned users cannot receive messages (230013). */
  resigned?: boolean;
}

export interface DepartmentRecord {
  open_department_id: string;
  department_id: string;
  name: string;
  parent_department_id: string;
  leader_user_id?: string;
}

export interface ChatRecord {
  chat_id: string;
  name: string;
  description: string;
  avatar: string;
  owner_id: string;
  /** `app` when a bot owns the chat. */
  owner_id_type: 'open_id' | 'app';
  chat_mode: 'group' | 'p2p' | 'topic';
  chat_type: 'private' | 'public';
  group_message_type: 'chat' | 'thread';
  external: boolean;
  tenant_key: string;
  /** open_ids of human members. */
  members: string[];
  /** app_ids of bots in the chat. */
  bots: string[];
  status: 'normal' | 'dissolved';
  create_time: number;
  /** Last message time, for ByActiveTimeDesc. */
  active_time: number;
  /** Who created it (app id or open_id) and the create uuid, for 10 h dedup. */
  creator: string;
  create_uuid?: string;
  settings: Record<string, unknown>;
}

export interface MessageRecord {
  message_id: string;
  root_id?: string;
  parent_id?: string;
  thread_id?: string;
  msg_type: string;
  /** The content as sent (JSON string, send-side format). */
  content: string;
  create_time: number;
  update_time: number;
  deleted: boolean;
  updated: boolean;
  chat_id: string;
  sender: { id: string; id_type: 'app_id' | 'open_id'; sender_type: 'app' | 'user'; tenant_key: string };
  mentions: { key: string; id: string; id_type: string; name: string; tenant_key: string }[];
  /** How many times it was edited (PUT) or patched (cards). */
  edit_count: number;
  /** Card actions applied to it (toast shown, card replaced), for the web client. */
  last_toast?: { type: string; content: string; at: number };
}

export interface UploadRecord {
  key: string;
  kind: 'image' | 'file';
  app_id: string;
  /** image_type (message|avatar) or file_type (opus|mp4|pdf|…). */
  type: string;
  file_name?: string;
  duration?: number;
  content_type: string;
  data: Buffer;
  create_time: number;
}

export interface WebhookBotRecord {
  token: string;
  chat_id: string;
  name: string;
  secret?: string;
  keywords: string[];
  ip_allowlist: string[];
}

export interface ApiCallRecord {
  id: number;
  time: number;
  method: string;
  path: string;
  query: string;
  status: number;
  code: number | null;
  app_id?: string;
  duration_ms: number;
  fault: boolean;
  log_id: string;
}

export interface FaultRule {
  id: number;
  method?: string;
  /** Exact path, a route pattern with :params, or a prefix ending in `*`. */
  path?: string;
  status?: number;
  code?: number;
  msg?: string;
  /** Probability that a matching request fails (0–1). */
  rate: number;
  /** Remaining failures before the rule retires itself; undefined = unlimited. */
  count?: number;
  delay_ms: number;
  /** Fail after the request took effect (the caller sees an error but the change happened). */
  after: boolean;
  hits: number;
}

export interface EventFaultRule {
  id: number;
  /** Deliver each matching event twice. */
  duplicate?: boolean;
  /** Hold events and deliver them in reverse order, in batches of this size. */
  reorder?: number;
  /** Delay each delivery by this many ms (real time). */
  delay_ms?: number;
  event_type?: string;
  rate: number;
  count?: number;
  hits: number;
}

export interface RateLimitSettings {
  enabled: boolean;
  /** Multiplies every limit (0.1 = ten times stricter). */
  scale: number;
}
