/** A person as the hub keeps them (the contact v3 user, normalised). */
export interface DirectoryUser {
  open_id: string;
  union_id?: string;
  user_id?: string;
  name: string;
  en_name?: string;
  email?: string;
  mobile?: string;
  /** open_department_ids ("0" = directly under the root). */
  department_ids: string[];
  /** The leader's open_id. */
  leader?: string;
  employee_no?: string;
  job_title?: string;
  /** `active`, `resigned`, `frozen`, `inactive`, or `deleted` (gone from Feishu, kept as a record). */
  status: string;
  /** The user object as Feishu last sent it. */
  raw: Record<string, unknown>;
  /** Epoch ms of the last change the hub applied. */
  updated_at?: number;
}

/** A department as the hub keeps it. */
export interface DirectoryDepartment {
  open_department_id: string;
  /** The tenant's custom department id. */
  department_id?: string;
  name: string;
  en_name?: string;
  /** open_department_id of the parent ("0" = the root). */
  parent_id: string;
  leader?: string;
  /** `active` or `deleted`. */
  status: string;
  raw: Record<string, unknown>;
  updated_at?: number;
}

export const USER_FIELDS = ['union_id', 'user_id', 'name', 'en_name', 'email', 'mobile', 'department_ids', 'leader', 'employee_no', 'job_title', 'status'] as const;
export const DEPARTMENT_FIELDS = ['department_id', 'name', 'en_name', 'parent_id', 'leader', 'status'] as const;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : undefined);

/** The status word of a contact v3 `status` object. */
export function userStatusOf(status: unknown): string {
  const s = (status ?? {}) as Record<string, unknown>;
  if (s.is_resigned || s.is_exited) return 'resigned';
  if (s.is_frozen) return 'frozen';
  if (s.is_unjoin || s.is_activated === false) return 'inactive';
  return 'active';
}

/** A contact v3 user object (API answer or event `object`) as a DirectoryUser. Undefined without an open_id. */
export function userFromObject(o: Record<string, unknown>): DirectoryUser | undefined {
  const open_id = str(o.open_id);
  if (!open_id) return undefined;
  const depts = Array.isArray(o.department_ids) ? (o.department_ids as unknown[]).map((d) => String(d)) : [];
  return clean({
    open_id,
    union_id: str(o.union_id),
    user_id: str(o.user_id),
    name: str(o.name) ?? '',
    en_name: str(o.en_name),
    email: str(o.email) ?? str(o.enterprise_email),
    mobile: str(o.mobile),
    department_ids: depts,
    leader: str(o.leader_user_id),
    employee_no: str(o.employee_no),
    job_title: str(o.job_title),
    status: userStatusOf(o.status),
    raw: o,
  });
}

/** A contact v3 department object as a DirectoryDepartment. Undefined without an open_department_id. */
export function departmentFromObject(o: Record<string, unknown>): DirectoryDepartment | undefined {
  const open_department_id = str(o.open_department_id);
  if (!open_department_id) return undefined;
  const i18n = (o.i18n_name ?? {}) as Record<string, unknown>;
  const deleted = (o.status as { is_deleted?: boolean } | undefined)?.is_deleted === true;
  return clean({
    open_department_id,
    department_id: str(o.department_id),
    name: str(o.name) ?? '',
    en_name: str(i18n.en_us),
    parent_id: str(o.parent_department_id) ?? '0',
    leader: str(o.leader_user_id),
    status: deleted ? 'deleted' : 'active',
    raw: o,
  });
}

function clean<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

/** The fields that differ between two versions (raw and updated_at aside). */
export function changedFields<T extends object>(before: T | undefined, after: T, fields: readonly string[]): string[] {
  if (!before) return [...fields];
  const b = before as Record<string, unknown>;
  const a = after as Record<string, unknown>;
  return fields.filter((f) => JSON.stringify(b[f] ?? null) !== JSON.stringify(a[f] ?? null));
}

const USER_KEYS: Record<string, string[]> = {
  union_id: ['union_id'], user_id: ['user_id'], name: ['name'], en_name: ['en_name'], email: ['email', 'enterprise_email'], mobile: ['mobile'],
  department_ids: ['department_ids'], leader: ['leader_user_id'], employee_no: ['employee_no'], job_title: ['job_title'], status: ['status'],
};
const DEPARTMENT_KEYS: Record<string, string[]> = {
  department_id: ['department_id'], name: ['name'], en_name: ['i18n_name'], parent_id: ['parent_department_id'], leader: ['leader_user_id'], status: ['status'],
};

/**
 * An event's object may leave fields out (no permission for them, or the platform did not send
 * them): those keep the value the store has, instead of being taken as cleared.
 */
export function keepMissing<T extends DirectoryUser | DirectoryDepartment>(next: T, previous: T | undefined, kind: 'user' | 'department'): T {
  if (!previous) return next;
  const keys = kind === 'user' ? USER_KEYS : DEPARTMENT_KEYS;
  const out = { ...next } as Record<string, unknown>;
  for (const [field, rawKeys] of Object.entries(keys)) {
    if (!rawKeys.some((k) => k in next.raw) && (previous as unknown as Record<string, unknown>)[field] !== undefined) out[field] = (previous as unknown as Record<string, unknown>)[field];
  }
  out.raw = { ...previous.raw, ...next.raw };
  return out as T;
}

/** `header.create_time` (ms; µs and s seen in the docs too) as epoch ms. */
export function eventTimeMs(v: unknown): number | undefined {
  const n = Number(v);
  if (!Number.isFinite(n) || n <= 0) return undefined;
  if (n > 1e14) return Math.floor(n / 1000);
  if (n < 1e11) return n * 1000;
  return n;
}
