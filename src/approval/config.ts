import { z } from 'zod';
import { INSTANCE_STATUSES } from './state-machine.js';

const httpAction = z
  .object({
    url: z.string().url('must be a URL'),
    /** The env variable holding the HMAC secret (secrets never sit in the file). */
    secret_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must name an environment variable'),
    allow_hosts: z.array(z.string().min(1)).min(1, 'must list the hosts this rule may call'),
    timeout_ms: z.number().int().positive().optional(),
    max_attempts: z.number().int().min(1).max(20).optional(),
  })
  .strict();

const messageAction = z
  .object({
    /** oc_… chat, ou_… open_id, user_id, email, or a variable such as ${applicant.open_id}. */
    to: z.string().min(1, 'must name a chat or user (oc_…, ou_…, a user_id, an email, or ${applicant.open_id})'),
    text: z.string().min(1).optional(),
    /** Card JSON with ${…} placeholders (checked by the card validator when it is rendered). */
    card: z.record(z.string(), z.unknown()).optional(),
  })
  .strict()
  .refine((m) => (m.text === undefined) !== (m.card === undefined), { message: 'needs exactly one of text or card' });

/** A rule's `bitable:` action: one record per instance and status, in a table (values are `${…}` templates). */
const bitableAction = z
  .object({
    app_token: z.string().regex(/^[A-Za-z0-9_-]+$/, 'must be a base\'s app_token (from its URL: /base/<app_token>)'),
    table_id: z.string().regex(/^tbl[A-Za-z0-9_-]+$/, 'must be a table id (tbl…, from the URL: ?table=tbl…)'),
    /** Field name → a value or a `${…}` template (a whole `${form.amount}` keeps its type: a number stays a number). */
    fields: z.record(z.string().min(1), z.unknown()).refine((f) => Object.keys(f).length > 0, { message: 'must name at least one field' }),
    /** Upsert on this field: the record whose value there equals the rendered one is updated (else one is created). */
    key_field: z.string().min(1).optional(),
  })
  .strict()
  .refine((b) => b.key_field === undefined || b.key_field in b.fields, { message: 'key_field must be one of the fields (its rendered value is the key)', path: ['key_field'] });

const rule = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/i, 'must be a short name (letters, digits, - _ .)'),
    code: z.string().min(1, 'must be an approval code'),
    status: z.enum(INSTANCE_STATUSES, { message: `must be one of ${INSTANCE_STATUSES.join(', ')}` }),
    http: httpAction.optional(),
    message: messageAction.optional(),
    bitable: bitableAction.optional(),
  })
  .strict()
  .refine((r) => [r.http, r.message, r.bitable].filter((a) => a !== undefined).length === 1, { message: 'needs exactly one action: http, message or bitable' });

const duration = (what: string) => z.number().int().min(1000, `${what} must be at least 1000 (ms)`);

export const approvalsConfigSchema = z
  .object({
    rules: z.array(rule).default([]),
    /** How often instances still pending are fetched, to catch up on missed events. */
    reconcile_every_ms: duration('reconcile_every_ms').default(60_000),
    /** Approval codes whose approvers get the approval card (Approve / Reject with a comment) when a task is theirs. */
    approver_cards: z.array(z.string().min(1)).default([]),
    /** How often due outbox rows are run when nothing wakes the runner. */
    drain_every_ms: z.number().int().min(100).default(2000),
    /** Reminders for tasks pending too long (off unless given). */
    reminders: z
      .object({
        codes: z.array(z.string().min(1)).default([]),
        after_ms: duration('after_ms').default(4 * 3600_000),
        every_ms: duration('every_ms').default(4 * 3600_000),
        check_every_ms: duration('check_every_ms').default(60_000),
        comment: z.string().min(1).default('This request is still waiting for your decision.'),
      })
      .strict()
      .optional(),
  })
  .strict();
export type ApprovalsConfig = z.output<typeof approvalsConfigSchema>;
export type ApprovalRule = ApprovalsConfig['rules'][number];
export type BitableActionConfig = NonNullable<ApprovalRule['bitable']>;
/** The kind of a rule's action (the outbox row's `action`). */
export const actionOf = (r: ApprovalRule): 'http' | 'message' | 'bitable' => (r.http ? 'http' : r.message ? 'message' : 'bitable');
