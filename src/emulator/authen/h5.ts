import { createHash, randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context.js';
import { caller } from '../context.js';
import { AuthState, requireTenant } from '../auth/index.js';
import { avatarUrl, DirectoryState } from '../directory/index.js';
import { ok } from '../http.js';
import type { PageEntry } from '../product.js';
import { H5SDK_JS } from './h5sdk.js';
import { AuthenState } from './state.js';
import { BASE_SCOPE, findUser, issueCode, validScope } from './tokens.js';

/** The Workbench (工作台) of the web client: the apps with an H5 home page, opened in-client. */
export const workbenchPage: PageEntry = {
  title: 'Workbench',
  path: '/#/workbench',
  icon: 'workbench',
  module: new URL('./web/workbench.js', import.meta.url).href,
};

const TICKET_TTL_MS = 2 * 60 * 60 * 1000;
const REISSUE_BELOW_MS = 30 * 60 * 1000;

/** The signature h5sdk.config carries: SHA-1 of the documented verify string. */
export function jsapiSignature(ticket: string, nonceStr: string, timestamp: string | number, url: string): string {
  return createHash('sha1').update(`jsapi_ticket=${ticket}&noncestr=${nonceStr}&timestamp=${timestamp}&url=${url}`).digest('hex');
}

const configSchema = z.object({
  app_id: z.string().min(1),
  url: z.string().url(),
  timestamp: z.union([z.string(), z.number()]),
  nonce_str: z.string().min(1),
  signature: z.string().min(1),
});
const codeSchema = z.object({ app_id: z.string().min(1), user: z.string().min(1), scopes: z.array(z.string()).max(50).optional() });
const locationSchema = z.object({ latitude: z.number().min(-90).max(90), longitude: z.number().min(-180).max(180), accuracy: z.number().min(0).max(100000).optional() }).strict();

const SAMPLE_COLORS = [['#3370ff', '#7f3bf5'], ['#00b8a9', '#34c724'], ['#ff8800', '#f54a45']] as const;

/** A small landscape picture (what tt.chooseImage "picks" from the emulated album). */
function sampleImage(n: number): string {
  const [a, b] = SAMPLE_COLORS[n % SAMPLE_COLORS.length]!;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="640" height="480" viewBox="0 0 640 480"><defs><linearGradient id="g" x1="0" y1="0" x2="1" y2="1"><stop offset="0" stop-color="${a}"/><stop offset="1" stop-color="${b}"/></linearGradient></defs><rect width="640" height="480" fill="url(#g)"/><circle cx="500" cy="120" r="50" fill="#fff" opacity=".85"/><path d="M0 400 L180 220 L300 340 L420 240 L640 420 V480 H0Z" fill="#1f2329" opacity=".35"/><text x="32" y="60" font-family="sans-serif" font-size="32" fill="#fff">Sample ${n + 1}</text></svg>`;
}

/**
 * The in-client H5 path: `POST /open-apis/jssdk/ticket/get`, the Workbench's data and bridge
 * routes, and `/__emulator/h5sdk.js` (the emulator's stand-in for Feishu's h5-js-sdk).
 */
export function registerH5Routes(app: FastifyInstance, ctx: EmulatorContext): void {
  const state = () => ctx.slice(AuthenState);

  app.post('/open-apis/jssdk/ticket/get', async (req, reply) => {
    requireTenant(req);
    const appId = caller(req).appId;
    const now = ctx.clock.now();
    let current = [...state().jsapiTickets.values()].filter((t) => t.appId === appId && t.expiresAt > now).sort((x, y) => y.expiresAt - x.expiresAt)[0];
    if (!current || current.expiresAt - now < REISSUE_BELOW_MS) {
      current = { ticket: randomBytes(20).toString('hex'), appId, expiresAt: now + TICKET_TTL_MS };
      state().jsapiTickets.set(current.ticket, current);
    }
    return ok(reply, { expire_in: Math.floor((current.expiresAt - now) / 1000), ticket: current.ticket }, 'ok');
  });

  app.get('/__emulator/h5sdk.js', async (_req, reply) =>
    reply.type('text/javascript; charset=utf-8').header('cache-control', 'no-cache').header('access-control-allow-origin', '*').send(H5SDK_JS),
  );

  /** What the Workbench page shows: the person, the people, the apps with an H5 home page. */
  app.get('/__emulator/workbench', async (req) => {
    const q = req.query as { user?: string };
    const users = ctx.slice(DirectoryState).users.filter((u) => !u.resigned);
    const me = (q.user ? findUser(ctx, q.user) : undefined) ?? users[0];
    const apps = [...ctx.slice(AuthState).apps.values()].map((a) => {
      const s = state().apps.get(a.appId);
      return { app_id: a.appId, name: s?.name ?? a.botName, home_url: s?.h5HomeUrl ?? null };
    });
    return {
      user: me ? { open_id: me.open_id, user_id: me.user_id, name: me.en_name || me.name, avatar: avatarUrl(ctx, me.open_id, 64) } : null,
      users: users.map((u) => ({ open_id: u.open_id, name: u.en_name || u.name })),
      apps,
      location: state().location,
    };
  });

  /** h5sdk.config: the signature must be of a live ticket of that app, for the page's URL without its #fragment. */
  app.post('/__emulator/h5/config', async (req, reply) => {
    const parsed = configSchema.safeParse(req.body);
    if (!parsed.success) return reply.status(400).send({ errno: 103, errString: `invalid config: ${parsed.error.issues.map((i) => i.path.join('.')).join(', ')}` });
    const c = parsed.data;
    if (!ctx.slice(AuthState).apps.has(c.app_id)) return reply.status(400).send({ errno: 103, errString: `unknown appId ${c.app_id}` });
    const now = ctx.clock.now();
    const tickets = [...state().jsapiTickets.values()].filter((t) => t.appId === c.app_id);
    const match = tickets.find((t) => jsapiSignature(t.ticket, c.nonce_str, c.timestamp, c.url) === c.signature.toLowerCase());
    if (!match) return reply.status(400).send({ errno: 103, errString: 'config failed: the signature does not match (check the ticket, noncestr, timestamp and the URL without #)' });
    if (match.expiresAt <= now) return reply.status(400).send({ errno: 103, errString: 'config failed: the jsapi_ticket has expired' });
    return { ok: true };
  });

  /** tt.requestAccess / tt.requestAuthCode: a real single-use code for the person signed in to the client. */
  app.post('/__emulator/h5/code', async (req, reply) => {
    const parsed = codeSchema.safeParse(req.body);
    if (!parsed.success) return reply.status(400).send({ errno: 103, errString: 'invalid parameters' });
    const { app_id, user: who, scopes = [] } = parsed.data;
    if (!ctx.slice(AuthState).apps.has(app_id)) return reply.status(400).send({ errno: 103, errString: `unknown appID ${app_id}` });
    const bad = scopes.filter((s) => !validScope(s));
    if (bad.length) return reply.status(400).send({ errno: 103, errString: `unknown scope: ${bad.join(', ')}` });
    const user = findUser(ctx, who);
    if (!user || user.resigned) return reply.status(400).send({ errno: 103, errString: 'the signed-in user cannot use the app' });
    const all = [...new Set([BASE_SCOPE, ...scopes])];
    state().addGrant(app_id, user.open_id, all, ctx.clock.now());
    const rec = issueCode(ctx, { appId: app_id, openId: user.open_id, scopes: all, via: 'jsapi' });
    return { code: rec.code };
  });

  app.get('/__emulator/h5/images/:n', async (req, reply) => {
    const n = Number.parseInt((req.params as { n: string }).n, 10);
    if (!Number.isInteger(n) || n < 0 || n > 8) return reply.status(404).send({ error: 'not found' });
    return reply.type('image/svg+xml').header('cache-control', 'no-cache').send(sampleImage(n));
  });

  app.put('/__emulator/h5/location', async (req, reply) => {
    const parsed = locationSchema.safeParse(req.body);
    if (!parsed.success) return reply.status(400).send({ error: parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ') });
    state().location = { accuracy: 30, ...parsed.data };
    return state().location;
  });
}
