import type { Limit } from './limiter.js';

/** The platform's API tiers (self-built apps), from the rate-limit guide. */
export const TIERS = {
  1: { perMinute: 10 },
  2: { perMinute: 20 },
  3: { perMinute: 100 },
  4: { perMinute: 1000, perSecond: 50 },
  5: { perSecond: 1 },
  6: { perSecond: 5 },
  7: { perSecond: 10 },
  8: { perSecond: 20 },
  9: { perSecond: 50 },
  10: { perSecond: 50 },
  11: { perSecond: 100 },
} satisfies Record<number, Limit>;

/** Per recipient (one user or one chat) for message sends; per message for card updates. */
export const RECIPIENT_LIMIT: Limit = { perSecond: 5 };
export const CARD_PATCH_LIMIT: Limit = { perSecond: 5 };

/** APIs whose tier is not 4, as `METHOD path-pattern` (`:id` matches one path segment). */
export const DEFAULT_API_TIERS: Record<string, Limit> = {
  'POST /open-apis/approval/v4/approvals': TIERS[3],
  'GET /open-apis/approval/v4/approvals/:id': TIERS[3],
  'POST /open-apis/approval/v4/instances': TIERS[3],
  'GET /open-apis/approval/v4/instances': TIERS[3],
  'POST /open-apis/approval/v4/instances/cancel': TIERS[3],
  'POST /open-apis/approval/v4/instances/cc': TIERS[3],
  'POST /open-apis/approval/v4/tasks/approve': TIERS[3],
  'POST /open-apis/approval/v4/tasks/reject': TIERS[3],
  'POST /open-apis/approval/v4/tasks/transfer': TIERS[3],
  'POST /open-apis/approval/v4/approvals/:id/subscribe': TIERS[3],
  'POST /open-apis/bitable/v1/apps': { perMinute: 20 },
  'GET /open-apis/bitable/v1/apps/:id': { perSecond: 20 },
  'GET /open-apis/bitable/v1/apps/:id/tables': { perSecond: 20 },
  'GET /open-apis/bitable/v1/apps/:id/tables/:id/fields': { perSecond: 20 },
  'GET /open-apis/bitable/v1/apps/:id/tables/:id/views': { perSecond: 20 },
  'GET /open-apis/bitable/v1/apps/:id/tables/:id/records': { perSecond: 20 },
  'POST /open-apis/bitable/v1/apps/:id/tables/:id/records/search': { perSecond: 20 },
  'POST /open-apis/bitable/v1/apps/:id/tables/:id/records/batch_get': { perSecond: 20 },
  'POST /open-apis/bitable/v1/apps/:id/tables': { perSecond: 10 },
  'DELETE /open-apis/bitable/v1/apps/:id/tables/:id': { perSecond: 10 },
  'POST /open-apis/bitable/v1/apps/:id/tables/:id/fields': { perSecond: 10 },
  'PUT /open-apis/bitable/v1/apps/:id/tables/:id/fields/:id': { perSecond: 10 },
  'DELETE /open-apis/bitable/v1/apps/:id/tables/:id/fields/:id': { perSecond: 10 },
  'POST /open-apis/bitable/v1/apps/:id/tables/:id/views': { perSecond: 10 },
  'POST /open-apis/bitable/v1/apps/:id/tables/:id/records': { perSecond: 50 },
  'PUT /open-apis/bitable/v1/apps/:id/tables/:id/records/:id': { perSecond: 50 },
  'DELETE /open-apis/bitable/v1/apps/:id/tables/:id/records/:id': { perSecond: 50 },
  'POST /open-apis/bitable/v1/apps/:id/tables/:id/records/batch_create': { perSecond: 50 },
  'POST /open-apis/bitable/v1/apps/:id/tables/:id/records/batch_update': { perSecond: 50 },
  'POST /open-apis/bitable/v1/apps/:id/tables/:id/records/batch_delete': { perSecond: 50 },
  'GET /open-apis/docx/v1/chats/:id/announcement': { perSecond: 20 },
};

/** Path segments that are ids (om_…, oc_…, numbers, long opaque tokens) rather than API names. */
function isIdSegment(seg: string): boolean {
  if (/^(om|oc|ou|on|omt|img|file|cli|od|ot|ou)_/i.test(seg)) return true;
  if (/^\d+$/.test(seg)) return true;
  return seg.length >= 16 && /\d/.test(seg) && /^[A-Za-z0-9_.:-]+$/.test(seg);
}

/** Bitable collections whose next segment is an id (tbl…, fld…, rec… are short, and may have no digit). */
const BITABLE_COLLECTIONS = new Set(['apps', 'tables', 'fields', 'records', 'views', 'roles', 'members', 'dashboards', 'forms', 'workflows']);

/** In a bitable path: the segment after a collection name, unless it is an action (`batch_create`, `search`). */
function isBitableId(prev: string | undefined, seg: string): boolean {
  return prev !== undefined && BITABLE_COLLECTIONS.has(prev) && !/^[a-z_]+$/.test(seg);
}

/**
 * The API a request calls, ids replaced by `:id`: the key for per-API limits and metric labels.
 *
 * @example
 * apiKey('post', '/open-apis/im/v1/messages/om_1/reply') // 'POST /open-apis/im/v1/messages/:id/reply'
 */
export function apiKey(method: string, path: string): string {
  const segs = path.split('?')[0].split('/');
  const bitable = path.startsWith('/open-apis/bitable/');
  const p = segs
    .map((seg, i) => (seg && (isIdSegment(decodeURIComponentSafe(seg)) || (bitable && isBitableId(segs[i - 1], seg))) ? ':id' : seg))
    .join('/');
  return `${method.toUpperCase()} ${p}`;
}

/**
 * The per-app limit of an API: an override, the default table, else tier 4.
 *
 * @example
 * tierOf('POST /open-apis/bitable/v1/apps') // { perMinute: 20 }
 */
export function tierOf(key: string, overrides: Record<string, Limit> = {}): Limit {
  return overrides[key] ?? DEFAULT_API_TIERS[key] ?? TIERS[4];
}

function decodeURIComponentSafe(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
