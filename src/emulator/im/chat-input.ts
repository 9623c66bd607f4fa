import { chatError, chatErrors } from './chat-access.js';
import { SETTING_VALUES } from './chat-view.js';

/** Body fields of create/update that land in `chat.settings` after validation. */
const RESTRICTED_KEYS = ['screenshot_has_permission_setting', 'download_has_permission_setting', 'message_has_permission_setting'] as const;

export function stringField(body: Record<string, unknown>, field: string): string | undefined {
  const v = body[field];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string') throw chatErrors.invalidParam(field, `${field} must be a string`);
  return v;
}

export function stringList(body: Record<string, unknown>, field: string, max: number): string[] {
  const v = body[field];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) throw chatErrors.invalidParam(field, `${field} must be an array of strings`);
  if (v.length > max) throw chatErrors.invalidParam(field, `${field} may hold at most ${max} ids`);
  return [...new Set(v as string[])];
}

export function enumField<T extends string>(body: Record<string, unknown>, field: string, allowed: readonly T[]): T | undefined {
  const v = stringField(body, field);
  if (v === undefined) return undefined;
  if (!(allowed as readonly string[]).includes(v)) throw chatErrors.invalidParam(field, `${field} must be one of ${allowed.join(', ')}`);
  return v as T;
}

/** Settings that only update takes; create ignores them like any unknown body field. */
const UPDATE_ONLY = ['add_member_permission', 'share_card_permission', 'at_all_permission'];

/** Validates the settings fields present in a body and returns them as a patch for `chat.settings`. */
export function settingsPatch(body: Record<string, unknown>, op: 'create' | 'update'): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const [field, allowed] of Object.entries(SETTING_VALUES)) {
    if (op === 'create' && UPDATE_ONLY.includes(field)) continue;
    const v = enumField(body, field, allowed);
    if (v !== undefined) patch[field] = v;
  }
  if (body.i18n_names !== undefined) {
    const n = body.i18n_names;
    if (typeof n !== 'object' || n === null || Array.isArray(n) || Object.values(n).some((x) => typeof x !== 'string')) {
      throw chatErrors.invalidParam('i18n_names', 'i18n_names must map zh_cn/en_us/ja_jp to strings');
    }
    patch.i18n_names = Object.fromEntries(Object.entries(n).filter(([k]) => ['zh_cn', 'en_us', 'ja_jp'].includes(k)));
  }
  const r = body.restricted_mode_setting;
  if (r !== undefined) {
    if (typeof r !== 'object' || r === null) throw chatErrors.invalidParam('restricted_mode_setting', 'must be an object');
    const rs = r as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    if (rs.status !== undefined) {
      if (typeof rs.status !== 'boolean') throw chatErrors.invalidParam('restricted_mode_setting.status', 'must be a boolean');
      out.status = rs.status;
    }
    for (const k of RESTRICTED_KEYS) {
      const v = enumField(rs, k, ['all_members', 'not_anyone']);
      if (v !== undefined) out[k] = v;
    }
    // The documented consistency rule: on needs at least one restriction, off allows none.
    const values = RESTRICTED_KEYS.map((k) => out[k] ?? 'all_members');
    if (out.status === true && values.every((v) => v === 'all_members')) {
      throw chatErrors.invalidParam('restricted_mode_setting', 'status true needs at least one setting set to not_anyone');
    }
    if (out.status === false && values.some((v) => v === 'not_anyone')) {
      throw chatErrors.invalidParam('restricted_mode_setting', 'status false allows no setting set to not_anyone');
    }
    patch.restricted_mode_setting = out;
  }
  for (const field of ['labels', 'toolkit_ids'] as const) {
    if (body[field] !== undefined) patch[field] = stringList(body, field, 100);
  }
  return patch;
}

/** Public chats need a name of at least two characters (232042 when empty, 232020 when shorter). */
export function checkPublicName(name: string): void {
  if (name.trim() === '') throw chatError(232042, "Public group chat's name should not be empty.");
  if ([...name.trim()].length < 2) throw chatError(232020, 'Name can NOT be less than two characters for public chats.');
}
