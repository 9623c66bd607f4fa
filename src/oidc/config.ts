import { z } from 'zod';

export const SUBJECTS = ['union_id', 'open_id', 'user_id', 'email'] as const;
export type SubjectField = (typeof SUBJECTS)[number];

/** Scopes the provider knows, and the claims each one releases. */
export const SCOPE_CLAIMS = {
  openid: ['sub'],
  profile: ['name', 'preferred_username', 'picture', 'locale'],
  email: ['email', 'email_verified'],
  department: ['department_ids', 'departments'],
  employee: ['employee_no'],
  feishu: ['open_id', 'union_id', 'user_id', 'tenant_key'],
} as const;
export const SCOPES = [...Object.keys(SCOPE_CLAIMS), 'offline_access'];

const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const redirectUri = z.string().refine((v) => v.startsWith('/') || /^[a-z][a-z0-9+.-]*:\/\/[^\s#]+$/i.test(v), {
  message: 'must be an absolute URL (https://app.example.com/callback) or a path on the hub (/oidc/demo/callback), without a #fragment',
});

const clientSchema = z
  .object({
    client_id: z.string().min(1, 'must not be empty').regex(/^[\w.:@-]+$/, 'may hold letters, digits and . _ - : @ only'),
    /** Shown on the logout page. */
    client_name: z.string().optional(),
    /** The secret itself (tests, local experiments). Prefer client_secret_env: secrets belong in the environment. */
    client_secret: z.string().min(16, 'must be at least 16 characters (try: openssl rand -hex 24)').optional(),
    /** The environment variable holding the secret. */
    client_secret_env: z.string().regex(ENV_NAME, 'must be an environment variable name such as GRAFANA_OIDC_SECRET').optional(),
    redirect_uris: z.array(redirectUri).min(1, 'needs at least one redirect URI (where the app receives ?code=)'),
    post_logout_redirect_uris: z.array(redirectUri).default([]),
    /** A browser or native app that cannot keep a secret: no secret, PKCE (S256) always required. */
    public: z.boolean().default(false),
    /** How a confidential client sends its secret to the token endpoint. */
    token_endpoint_auth_method: z.enum(['client_secret_basic', 'client_secret_post']).default('client_secret_basic'),
    /** Require PKCE from a confidential client too (public clients always need it). Default true. */
    require_pkce: z.boolean().default(true),
    /** Scopes this client may ask for (default: all of them). */
    scopes: z.array(z.enum(SCOPES as [string, ...string[]])).optional(),
  })
  .superRefine((c, ctx) => {
    if (c.public && (c.client_secret || c.client_secret_env)) ctx.addIssue({ code: 'custom', path: ['public'], message: 'a public client has no secret: drop client_secret/client_secret_env, or set public: false' });
    if (!c.public && !c.client_secret && !c.client_secret_env) ctx.addIssue({ code: 'custom', path: ['client_secret_env'], message: 'is required for a confidential client (the env variable holding its secret), or set public: true for a browser/native app using PKCE' });
    if (c.client_secret && c.client_secret_env) ctx.addIssue({ code: 'custom', path: ['client_secret'], message: 'give client_secret or client_secret_env, not both' });
  });

export const oidcConfigSchema = z
  .object({
    clients: z.array(clientSchema).default([]),
    /** Which Feishu id becomes `sub`: union_id (per developer, stable across your apps; default), open_id, user_id or email. */
    subject: z.enum(SUBJECTS, { message: `must be one of ${SUBJECTS.join(', ')}` }).default('union_id'),
    /** Say `email_verified: true` (Feishu emails are set by the tenant's admins). */
    email_verified: z.boolean().default(true),
    /** Lifetimes in seconds. */
    ttl: z
      .object({
        id_token: z.number().int().min(60).default(3600),
        access_token: z.number().int().min(60).default(3600),
        refresh_token: z.number().int().min(300).default(14 * 86_400),
        session: z.number().int().min(300).default(14 * 86_400),
        authorization_code: z.number().int().min(10).max(600).default(60),
      })
      .prefault({}),
    keys: z
      .object({
        /** The rotation job makes a new signing key when the current one is this old. */
        rotate_every_days: z.number().min(1).default(30),
        /** The next key is published this long before it signs (relying parties cache the JWKS for minutes). */
        publish_ahead_seconds: z.number().int().min(0).default(3600),
        /** How long a replaced key stays in the JWKS (default: the id_token lifetime plus an hour). */
        keep_retired_seconds: z.number().int().min(60).optional(),
      })
      .prefault({}),
    /** The demo relying party at /oidc/demo (sandbox). */
    demo: z.boolean().default(false),
  })
  .superRefine((c, ctx) => {
    const seen = new Set<string>();
    c.clients.forEach((client, i) => {
      if (seen.has(client.client_id)) ctx.addIssue({ code: 'custom', path: ['clients', i, 'client_id'], message: `"${client.client_id}" is declared twice` });
      seen.add(client.client_id);
    });
  });

export type OidcConfig = z.output<typeof oidcConfigSchema>;
export type OidcClientConfig = OidcConfig['clients'][number];

/** How long a retired signing key stays published. */
export function keepRetiredMs(config: OidcConfig): number {
  return (config.keys.keep_retired_seconds ?? config.ttl.id_token + 3600) * 1000;
}

/** A client's secret from the file or its env variable; problems as one line each, named as the user wrote them. */
export function clientSecrets(config: OidcConfig, env: NodeJS.ProcessEnv = process.env): { secrets: Map<string, string>; problems: string[] } {
  const secrets = new Map<string, string>();
  const problems: string[] = [];
  config.clients.forEach((c, i) => {
    if (c.public) return;
    if (c.client_secret) return void secrets.set(c.client_id, c.client_secret);
    const value = env[c.client_secret_env!];
    if (!value) problems.push(`oidc.clients.${i} (${c.client_id}): client_secret_env ${c.client_secret_env} is not set in the environment`);
    else if (value.length < 16) problems.push(`oidc.clients.${i} (${c.client_id}): ${c.client_secret_env} must be at least 16 characters`);
    else secrets.set(c.client_id, value);
  });
  return { secrets, problems };
}
