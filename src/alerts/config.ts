import { z } from 'zod';
import { parseMatcher } from './matchers.js';

const ms = (what: string, min = 1000) => z.number().int().min(min, `${what} must be at least ${min} (ms)`);

/** One credential: a bearer token or a basic-auth pair, each read from env (several per source, for rotation). */
const credential = z
  .object({
    /** Env variable holding a bearer token (`Authorization: Bearer …`). */
    token_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must name an environment variable').optional(),
    /** Or a file holding the token (used when `token_env` is unset or empty). */
    token_file: z.string().min(1).optional(),
    /** Create `token_file` with a random token when it does not exist (the sandbox does; `feishu-hub alerts test` reads it). */
    generate: z.boolean().default(false),
    /** Basic auth: the user name, and the env variable holding its password. */
    username: z.string().min(1).optional(),
    password_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must name an environment variable').optional(),
  })
  .strict()
  .refine((c) => (c.token_env !== undefined || c.token_file !== undefined) !== (c.username !== undefined || c.password_env !== undefined), { message: 'needs either token_env (or token_file), or username with password_env' })
  .refine((c) => (c.username === undefined) === (c.password_env === undefined), { message: 'basic auth needs both username and password_env' })
  .refine((c) => !c.generate || c.token_file !== undefined, { message: 'generate needs token_file (where the generated token is kept)' });

const source = z
  .object({
    /** Who may post here: any one of these credentials (add the new one, deploy, remove the old one). */
    credentials: z.array(credential).min(1, 'must list at least one credential (a source without one would accept anyone)'),
  })
  .strict();

const matcher = z.string().superRefine((s, ctx) => {
  try {
    parseMatcher(s);
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: (err as Error).message });
  }
});

/** A person: ou_… open_id, an email, or a user_id (resolved through the directory). */
const person = z.string().min(1);
const severity = z.enum(['critical', 'warning', 'info']);

const route = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/i, 'must be a short name (letters, digits, - _ .)'),
    /** Alertmanager-style matchers, all must hold: `severity="critical"`, `team=~"db|infra"`, `env!="dev"`. */
    matchers: z.array(matcher).default([]),
    /** Only these severities (default: all). */
    severities: z.array(severity).optional(),
    chats: z.array(z.string().regex(/^oc_/, 'must be a chat id (oc_…)')).default([]),
    /** People who get the card in a direct message. */
    users: z.array(person).default([]),
    /** Who is @-mentioned on the card: people, `schedule:<name>` (its on-call now), or `label:<name>` (the person an alert label names). */
    mention: z.array(z.string().min(1)).default([]),
    /** Who Escalate brings in (mentioned in the card's chats and sent the card). */
    escalate_to: z.array(z.string().min(1)).default([]),
    /** War room: `auto` for every incident of this route, `button` (default) only when someone asks, `off`. */
    war_room: z.enum(['auto', 'button', 'off']).default('button'),
    /** While an incident stays unacknowledged, remind its chats this often (0 = never). */
    repeat_interval_ms: z.number().int().min(0).default(0),
    /** Keep looking for more routes after this one (default: the first match wins). */
    continue: z.boolean().default(false),
  })
  .strict()
  .refine((r) => r.chats.length + r.users.length > 0, { message: 'needs at least one chat or user to send to' });

const schedule = z
  .object({
    /** In rotation order. */
    users: z.array(person).min(1),
    /** Length of one shift (default a week). */
    shift_ms: ms('shift_ms', 60_000).default(7 * 24 * 3600_000),
    /** When the first user's first shift began (ISO time). */
    starts_at: z.string().refine((s) => Number.isFinite(Date.parse(s)), 'must be an ISO time such as 2026-01-05T09:00:00+08:00'),
  })
  .strict();

const silence = z
  .object({
    matchers: z.array(matcher).min(1, 'must have at least one matcher'),
    starts_at: z.string().refine((s) => Number.isFinite(Date.parse(s)), 'must be an ISO time'),
    ends_at: z.string().refine((s) => Number.isFinite(Date.parse(s)), 'must be an ISO time'),
    comment: z.string().default('maintenance'),
  })
  .strict();

const binding = z
  .object({
    /** The Feishu user: ou_… open_id, email or user_id. */
    feishu: person,
    /** Their id in the alerting system. */
    user: z.string().min(1),
  })
  .strict();

export const alertsConfigSchema = z
  .object({
    /** The endpoints that accept alerts; a source not listed answers 404. */
    sources: z
      .object({ alertmanager: source.optional(), grafana: source.optional(), generic: source.optional() })
      .strict()
      .default({}),
    routes: z.array(route).default([]),
    /** Where incidents no route matches go (a chat id); without it they are kept but not sent (and logged). */
    default_chat: z.string().regex(/^oc_/, 'must be a chat id (oc_…)').optional(),
    /** Group alerts into incidents by these labels instead of by the source's own group. */
    group_by: z.array(z.string().min(1)).optional(),
    /** Label that holds the severity, and how its values map (anything else is `warning`). */
    severity_label: z.string().default('severity'),
    severity_map: z.record(z.string(), severity).default({}),
    /** An incident that fires again within this long of resolving is re-triggered instead of opening a new one. */
    reopen_within_ms: z.number().int().min(0).default(3600_000),
    flapping: z
      .object({ threshold: z.number().int().min(2).default(3), window_ms: ms('window_ms').default(15 * 60_000) })
      .strict()
      .default({ threshold: 3, window_ms: 15 * 60_000 }),
    /** Storm control: at most `max_cards` new incident cards per chat per `window_ms`; the rest share one summary card. */
    storm: z
      .object({ max_cards: z.number().int().min(1).default(10), window_ms: ms('window_ms').default(60_000) })
      .strict()
      .default({ max_cards: 10, window_ms: 60_000 }),
    /** A card is updated at most this often (the platform allows 5 updates/s per message). */
    card_update_every_ms: z.number().int().min(200).default(1000),
    /** Alerts listed on a card before "+N more". */
    max_alerts_per_card: z.number().int().min(1).max(50).default(10),
    schedules: z.record(z.string(), schedule).default({}),
    silences: z.array(silence).default([]),
    /** Account binding: who clicked, as the alerting system knows them. */
    bindings: z
      .object({
        /** Clicks and commands of unbound users are held (and answered with how to bind) instead of applied. */
        required: z.boolean().default(false),
        /** Bind from the directory: the user's email is their id in the alerting system. */
        by_email: z.boolean().default(false),
        users: z.array(binding).default([]),
        /** A page that explains how to bind (shown in the toast and in /bind's answer). */
        help_url: z.string().url().optional(),
      })
      .strict()
      .default({ required: false, by_email: false, users: [] }),
    /** War rooms are disbanded this long after their incident resolved (0 = never). */
    war_room_disband_after_ms: z.number().int().min(0).default(0),
    /** Links on the card to the incident's source (Alertmanager's `externalURL` is used when absent). */
    alertmanager_url: z.string().url().optional(),
    /**
     * With alertmanager_url: the card's Silence creates the silence in Alertmanager itself
     * (POST /api/v2/silences, matchers = the group's labels), as the clicking user.
     */
    alertmanager_silences: z.boolean().default(false),
    /** Env variable with a bearer token for Alertmanager's API (if it sits behind auth). */
    alertmanager_token_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must name an environment variable').optional(),
    /** How often snoozes that ran out and unacknowledged incidents (routes' repeat_interval_ms) are checked. */
    remind_every_ms: z.number().int().min(100).default(15_000),
    /** How often the delivery loop looks for work other replicas left (it is also woken on every change). */
    poll_every_ms: z.number().int().min(50).default(500),
    /**
     * An incident log in a Bitable table: one record per incident (key: its id), created when it
     * opens and updated as it is acknowledged, escalated and resolved. Missing fields are created.
     */
    bitable: z
      .object({
        app_token: z.string().regex(/^[A-Za-z0-9_-]+$/, "must be a base's app_token (from its URL: /base/<app_token>)"),
        table_id: z.string().regex(/^tbl[A-Za-z0-9_-]+$/, 'must be a table id (tbl…, from the URL: ?table=tbl…)'),
      })
      .strict()
      .optional(),
    /** Largest accepted alert payload. */
    body_limit_bytes: z.number().int().min(1024).default(1024 * 1024),
  })
  .strict();

export type AlertsConfig = z.output<typeof alertsConfigSchema>;
export type AlertRoute = AlertsConfig['routes'][number];
export type Severity = z.output<typeof severity>;
export type SourceName = 'alertmanager' | 'grafana' | 'generic';
export const SOURCE_NAMES: SourceName[] = ['alertmanager', 'grafana', 'generic'];
