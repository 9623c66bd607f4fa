import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context.js';
import { AuthState } from '../auth/index.js';
import { AuthenState } from './state.js';
import { expireUserTokens } from './tokens.js';

const redirectSchema = z.object({ redirect_urls: z.array(z.string().url()).max(200) }).strict();
const h5Schema = z.object({ home_url: z.string().url().nullable(), name: z.string().min(1).max(64).optional() }).strict();
const expireSchema = z.object({ access_token: z.string().min(1).optional(), open_id: z.string().min(1).optional() }).strict();

const bad = (message: string) => ({ error: message });

/** Control routes of the developer console's share: redirect allow-list, H5 home page, expiring user tokens. */
export function registerAuthenControlRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const appOr404 = (id: string) => ctx.slice(AuthState).apps.get(id);

  app.get('/__emulator/apps/:app_id/redirect-urls', async (req, reply) => {
    const { app_id } = req.params as { app_id: string };
    if (!appOr404(app_id)) return reply.status(404).send(bad(`no app ${app_id}`));
    const list = ctx.slice(AuthenState).apps.get(app_id)?.redirectUrls;
    return list ? { app_id, redirect_urls: list, default: false } : { app_id, redirect_urls: [], default: true, allows: 'any http://127.0.0.1:*, http://localhost:* or http://[::1]:* URL' };
  });

  app.put('/__emulator/apps/:app_id/redirect-urls', async (req, reply) => {
    const { app_id } = req.params as { app_id: string };
    if (!appOr404(app_id)) return reply.status(404).send(bad(`no app ${app_id}`));
    const parsed = redirectSchema.safeParse(req.body);
    if (!parsed.success) return reply.status(400).send(bad(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')));
    ctx.slice(AuthenState).settings(app_id).redirectUrls = [...new Set(parsed.data.redirect_urls)];
    return { app_id, redirect_urls: ctx.slice(AuthenState).apps.get(app_id)!.redirectUrls, default: false };
  });

  app.delete('/__emulator/apps/:app_id/redirect-urls', async (req, reply) => {
    const { app_id } = req.params as { app_id: string };
    if (!appOr404(app_id)) return reply.status(404).send(bad(`no app ${app_id}`));
    delete ctx.slice(AuthenState).settings(app_id).redirectUrls;
    return { app_id, redirect_urls: [], default: true };
  });

  app.get('/__emulator/apps/:app_id/h5', async (req, reply) => {
    const { app_id } = req.params as { app_id: string };
    const a = appOr404(app_id);
    if (!a) return reply.status(404).send(bad(`no app ${app_id}`));
    const s = ctx.slice(AuthenState).apps.get(app_id);
    return { app_id, home_url: s?.h5HomeUrl ?? null, name: s?.name ?? a.botName };
  });

  app.put('/__emulator/apps/:app_id/h5', async (req, reply) => {
    const { app_id } = req.params as { app_id: string };
    const a = appOr404(app_id);
    if (!a) return reply.status(404).send(bad(`no app ${app_id}`));
    const parsed = h5Schema.safeParse(req.body);
    if (!parsed.success) return reply.status(400).send(bad(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')));
    const s = ctx.slice(AuthenState).settings(app_id);
    if (parsed.data.home_url === null) delete s.h5HomeUrl;
    else s.h5HomeUrl = parsed.data.home_url;
    if (parsed.data.name) s.name = parsed.data.name;
    return { app_id, home_url: s.h5HomeUrl ?? null, name: s.name ?? a.botName };
  });

  app.post('/__emulator/authen/expire', async (req, reply) => {
    const parsed = expireSchema.safeParse(req.body ?? {});
    if (!parsed.success) return reply.status(400).send(bad(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')));
    const expired = expireUserTokens(ctx, { accessToken: parsed.data.access_token, openId: parsed.data.open_id });
    return { expired };
  });
}
