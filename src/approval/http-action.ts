import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ActionRun, ActionRuns } from './action-runs.js';

/** A rule's downstream call: `POST url` with the run's payload as JSON. */
export interface HttpActionConfig {
  url: string;
  /** HMAC-SHA256 key; receivers check with `verifySignature`. */
  secret: string;
  /** Hosts this hub may call (`api.example.com`, `*.example.com`, `127.0.0.1:8080`); nothing else is called. */
  allowHosts: string[];
  /** Per attempt (default 10 s). */
  timeoutMs?: number;
  /** Total attempts for the run, across restarts (default 5). */
  maxAttempts?: number;
  /** Backoff before attempt n+1: base·2^(n-1), capped at maxDelayMs, half of it random (defaults 500 ms, 30 s). */
  baseDelayMs?: number;
  maxDelayMs?: number;
  headers?: Record<string, string>;
}

export const SIGNATURE_HEADER = 'X-Feishu-Hub-Signature';
export const TIMESTAMP_HEADER = 'X-Feishu-Hub-Timestamp';

/** `sha256=<hex>` over `${timestamp}.${body}`: the timestamp is signed so a captured call cannot be replayed later. */
export function signBody(secret: string, timestamp: string | number, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * For receivers: is `header` (X-Feishu-Hub-Signature) the signature of `body` at `timestamp`
 * (X-Feishu-Hub-Timestamp, epoch seconds), and is that timestamp within `toleranceSec` of now?
 * Pass the raw body bytes as received, not a re-serialised object.
 */
export function verifySignature(secret: string, timestamp: string | number | undefined, body: string | Buffer, header: string | undefined, toleranceSec = 300, nowSec = Math.floor(Date.now() / 1000)): boolean {
  if (!header || timestamp === undefined || timestamp === '') return false;
  const ts = Number(timestamp);
  if (!Number.isInteger(ts) || Math.abs(nowSec - ts) > toleranceSec) return false;
  const expected = Buffer.from(signBody(secret, String(timestamp), Buffer.isBuffer(body) ? body.toString('utf8') : body));
  const given = Buffer.from(header);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Is `url` one this hub may call? http(s) only; a host entry matches with any port, `host:port` only that port. */
export function hostAllowed(url: string, allowHosts: string[]): boolean {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return false;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return false;
  const host = u.hostname.toLowerCase();
  return allowHosts.some((entry) => {
    const e = entry.toLowerCase();
    if (e.includes(':') && !e.startsWith('[')) return e === u.host.toLowerCase();
    if (e.startsWith('*.')) return host.endsWith(e.slice(1));
    return e === host;
  });
}

/** The result of one call. */
export interface HttpAttempt {
  ok: boolean;
  /** Worth another try: 5xx, 408, 429, network error, timeout. Other 4xx and 3xx are the receiver's final answer. */
  retryable: boolean;
  status?: number;
  error?: string;
}

/** One signed POST. Redirects are not followed: the target of a redirect is not on the allow-list. */
export async function callHttpAction(config: HttpActionConfig, body: string, idempotencyKey: string, nowSec = Math.floor(Date.now() / 1000)): Promise<HttpAttempt> {
  const timestamp = String(nowSec);
  try {
    const res = await fetch(config.url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(config.timeoutMs ?? 10_000),
      headers: {
        ...config.headers,
        'content-type': 'application/json',
        'idempotency-key': idempotencyKey,
        [TIMESTAMP_HEADER]: timestamp,
        [SIGNATURE_HEADER]: signBody(config.secret, timestamp, body),
      },
      body,
    });
    const text = await res.text().catch(() => '');
    if (res.ok) return { ok: true, retryable: false, status: res.status };
    const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
    return { ok: false, retryable, status: res.status, error: `HTTP ${res.status}${text ? `: ${text.slice(0, 200)}` : ''}` };
  } catch (err) {
    const e = err as Error & { cause?: { code?: string; message?: string } };
    const timeout = e.name === 'TimeoutError' || e.name === 'AbortError';
    return { ok: false, retryable: true, error: timeout ? `timed out after ${config.timeoutMs ?? 10_000} ms` : `${e.message}${e.cause ? ` (${e.cause.code ?? e.cause.message})` : ''}` };
  }
}

/** Backoff before attempt `attempt + 1`: exponential, capped, with jitter so retries of many runs spread out. */
export function backoffDelay(attempt: number, baseMs = 500, maxMs = 30_000, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

export interface DeliverOptions {
  /** The claim holder (the runner's id). */
  owner: string;
  /** The lease the claim is extended to after each retryable attempt (default 5 min). */
  leaseMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export type DeliverResult = { state: 'done' | 'failed'; attempts: number; lastStatus?: number; lastError?: string } | { state: 'lost'; attempts: number };

/**
 * Runs a claimed outbox row's HTTP call to the end: retries transient failures with backoff in
 * process (the claim extended each time), stops at a final answer or `maxAttempts`, and records
 * every attempt on the row. The Idempotency-Key is the row id, the same on every attempt, so a
 * receiver that saw an attempt whose answer was lost can tell the retry apart. `lost`: another
 * runner took the row over (our lease ran out) and records from then on.
 */
export async function deliverHttpAction(runs: ActionRuns, run: ActionRun, config: HttpActionConfig, options: DeliverOptions): Promise<DeliverResult> {
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const maxAttempts = config.maxAttempts ?? 5;
  let attempts = run.attempts;
  const record = async (outcome: 'done' | 'failed' | 'retrying', status?: number, error?: string) => {
    attempts++;
    return runs.recordAttempt(run.id, options.owner, { outcome, httpStatus: status, error, leaseMs: options.leaseMs });
  };
  if (!hostAllowed(config.url, config.allowHosts)) {
    const error = `host of ${config.url} is not in allowHosts (${config.allowHosts.join(', ') || 'empty'})`;
    return (await record('failed', undefined, error)) ? { state: 'failed', attempts, lastError: error } : { state: 'lost', attempts };
  }
  const body = JSON.stringify(run.payload);
  for (;;) {
    const attempt = await callHttpAction(config, body, run.id);
    const final = attempt.ok ? 'done' : !attempt.retryable || attempts + 1 >= maxAttempts ? 'failed' : 'retrying';
    if (!(await record(final, attempt.status, attempt.error))) return { state: 'lost', attempts };
    if (final !== 'retrying') return { state: final, attempts, lastStatus: attempt.status, lastError: attempt.error };
    await sleep(backoffDelay(attempts, config.baseDelayMs, config.maxDelayMs));
  }
}
