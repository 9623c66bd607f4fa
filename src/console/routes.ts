import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, isAbsolute, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Capability, ConsolePanel, ConsoleUser, RuntimeContext } from '../capability/index.js';
import type { Logger } from '../config/index.js';
import type { AuditLog } from './audit.js';
import type { ConsoleGuard, Who } from './guard.js';
import { forbiddenPage, offPage } from './pages.js';
import { BROWSER_MODULES, CONTENT_TYPES, fileWithin, readStatic } from '../web/static-files.js';

const CLIENT_DIR = fileURLToPath(new URL('./client/', import.meta.url));
const require = createRequire(import.meta.url);

/** Preact and htm as ES modules from node_modules (no CDN, no bundler), as the emulator's client does, plus uPlot. */
const VENDOR: Record<string, string> = {
  ...BROWSER_MODULES,
  // uPlot for the Overview's charts: its main entry is CommonJS, so its ES module build and CSS by path.
  'uplot.mjs': join(dirname(require.resolve('uplot')), 'uPlot.esm.js'),
  'uplot.css': join(dirname(require.resolve('uplot')), 'uPlot.min.css'),
};

/** A panel of some capability, bound to that capability's runtime context. */
export interface MountedPanel {
  capability: string;
  panel: ConsolePanel<any>;
  file: string;
  context: RuntimeContext<any>;
}

const PANEL_ID = /^[a-z0-9][a-z0-9-]{0,47}$/;

/** Every registered capability's panels, checked: ids well formed and unique, modules on disk. */
export function mountPanels(capabilities: readonly { capability: Capability<any>; context: RuntimeContext<any> }[]): MountedPanel[] {
  const out: MountedPanel[] = [];
  for (const { capability, context } of capabilities) {
    for (const panel of capability.console?.panels ?? []) {
      const where = `capability ${capability.name}: console panel "${panel.id}"`;
      if (!PANEL_ID.test(panel.id)) throw new Error(`${where}: the id must be lower-case letters, digits and - (it is a URL segment)`);
      const taken = out.find((m) => m.panel.id === panel.id);
      if (taken) throw new Error(`${where}: capability ${taken.capability} already has a panel with that id`);
      const file = panel.module instanceof URL ? fileURLToPath(panel.module) : panel.module;
      if (!isAbsolute(file) || !existsSync(file)) throw new Error(`${where}: its page module ${file} is not a file (use new URL('./page.js', import.meta.url))`);
      out.push({ capability: capability.name, panel, file, context });
    }
  }
  return out.sort((a, b) => (a.panel.order ?? 100) - (b.panel.order ?? 100) || a.panel.title.localeCompare(b.panel.title));
}

export interface ConsoleRouteDeps {
  guard: ConsoleGuard;
  audit: AuditLog;
  panels: MountedPanel[];
  sandbox: boolean;
  logger: Logger;
}

const wantsHtml = (request: FastifyRequest) => String(request.headers.accept ?? '').includes('text/html');
const statusOf = (err: unknown) => {
  const s = (err as { statusCode?: unknown } | null)?.statusCode;
  return typeof s === 'number' && s >= 400 && s < 500 ? s : 500;
};

/** `/console` (the shell), its assets, the vendor modules, the panels' modules, and the data/action API. */
export async function registerConsoleRoutes(app: FastifyInstance, deps: ConsoleRouteDeps): Promise<void> {
  const { guard, audit, panels, logger } = deps;

  const send = async (reply: FastifyReply, file: string) => {
    const found = await readStatic(file);
    if (found) return reply.type(found.type).header('cache-control', 'no-cache').send(found.body);
    return reply.status(404).send({ error: 'not_found' });
  };

  /** Admits an admin; answers everyone else (login redirect or 401, the 403 page or JSON, 503 when there is no login). */
  const admit = async (request: FastifyRequest, reply: FastifyReply): Promise<Extract<Who, { kind: 'admin' }> | undefined> => {
    const who = await guard.who(request);
    const html = wantsHtml(request);
    if (who.kind === 'admin') return who;
    if (who.kind === 'off') {
      if (html) await reply.status(503).type(CONTENT_TYPES['.html']).send(offPage(who.why));
      else await reply.status(503).send({ error: 'console_off', message: who.why });
    } else if (who.kind === 'login') {
      const returnTo = html ? request.url : '/console';
      if (html) await reply.redirect(guard.loginUrl(returnTo), 302);
      else await reply.status(401).send({ error: 'login_required', message: 'log in with Feishu first', login_url: guard.loginUrl(returnTo) });
    } else {
      logger.info({ user: who.user.id, open_id: who.user.open_id, url: request.url }, 'console refused a non-admin');
      const loginHref = guard.loginUrl('/console');
      if (html) await reply.status(403).type(CONTENT_TYPES['.html']).header('cache-control', 'no-store').send(forbiddenPage({ name: who.user.name, email: who.user.email, loginHref }));
      else await reply.status(403).send({ error: 'forbidden', message: `${who.user.name} is not an admin of this hub (console.admins or sso.admins)` });
    }
    return undefined;
  };

  const withKey = (request: FastifyRequest, reply: FastifyReply, who: Extract<Who, { kind: 'admin' }>) =>
    who.sessionKey ?? (who.user.sandbox ? guard.ensureSandboxCookie(request, reply) : undefined);

  app.get('/console', async (request, reply) => {
    const who = await admit(request, reply);
    if (!who) return reply;
    withKey(request, reply, who);
    return send(reply.header('cache-control', 'no-store'), join(CLIENT_DIR, 'index.html'));
  });
  app.get('/console/', async (_request, reply) => reply.redirect('/console', 302));

  app.get('/console/assets/*', async (request, reply) => {
    const rel = (request.params as { '*': string })['*'];
    const file = fileWithin(CLIENT_DIR, rel);
    if (!file) return reply.status(404).send({ error: 'not_found' });
    return send(reply, file);
  });
  app.get('/console/vendor/:name', async (request, reply) => {
    const file = VENDOR[(request.params as { name: string }).name];
    return file ? send(reply, file) : reply.status(404).send({ error: 'not_found' });
  });
  app.get('/console/panels/:file', async (request, reply) => {
    const id = (request.params as { file: string }).file.replace(/\.js$/, '');
    const m = panels.find((p) => p.panel.id === id);
    return m ? send(reply, m.file) : reply.status(404).send({ error: 'not_found' });
  });

  app.get('/console/api/session', async (request, reply) => {
    const who = await admit(request, reply);
    if (!who) return reply;
    const key = withKey(request, reply, who);
    return reply.header('cache-control', 'no-store').send({
      user: who.user,
      sandbox: deps.sandbox,
      csrf: key ? guard.csrfToken(key) : null,
      login_url: guard.loginUrl('/console'),
      panels: panels.map((m) => ({ id: m.panel.id, title: m.panel.title, icon: m.panel.icon ?? null, order: m.panel.order ?? 100, capability: m.capability, module: `/console/panels/${m.panel.id}.js`, actions: Object.keys(m.panel.actions ?? {}) })),
    });
  });

  const panelOf = (request: FastifyRequest, reply: FastifyReply) => {
    const m = panels.find((p) => p.panel.id === (request.params as { id: string }).id);
    if (!m) void reply.status(404).send({ error: 'no_such_panel', message: `no console panel ${(request.params as { id: string }).id}` });
    return m;
  };
  const queryOf = (request: FastifyRequest) => Object.fromEntries(Object.entries((request.query ?? {}) as Record<string, unknown>).map(([k, v]) => [k, Array.isArray(v) ? String(v[0]) : String(v)]));

  app.get('/console/api/panels/:id', async (request, reply) => {
    const who = await admit(request, reply);
    if (!who) return reply;
    const m = panelOf(request, reply);
    if (!m) return reply;
    try {
      const data = await m.panel.data({ ...m.context, user: who.user, query: queryOf(request) });
      return reply.header('cache-control', 'no-store').send({ data: data ?? null });
    } catch (err) {
      logger.warn({ err, panel: m.panel.id }, 'a console panel failed to load');
      return reply.status(statusOf(err)).send({ error: 'panel_failed', message: (err as Error).message ?? String(err) });
    }
  });

  app.post('/console/api/panels/:id/actions/:name', async (request, reply) => {
    const who = await admit(request, reply);
    if (!who) return reply;
    const m = panelOf(request, reply);
    if (!m) return reply;
    const name = (request.params as { name: string }).name;
    if (!guard.csrfOk(request, who.sessionKey)) {
      logger.warn({ user: who.user.id, panel: m.panel.id, action: name, ip: request.ip }, 'console action refused: missing or wrong CSRF token');
      return reply.status(403).send({ error: 'csrf', message: 'this request did not come from a console page of this session (missing or wrong x-csrf-token): reload the console' });
    }
    const action = Object.hasOwn(m.panel.actions ?? {}, name) ? m.panel.actions![name] : undefined;
    if (!action) return reply.status(404).send({ error: 'no_such_action', message: `panel ${m.panel.id} has no action ${name}` });
    const input = request.body ?? null;
    const user: ConsoleUser = who.user;
    try {
      const result = await action({ ...m.context, user, query: queryOf(request) }, input, user);
      const entry = await audit.record({ who: user, panel: m.panel.id, action: name, input, result: result ?? null, ok: true });
      logger.info({ user: user.id, panel: m.panel.id, action: name, audit: entry.id }, 'console action');
      return reply.send({ ok: true, result: result ?? null, audit_id: entry.id });
    } catch (err) {
      const message = (err as Error)?.message ?? String(err);
      const entry = await audit.record({ who: user, panel: m.panel.id, action: name, input, result: `error: ${message}`, ok: false });
      logger.warn({ err, user: user.id, panel: m.panel.id, action: name, audit: entry.id }, 'console action failed');
      return reply.status(statusOf(err)).send({ ok: false, error: 'action_failed', message, audit_id: entry.id });
    }
  });
}
