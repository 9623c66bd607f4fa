import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { EmulatorContext } from '../context.js';
import { AuthState } from '../auth/index.js';
import { verifyAppUrls } from '../events/index.js';

const faultSchema = z
  .object({
    method: z.string().optional(),
    path: z.string().optional(),
    status: z.number().int().min(100).max(599).optional(),
    code: z.number().int().optional(),
    msg: z.string().optional(),
    rate: z.number().min(0).max(1).optional(),
    count: z.number().int().min(1).optional(),
    delay_ms: z.number().int().min(0).max(60_000).optional(),
    after: z.boolean().optional(),
  })
  .strict();

const eventFaultSchema = z
  .object({
    duplicate: z.boolean().optional(),
    reorder: z.number().int().min(2).max(1000).optional(),
    delay_ms: z.number().int().min(0).max(60_000).optional(),
    event_type: z.string().optional(),
    rate: z.number().min(0).max(1).optional(),
    count: z.number().int().min(1).optional(),
  })
  .strict()
  .refine((f) => f.duplicate || f.reorder || f.delay_ms, { message: 'set at least one of duplicate, reorder, delay_ms' });

const appPatchSchema = z
  .object({
    event_url: z.string().url().nullable().optional(),
    card_url: z.string().url().nullable().optional(),
    encrypt_key: z.string().nullable().optional(),
    verification_token: z.string().nullable().optional(),
  })
  .strict();

/** Parses a control-API body or answers 400 with the zod issues, so a typo never silently does nothing. */
function parse<T>(schema: z.ZodType<T>, body: unknown): { ok: true; value: T } | { ok: false; error: unknown } {
  const r = schema.safeParse(body ?? {});
  return r.success ? { ok: true, value: r.data } : { ok: false, error: { error: 'invalid body', issues: r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`) } };
}

/** Faults, clock, rate limits, tokens and app settings. State, reset and snapshots are in snapshot.ts. */
export function registerControlRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.post('/__emulator/faults', async (req, reply) => {
    const p = parse(faultSchema, req.body);
    if (!p.ok) return reply.status(400).send(p.error);
    return ctx.faults.add(p.value);
  });
  app.get('/__emulator/faults', async () => ({ faults: ctx.faults.rules, event_faults: ctx.faults.eventRules }));
  app.delete('/__emulator/faults', async () => {
    ctx.faults.clear();
    return { ok: true };
  });
  app.post('/__emulator/faults/events', async (req, reply) => {
    const p = parse(eventFaultSchema, req.body);
    if (!p.ok) return reply.status(400).send(p.error);
    return ctx.faults.addEventFault(p.value);
  });

  app.post('/__emulator/clock', async (req, reply) => {
    const p = parse(z.object({ advance_ms: z.number().min(0) }).strict(), req.body);
    if (!p.ok) return reply.status(400).send(p.error);
    return { now: ctx.clock.advance(p.value.advance_ms) };
  });

  app.post('/__emulator/rate-limits', async (req, reply) => {
    const p = parse(z.object({ enabled: z.boolean().optional(), scale: z.number().positive().optional() }).strict(), req.body);
    if (!p.ok) return reply.status(400).send(p.error);
    Object.assign(ctx.limiter.settings, Object.fromEntries(Object.entries(p.value).filter(([, v]) => v !== undefined)));
    ctx.limiter.reset();
    return ctx.limiter.settings;
  });

  app.post('/__emulator/tokens/invalidate', async (req, reply) => {
    const p = parse(z.object({ token: z.string().optional(), app_id: z.string().optional() }).strict(), req.body);
    if (!p.ok) return reply.status(400).send(p.error);
    return { invalidated: ctx.slice(AuthState).tokens.revoke({ token: p.value.token, appId: p.value.app_id }) };
  });

  app.patch('/__emulator/apps/:app_id', async (req, reply) => {
    const a = ctx.slice(AuthState).apps.get((req.params as { app_id: string }).app_id);
    if (!a) return reply.status(404).send({ error: 'no such app' });
    const p = parse(appPatchSchema, req.body);
    if (!p.ok) return reply.status(400).send(p.error);
    const v = p.value;
    if (v.event_url !== undefined) a.eventUrl = v.event_url ?? undefined;
    if (v.card_url !== undefined) a.cardUrl = v.card_url ?? undefined;
    if (v.encrypt_key !== undefined) a.encryptKey = v.encrypt_key || undefined;
    if (v.verification_token !== undefined) a.verificationToken = v.verification_token || undefined;
    // Saving a request URL sends the url_verification challenge; the result is recorded, never blocking.
    const verification = await verifyAppUrls(ctx, a, { event_url: v.event_url, card_url: v.card_url });
    return { app_id: a.appId, event_url: a.eventUrl ?? null, card_url: a.cardUrl ?? null, verification };
  });
}
