/**
 * One Feishu API a capability calls, and the app scopes that open it (any one suffices, as the
 * platform's "开启其中任意一项权限即可调用"), for `feishu-hub doctor`'s least-privilege check.
 * List the scopes narrowest first: the doctor's least set takes an API's first scope unless a scope
 * it already picked opens that API too. `scopes: []` documents an API that needs none.
 *
 * @example
 * { api: 'POST /open-apis/im/v1/messages', scopes: ['im:message:send_as_bot', 'im:message:send', 'im:message'], why: 'send notifications',
 *   probe: { url: '/open-apis/im/v1/messages', params: { receive_id_type: 'chat_id' }, data: { receive_id: 'oc_doctor_probe', msg_type: 'text', content: '{"text":"-"}' } } }
 */
export interface ScopeNeed<C = unknown> {
  /** `METHOD /open-apis/…` with the route's `:params`, as the platform's docs name it. */
  api: string;
  /** Scope keys (`im:message:send_as_bot`), narrowest first; any one lets the call through. */
  scopes: string[];
  /** What breaks without it, in words an operator knows ("send replies and notifications"). */
  why: string;
  /** The scopes need an admin's approval in the tenant's admin console (the contact directory's, say). */
  sensitive?: boolean;
  /**
   * A harmless call of this API (the method is the api's): a read of one item, or a call with an id
   * that does not exist, whose 99991672 (scope missing) versus any other answer tells whether the
   * app holds one of the scopes. Without one, another entry with the same scopes probes for it.
   */
  probe?: { url: string; params?: Record<string, string | number>; data?: unknown };
  /** Whether this config calls it at all (default: whenever the capability is there). */
  enabled?: (config: C) => boolean;
}
