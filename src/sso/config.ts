import { z } from 'zod';

const list = z
  .union([z.array(z.string()), z.string()])
  .optional()
  .transform((v) => (Array.isArray(v) ? v : (v ?? '').split(',')).map((s) => s.trim()).filter(Boolean));

/** What a Feishu login binds the person to in "our systems" when no binding says otherwise. */
export const BIND_CLAIMS = ['email_local', 'email', 'user_id', 'employee_no', 'none'] as const;
export type BindClaim = (typeof BIND_CLAIMS)[number];

/**
 * The `sso:` section of feishu-hub.yaml. Any key (even `sso: {}`, or `enabled: true`) turns Feishu
 * login on; HUB_SESSION_SECRET is then required outside the sandbox.
 */
export const ssoConfigSchema = z
  .preprocess(
    (raw) => {
      const o = raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Record<string, unknown>) : {};
      return { ...o, configured: Object.keys(o).length > 0 };
    },
    z.object({
      configured: z.boolean(),
      enabled: z.boolean().optional(),
      /** Scopes asked for at login besides offline_access (always asked: refresh tokens need it). */
      scopes: list,
      /** Emails or open_ids of the hub's admins (requireUser({ admin: true })). */
      admins: list,
      /** Hosts `return_to` may name besides this hub's own (e.g. grafana.example.com). */
      return_to_hosts: list,
      /** Feishu person (email, open_id or union_id) → system user, written at each start. */
      bindings: z.record(z.string(), z.string().min(1)).default({}),
      /** At login, a person with no binding is bound to this claim (email_local: alice@example.com → alice). */
      bind_claim: z.enum(BIND_CLAIMS, { message: `must be one of ${BIND_CLAIMS.join(', ')}` }).default('email_local'),
      /** Bind a person with no binding by their directory email when a capability asks (alerts, approval). */
      bind_by_email: z.boolean().default(true),
      /** How long a session lasts without being used (default 7 days). */
      session_ttl_ms: z.coerce.number().int().min(60_000, 'must be at least 60000 ms').default(7 * 24 * 3600_000),
      /** Refresh a user token this long before it expires (default 5 min). */
      refresh_ahead_ms: z.coerce.number().int().min(0).default(5 * 60_000),
      /** How long a login (state + PKCE verifier) may take between /login/feishu and the callback. */
      login_ttl_ms: z.coerce.number().int().min(10_000).default(10 * 60_000),
      cookie_name: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be letters, digits, _ or -').default('feishu_hub_session'),
      /** The authorize page; default: accounts.feishu.cn / accounts.larksuite.com, or the emulator. */
      authorize_url: z.string().url().optional(),
      /** Where to go after login when no return_to is given. */
      home: z.string().default('/me'),
      /** The demo page GET /me (on by default). */
      me_page: z.boolean().default(true),
    }),
  )
  .transform(({ configured, enabled, ...rest }) => ({ ...rest, enabled: enabled ?? configured }));

export type SsoConfig = z.output<typeof ssoConfigSchema>;
