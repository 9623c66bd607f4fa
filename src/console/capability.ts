import { randomBytes } from 'node:crypto';
import { defineCapability, type RuntimeContext } from '../capability/index.js';
import { secretValues } from '../config/index.js';
import { KvStore } from '../store/index.js';
import { ssoServiceOf } from '../sso/index.js';
import { AuditLog, consoleMigrations } from './audit.js';
import { consoleConfigSchema, type ConsoleConfig } from './config.js';
import { ConsoleGuard } from './guard.js';
import { mountPanels, registerConsoleRoutes } from './routes.js';
import { overviewPanel } from './overview.js';

/** console.admins, then sso.admins (the first is the sandbox's demo admin when console.admins is empty). */
function adminsOf(ctx: RuntimeContext<ConsoleConfig>): string[] {
  const sso = ctx.capabilities.find((c) => c.capability.name === 'sso')?.context.config as { admins?: string[] } | undefined;
  return [...new Set([...ctx.config.admins, ...(sso?.admins ?? [])].map((a) => a.toLowerCase()))];
}

/** HUB_SESSION_SECRET, or (sandbox, or no login at all) one made once and kept in the hub database. */
async function csrfSecret(ctx: RuntimeContext<ConsoleConfig>): Promise<string> {
  if (ctx.hubConfig.sessionSecret) return ctx.hubConfig.sessionSecret;
  const kv = new KvStore(ctx.store);
  const kept = await kv.get('console', 'csrf_secret');
  if (kept) return kept;
  const made = randomBytes(32).toString('base64url');
  await kv.set('console', 'csrf_secret', made);
  return made;
}

/**
 * The admin console at `/console`: a Preact + htm shell that assembles the panels every registered
 * capability declares (`console: { panels }`), guarded by Feishu login (admins: sso.admins plus
 * console.admins), with CSRF-checked actions written to an audit log. See docs/console.md.
 */
export const consoleCapability = defineCapability({
  name: 'console',
  config: { schema: consoleConfigSchema, yamlKey: 'console', env: { CONSOLE_ADMINS: 'admins' } },
  sandbox: {
    hint: ({ hubUrl }) => [`console        ${hubUrl}/console   (the admin console: events, dead letters, replay; the demo admin is signed in automatically)`],
  },
  migrations: consoleMigrations,
  console: {
    panels: [
      overviewPanel,
      {
        id: 'audit',
        title: 'Audit log',
        icon: 'M9 5H7a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2V7a2 2 0 0 0-2-2h-2M9 5a2 2 0 0 0 2 2h2a2 2 0 0 0 2-2M9 5a2 2 0 0 1 2-2h2a2 2 0 0 1 2 2m-6 9 2 2 4-4',
        order: 900,
        module: new URL('./client/audit-panel.js', import.meta.url),
        data: async ({ store, config, hubConfig }) => ({ entries: await new AuditLog(store, secretValues(hubConfig)).recent((config as ConsoleConfig).audit_page) }),
      },
    ],
  },
  async routes(app, ctx) {
    const cfg = ctx.config as ConsoleConfig;
    if (!cfg.enabled) return;
    const admins = adminsOf(ctx as RuntimeContext<ConsoleConfig>);
    if (admins.length === 0 && !ctx.hubConfig.sandbox) ctx.logger.warn('the console has no admins: list emails or open_ids in console.admins (or sso.admins) to use /console');
    const secret = await csrfSecret(ctx as RuntimeContext<ConsoleConfig>);
    const guard = new ConsoleGuard({
      hub: ctx.hub,
      admins: () => admins,
      sandbox: ctx.hubConfig.sandbox,
      autoLogin: cfg.sandbox_auto_login,
      sessionIdOf: (request) => ssoServiceOf(ctx.store)?.sessionIdOf(request),
      secret: () => secret,
    });
    await registerConsoleRoutes(app, {
      guard,
      audit: new AuditLog(ctx.store, secretValues(ctx.hubConfig)),
      panels: mountPanels(ctx.capabilities),
      sandbox: ctx.hubConfig.sandbox,
      logger: ctx.logger,
    });
  },
});
