import { z } from 'zod';

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const OPEN_ID = /^ou_[A-Za-z0-9_-]+$/;

const admins = z
  .union([z.array(z.string()), z.string()])
  .optional()
  .transform((v) => (Array.isArray(v) ? v : (v ?? '').split(',')).map((s) => s.trim()).filter(Boolean))
  .superRefine((list, ctx) => {
    for (const [i, a] of list.entries()) {
      if (!EMAIL.test(a) && !OPEN_ID.test(a)) ctx.addIssue({ code: 'custom', path: [i], message: `"${a}" is neither an email nor an open_id (ou_…)` });
    }
  });

/**
 * The `console:` section of feishu-hub.yaml. The console's admins are `sso.admins` plus
 * `console.admins` (CONSOLE_ADMINS, comma separated): emails or open_ids, checked at start.
 */
export const consoleConfigSchema = z
  .object({
    /** Serve /console at all (default true). */
    enabled: z.boolean().default(true),
    /** Emails or open_ids who may use the console, besides sso.admins. */
    admins,
    /** In the sandbox, a browser with no session is signed in as the demo admin (the first admin) (default true). */
    sandbox_auto_login: z.boolean().default(true),
    /** How many audit rows the Audit panel shows (default 200). */
    audit_page: z.coerce.number().int().min(10).max(5000).default(200),
  })
  .strict();

export type ConsoleConfig = z.output<typeof consoleConfigSchema>;
