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

const rule = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/i, 'must be a short name (letters, digits, - _ .)'),
    code: z.string().min(1, 'must be an approval code'),
    status: z.enum(INSTANCE_STATUSES, { message: `must be one of ${INSTANCE_STATUSES.join(', ')}` }),
    http: httpAction.optional(),
    message: messageAction.optional(),
  })
  .strict()
  .refine((r) => (r.http === undefined) !== (r.message === undefined), { message: 'needs exactly one action: http or message' });

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
