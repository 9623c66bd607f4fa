import { z } from 'zod';
import type { ConsoleContribution } from '../capability/index.js';
import { scrub, secretValues } from '../config/index.js';
import type { InboxItem } from '../store/index.js';

const SECRET_KEY = /token|secret|password|ticket|encrypt|signature/i;

/** An event's envelope for the operator's eyes: the hub's secret values and secret-named keys blanked. */
export function blankPayload(payload: unknown, secrets: readonly string[]): unknown {
  const walk = (v: unknown, key?: string): unknown => {
    if (key !== undefined && SECRET_KEY.test(key) && v !== null && v !== undefined && v !== '') return '[redacted]';
    if (Array.isArray(v)) return v.map((x) => walk(x));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, k)]));
    return v;
  };
  return walk(scrub(payload, secrets));
}

const VIEWS = ['recent', 'failed', 'dead'] as const;
type View = (typeof VIEWS)[number];

const firstLine = (s?: string) => (s ?? '').split('\n').find((l) => l.trim() && !l.startsWith('note:')) ?? '';
const notesOf = (s?: string) => (s ?? '').split('\n').filter((l) => l.startsWith('note:')).map((l) => l.slice(5).trim());

const ids = z.array(z.string().min(1).max(200)).min(1, 'choose at least one event').max(500, 'at most 500 events at once');
const replayBody = z.object({ ids });
const discardBody = z.object({ ids, reason: z.string().trim().min(3, 'say why (at least 3 characters): it is kept with the event and in the audit log').max(500) });

function parse<T>(schema: z.ZodType<T>, body: unknown): T {
  const r = schema.safeParse(body);
  if (!r.success) throw Object.assign(new Error(r.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ')), { statusCode: 400 });
  return r.data;
}

function summary(e: InboxItem, secrets: readonly string[]) {
  return {
    id: e.id,
    type: e.type,
    source: e.source,
    status: e.status,
    attempts: e.attempts,
    receivedAt: e.receivedAt,
    nextAttemptAt: e.nextAttemptAt,
    error: scrub(firstLine(e.lastError), secrets) as string,
    notes: notesOf(e.lastError).map((n) => scrub(n, secrets) as string),
  };
}

/**
 * The events capability's console panel: recent, failed (retrying) and dead-lettered events with
 * their attempts and last error, one event's envelope with secrets blanked, replay and discard.
 */
export const eventsConsole: ConsoleContribution = {
  panels: [
    {
      id: 'events',
      title: 'Events',
      icon: 'M13 2 3 14h9l-1 8 10-12h-9l1-8z',
      order: 20,
      module: new URL('./console/events-panel.js', import.meta.url),
      async data({ inbox, hubConfig, query }) {
        const secrets = secretValues(hubConfig);
        const view: View = (VIEWS as readonly string[]).includes(query.view) ? (query.view as View) : 'recent';
        const limit = Math.min(500, Math.max(1, Number(query.limit) || 100));
        const [stats, failed, items] = await Promise.all([
          inbox.stats(),
          inbox.list({ failed: true, limit: 500 }),
          view === 'recent' ? inbox.list({ limit }) : view === 'failed' ? inbox.list({ failed: true, limit }) : inbox.list({ status: ['dead'], limit }),
        ]);
        const picked = query.event ? await inbox.get(query.event) : undefined;
        return {
          view,
          stats: { ...stats, failed: failed.length },
          maxAttempts: inbox.maxAttempts,
          items: items.map((e) => summary(e, secrets)),
          event: picked ? { ...summary(picked, secrets), lastError: scrub(picked.lastError ?? '', secrets), payload: blankPayload(picked.payload, secrets) } : null,
        };
      },
      actions: {
        /** Puts dead (or done) events back in the queue with a fresh attempt count. */
        async replay({ inbox }, body) {
          const { ids: wanted } = parse(replayBody, body);
          const replayed: string[] = [];
          const skipped: { id: string; why: string }[] = [];
          for (const id of [...new Set(wanted)]) {
            if (await inbox.replay(id)) replayed.push(id);
            else skipped.push({ id, why: (await inbox.get(id)) ? 'still pending or being handled' : 'no such event' });
          }
          if (replayed.length === 0) throw Object.assign(new Error(`nothing replayed: ${skipped.map((s) => `${s.id} ${s.why}`).join('; ')}`), { statusCode: 409 });
          return { replayed, skipped };
        },
        /** Gives up on dead or retrying events, with a reason kept as their error. */
        async discard({ inbox, user }, body) {
          const { ids: wanted, reason } = parse(discardBody, body);
          const discarded: string[] = [];
          const skipped: { id: string; why: string }[] = [];
          for (const id of [...new Set(wanted)]) {
            if (await inbox.discard(id, `${reason} (by ${user.name})`)) discarded.push(id);
            else skipped.push({ id, why: (await inbox.get(id)) ? 'not dead or waiting for a retry' : 'no such event' });
          }
          if (discarded.length === 0) throw Object.assign(new Error(`nothing discarded: ${skipped.map((s) => `${s.id} ${s.why}`).join('; ')}`), { statusCode: 409 });
          return { discarded, skipped, reason };
        },
      },
    },
  ],
};
