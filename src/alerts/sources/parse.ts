import type { z } from 'zod';
import { AlertPayloadError } from './types.js';

/** Parses with a zod schema; the first problem becomes an AlertPayloadError naming its field. */
export function parseWith<S extends z.ZodType>(schema: S, body: unknown): z.output<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const field = issue.path.length ? issue.path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${String(p)}` : String(p))).join('') : '(body)';
  throw new AlertPayloadError(field, issue.message);
}

/** RFC 3339 to epoch ms; Go's zero time (`0001-01-01T00:00:00Z`, sent while firing) is "not set". */
export function timeOf(s: string | undefined): number | undefined {
  if (!s || s.startsWith('0001-01-01')) return undefined;
  const t = Date.parse(s);
  return Number.isFinite(t) ? t : undefined;
}
