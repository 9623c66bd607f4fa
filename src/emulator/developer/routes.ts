import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context.js';
import { AuthState } from '../auth/index.js';
import { AuthenState } from '../authen/index.js';
import { DirectoryState } from '../directory/index.js';
import { SCOPE_NAME } from '../product.js';

const scopesBody = z
  .object({
    granted: z.union([
      z.literal('all'),
      z.array(z.string().regex(SCOPE_NAME, 'is not a scope key such as im:message or contact:user.base:readonly')).max(2000),
    ]),
  })
  .strict();

const bad = (error: string) => ({ error });

/** What the control API answers for an app's scopes. */
function scopesView(ctx: EmulatorContext, appId: string) {
  const granted = ctx.slice(AuthState).scopesOf(appId);
  return { app_id: appId, granted, default: granted === 'all' };
}

/**
 * The developer console's share of the control API: an app's granted scopes
 * (`GET`/`PUT`/`DELETE /__emulator/apps/:app_id/scopes`), the scope catalog of every product's APIs
 * (`GET /__emulator/scopes`), and what the Developer Console page shows (`GET /__emulator/developer`).
 */
export function registerDeveloperRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const auth = () => ctx.slice(AuthState);
  const appOf = (id: string) => auth().apps.get(id);

  app.get('/__emulator/scopes', async () => ctx.products.scopeCatalog());

  app.get('/__emulator/apps/:app_id/scopes', async (req, reply) => {
    const { app_id } = req.params as { app_id: string };
    if (!appOf(app_id)) return reply.status(404).send(bad(`no app ${app_id}`));
    return scopesView(ctx, app_id);
  });

  app.put('/__emulator/apps/:app_id/scopes', async (req, reply) => {
    const { app_id } = req.params as { app_id: string };
    if (!appOf(app_id)) return reply.status(404).send(bad(`no app ${app_id}`));
    const parsed = scopesBody.safeParse(req.body);
    if (!parsed.success) return reply.status(400).send(bad(parsed.error.issues.map((i) => `${['body', ...i.path].join('.')}: ${i.message}`).join('; ')));
    const { granted } = parsed.data;
    if (granted === 'all') auth().grantedScopes.delete(app_id);
    else auth().grantedScopes.set(app_id, [...new Set(granted)]);
    return scopesView(ctx, app_id);
  });

  app.delete('/__emulator/apps/:app_id/scopes', async (req, reply) => {
    const { app_id } = req.params as { app_id: string };
    if (!appOf(app_id)) return reply.status(404).send(bad(`no app ${app_id}`));
    auth().grantedScopes.delete(app_id);
    return scopesView(ctx, app_id);
  });

  /** The page's data: the apps with their scopes, the catalog, the people's grants and the recent refusals. */
  app.get('/__emulator/developer', async () => {
    const authen = ctx.slice(AuthenState);
    const dir = ctx.slice(DirectoryState);
    const personName = (openId: string) => {
      const u = dir.findUser(openId, 'open_id');
      return u ? u.en_name || u.name : openId;
    };
    return {
      apps: [...auth().apps.values()].map((a) => ({
        app_id: a.appId,
        name: authen.apps.get(a.appId)?.name ?? a.botName,
        type: a.type,
        granted: auth().scopesOf(a.appId),
        user_grants: [...authen.grants.values()].filter((g) => g.appId === a.appId).map((g) => ({ open_id: g.openId, name: personName(g.openId), scopes: g.scopes })),
      })),
      catalog: ctx.products.scopeCatalog(),
      refusals: [...auth().refusals].reverse(),
    };
  });
}
