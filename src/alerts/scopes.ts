import { bitableApi as b } from '../bitable/scopes.js';
import { patchMessage as patchMessageScope, sendMessage as sendMessageScope, PROBE as P } from '../bot/scopes.js';
import type { ScopeNeed } from '../capability/index.js';
import { getUser as getUserScope, userIdByEmail as userIdByEmailScope } from '../contact/scopes.js';
import type { AlertsConfig } from './config.js';

/** Alerts run once a source (alertmanager, grafana, generic) is configured. */
const on = (c: AlertsConfig) => Object.values(c.sources).some(Boolean);
/** The war room button (and /warroom) exist unless every route turns them off. */
const warRooms = (c: AlertsConfig) => on(c) && (c.routes.length === 0 || c.routes.some((r) => r.war_room !== 'off'));
/** People named in routes, schedules or bindings are looked up in the directory. */
const people = (c: AlertsConfig) =>
  on(c) && (c.routes.some((r) => r.users.length + r.mention.length + r.escalate_to.length > 0) || Object.keys(c.schedules).length > 0 || c.bindings.by_email || c.bindings.users.length > 0);
const log = (c: AlertsConfig) => on(c) && c.bitable !== undefined;

const CHAT = ['im:chat:create', 'im:chat'];

/** Incident cards in chats, war rooms, the people behind mentions and bindings, the Bitable incident log. */
export const alertsScopes: ScopeNeed<AlertsConfig>[] = [
  { ...sendMessageScope, why: 'alerts: post incident cards', enabled: on },
  { ...patchMessageScope, why: 'alerts: update incident cards as alerts change', enabled: on },
  { api: 'POST /open-apis/im/v1/chats', scopes: CHAT, why: 'alerts: open a war room (a chat per incident)', enabled: warRooms, probe: { url: '/open-apis/im/v1/chats', data: { chat_mode: 'feishu_hub_doctor_probe' } } },
  { api: 'PUT /open-apis/im/v1/chats/:chat_id', scopes: ['im:chat:update', 'im:chat'], why: "alerts: rename a war room when its incident resolves", enabled: warRooms, probe: { url: `/open-apis/im/v1/chats/${P.chat}`, data: {} } },
  { api: 'DELETE /open-apis/im/v1/chats/:chat_id', scopes: ['im:chat:delete', 'im:chat'], why: 'alerts: disband old war rooms (war_room_disband_after_ms)', enabled: (c) => warRooms(c) && c.war_room_disband_after_ms > 0, probe: { url: `/open-apis/im/v1/chats/${P.chat}` } },
  {
    api: 'GET /open-apis/im/v1/messages',
    scopes: ['im:message.history:readonly', 'im:message:readonly', 'im:message'],
    why: "alerts: copy a war room's messages into the incident's timeline",
    enabled: warRooms,
    probe: { url: '/open-apis/im/v1/messages', params: { container_id_type: 'chat', container_id: P.chat, page_size: 1 } },
  },
  { ...getUserScope, why: 'alerts: mention people and resolve bindings by open_id or user_id', enabled: people },
  { ...userIdByEmailScope, why: 'alerts: find people named by email', enabled: people },
  { ...b.fields, why: "alerts: read the incident log table's fields", enabled: log },
  { ...b.createField, why: 'alerts: add the incident log fields the table lacks', enabled: log },
  { ...b.search, why: "alerts: find an incident's record", enabled: log },
  { ...b.create, why: 'alerts: add an incident record', enabled: log },
  { ...b.update, why: 'alerts: update an incident record', enabled: log },
];
