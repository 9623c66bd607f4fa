import { randomBytes } from 'node:crypto';
import type { EmulatorContext } from '../context.js';
import type { AppRecord } from '../types.js';
import { busOf } from './context.js';

/** The platform wants the challenge echoed within 1 s. */
const CHALLENGE_TIMEOUT_MS = 1_000;

export interface VerificationResult {
  url: string;
  verified: boolean;
  error?: string;
}

/**
 * Sends the url_verification challenge the platform sends when a request URL is saved
 * (encrypted when the app has a key, without signature headers) and records whether
 * the app echoed `{challenge}`. It never blocks saving: the result is only recorded.
 */
export async function verifyUrl(ctx: EmulatorContext, app: AppRecord, url: string, kind: 'event_url' | 'card_url'): Promise<VerificationResult> {
  const bus = busOf(ctx);
  const challenge = randomBytes(12).toString('hex');
  const envelope = { challenge, token: app.verificationToken ?? '', type: 'url_verification' };
  const rec = bus.record(app, `challenge_${challenge}`, 'url_verification', 'url_verification', '1.0', envelope);
  bus.keep(rec);
  const at = ctx.clock.now();
  const r = await bus.post(url, app, envelope, { signed: false, timeoutMs: CHALLENGE_TIMEOUT_MS });
  rec.attempts.push({ at, via: 'webhook', url, status: r.status, error: r.error, duration_ms: r.duration_ms });
  let error = r.error;
  if (!error && r.status !== 200) error = `answered HTTP ${r.status}`;
  if (!error) {
    let answer: unknown;
    try {
      answer = JSON.parse(r.body ?? '');
    } catch {
      answer = undefined;
    }
    if ((answer as { challenge?: unknown } | undefined)?.challenge !== challenge) {
      error = `answer is not {"challenge":"${challenge}"}: ${(r.body ?? '').slice(0, 200)}`;
    }
  }
  const result: VerificationResult = { url, verified: !error, ...(error ? { error } : {}) };
  rec.delivered = result.verified;
  rec.gave_up = !result.verified;
  bus.verifications.set(`${app.appId}:${kind}`, { app_id: app.appId, kind, at, ...result });
  return result;
}

/**
 * Verifies the URLs an app update just set (control API), when `verifyUrls` is on.
 * Returns what was checked, keyed like the PATCH body.
 */
export async function verifyAppUrls(ctx: EmulatorContext, app: AppRecord, changed: { event_url?: string | null; card_url?: string | null }) {
  const out: { event_url?: VerificationResult; card_url?: VerificationResult } = {};
  if (!ctx.options.verifyUrls) return out;
  if (changed.event_url) out.event_url = await verifyUrl(ctx, app, changed.event_url, 'event_url');
  if (changed.card_url) out.card_url = await verifyUrl(ctx, app, changed.card_url, 'card_url');
  return out;
}
