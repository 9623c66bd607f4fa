import type { EmulatorContext, EventBus } from '../context.js';
import { newId } from '../ids.js';
import type { AppRecord } from '../types.js';
import { AuthState } from '../auth/index.js';
import { signedPush } from './crypto.js';
import { postPush, type PushResult } from './http-push.js';
import { LongConnections } from './long-connection.js';

/** The platform re-pushes a failed event after 15 s, 5 min, 1 h and 6 h, then gives up. */
export const RETRY_DELAYS_MS = [15_000, 5 * 60_000, 60 * 60_000, 6 * 60 * 60_000];
/** Events and callbacks must be answered with HTTP 200 within 3 s (real time). */
export const PUSH_TIMEOUT_MS = 3_000;
const MAX_RECORDS = 5_000;

export type Via = 'webhook' | 'long_connection' | 'none';

export interface DeliveryAttempt {
  /** Emulator time of the attempt. */
  at: number;
  via: Via;
  url?: string;
  /** HTTP status (webhook) or ack code (long connection). */
  status?: number;
  /** Why there was no answer: timeout, connect_failed, dns_failed, no_endpoint, closed… */
  error?: string;
  duration_ms: number;
}

export interface DeliveryRecord {
  /** `header.event_id` (v2) or `uuid` (v1). */
  event_id: string;
  app_id: string;
  type: string;
  kind: 'event' | 'card_action' | 'url_verification';
  schema: '1.0' | '2.0';
  created_at: number;
  attempts: DeliveryAttempt[];
  delivered: boolean;
  gave_up: boolean;
  next_retry_at: number | null;
  /** Held back by a reorder fault until its batch is complete. */
  held?: boolean;
  fault?: { rule_id: number; duplicate?: boolean; reorder?: number; delay_ms?: number };
  /** The plaintext envelope (what the app sees after decryption). */
  envelope: Record<string, unknown>;
}

/** What a card callback's delayed-update token allows: updating one message, a few times, for a while. */
export interface CardGrant {
  appId: string;
  messageId: string;
  expiresAt: number;
  uses: number;
}

/** Result of one synchronous callback (card action): the app's answer or why there was none. */
export interface CallbackOutcome {
  via: Via;
  status?: number;
  body?: string;
  error?: string;
  duration_ms: number;
}

/**
 * Pushes events to apps like the platform: signed/encrypted webhook POSTs or long-connection
 * frames, retries on the emulator clock, delivery faults, and a log of every attempt.
 */
export class DeliveryBus implements EventBus {
  readonly connections: LongConnections;
  records: DeliveryRecord[] = [];
  /** Delayed-update tokens handed out with card callbacks. */
  readonly cardTokens = new Map<string, CardGrant>();
  /** Latest url_verification result per app and URL kind. */
  readonly verifications = new Map<string, { app_id: string; kind: 'event_url' | 'card_url'; url: string; verified: boolean; at: number; error?: string }>();
  private held = new Map<number, DeliveryRecord[]>();
  private clockTimers = new Set<number>();
  private realTimers = new Set<NodeJS.Timeout>();
  private inflight = new Set<AbortController>();
  /** Bumped by reset/close so deliveries already under way schedule nothing more. */
  private generation = 0;

  constructor(private readonly getCtx: () => EmulatorContext) {
    this.connections = new LongConnections(() => this.ctx.clock.now());
  }

  private get ctx(): EmulatorContext {
    return this.getCtx();
  }

  publish(appId: string, eventType: string, event: Record<string, unknown>, opts: { tenantKey?: string } = {}): string {
    const app = this.app(appId);
    const eventId = newId.eventId();
    const header = {
      event_id: eventId,
      event_type: eventType,
      create_time: String(this.ctx.clock.now()),
      token: app.verificationToken ?? '',
      app_id: app.appId,
      tenant_key: opts.tenantKey ?? app.tenantKeys[0],
    };
    this.enqueue(this.record(app, eventId, eventType, 'event', '2.0', { schema: '2.0', header, event }));
    return eventId;
  }

  publishV1(appId: string, event: Record<string, unknown>): string {
    const app = this.app(appId);
    const uuid = newId.eventId();
    const envelope = { uuid, token: app.verificationToken ?? '', ts: String(this.ctx.clock.now() / 1000), type: 'event_callback', event };
    this.enqueue(this.record(app, uuid, String(event.type ?? ''), 'event', '1.0', envelope));
    return uuid;
  }

  /** Sends one synchronous callback (no retries) over the long connection or to the card URL. */
  async callback(app: AppRecord, eventId: string, type: string, envelope: Record<string, unknown>): Promise<CallbackOutcome> {
    const rec = this.record(app, eventId, type, 'card_action', '2.0', envelope);
    this.keep(rec);
    const at = this.ctx.clock.now();
    let outcome: CallbackOutcome;
    const url = app.cardUrl ?? app.eventUrl;
    if (this.connections.has(app.appId)) {
      const ack = await this.connections.deliver(app.appId, JSON.stringify(envelope), PUSH_TIMEOUT_MS);
      outcome = { via: 'long_connection', status: ack.code, body: ack.data ?? '', error: ack.error, duration_ms: ack.duration_ms };
    } else if (url) {
      const r = await this.post(url, app, envelope);
      outcome = { via: 'webhook', ...r };
    } else {
      outcome = { via: 'none', error: 'no_endpoint', duration_ms: 0 };
    }
    rec.attempts.push({ at, via: outcome.via, url: outcome.via === 'webhook' ? url : undefined, status: outcome.status, error: outcome.error, duration_ms: outcome.duration_ms });
    rec.delivered = outcome.status === 200;
    rec.gave_up = !rec.delivered;
    return outcome;
  }

  /** POSTs a signed (and, with a key, encrypted) push; tracked so close() can abort it. */
  async post(url: string, app: AppRecord, envelope: unknown, opts: { signed?: boolean; timeoutMs?: number } = {}): Promise<PushResult> {
    const push = signedPush(envelope, app.encryptKey, { signed: opts.signed });
    const abort = new AbortController();
    this.inflight.add(abort);
    try {
      return await postPush(url, push.body, push.headers, opts.timeoutMs ?? PUSH_TIMEOUT_MS, abort.signal);
    } finally {
      this.inflight.delete(abort);
    }
  }

  /** Keeps a record in the log (url_verification and callbacks log themselves through this too). */
  keep(rec: DeliveryRecord): void {
    this.records.push(rec);
    if (this.records.length > MAX_RECORDS) this.records.splice(0, this.records.length - MAX_RECORDS);
  }

  record(app: AppRecord, eventId: string, type: string, kind: DeliveryRecord['kind'], schema: DeliveryRecord['schema'], envelope: Record<string, unknown>): DeliveryRecord {
    return { event_id: eventId, app_id: app.appId, type, kind, schema, created_at: this.ctx.clock.now(), attempts: [], delivered: false, gave_up: false, next_retry_at: null, envelope };
  }

  /** Releases events held by reorder rules that were removed or used up, so nothing waits forever. */
  flushStaleHolds(): void {
    for (const [ruleId, batch] of this.held) {
      const rule = this.ctx.faults.eventRules.find((r) => r.id === ruleId);
      if (rule && (rule.count === undefined || rule.count > 0)) continue;
      this.held.delete(ruleId);
      void this.inOrder(batch.reverse());
    }
  }

  /** Forgets the log and cancels pending retries and holds (control API reset). */
  reset(): void {
    this.stopWork();
    this.records = [];
    this.cardTokens.clear();
  }

  async close(): Promise<void> {
    this.stopWork();
    await this.connections.close();
  }

  private stopWork(): void {
    this.generation++;
    for (const id of this.clockTimers) this.ctx.clock.clearTimeout(id);
    this.clockTimers.clear();
    for (const t of this.realTimers) clearTimeout(t);
    this.realTimers.clear();
    for (const a of this.inflight) a.abort();
    this.held.clear();
  }

  private app(appId: string): AppRecord {
    const app = this.ctx.slice(AuthState).apps.get(appId);
    if (!app) throw new Error(`no app ${appId} in the emulator`);
    return app;
  }

  private enqueue(rec: DeliveryRecord): void {
    this.keep(rec);
    this.flushStaleHolds();
    const rule = this.ctx.faults.matchEvent(rec.type);
    if (rule) rec.fault = { rule_id: rule.id, duplicate: rule.duplicate, reorder: rule.reorder, delay_ms: rule.delay_ms };
    if (rule?.reorder) {
      const batch = this.held.get(rule.id) ?? [];
      this.held.set(rule.id, batch);
      batch.push(rec);
      rec.held = true;
      if (batch.length >= rule.reorder) {
        this.held.delete(rule.id);
        void this.inOrder(batch.reverse());
      }
      return;
    }
    void this.firstRound(rec);
  }

  /** Delivers a batch one after another, so the receiver sees exactly this order. */
  private async inOrder(batch: DeliveryRecord[]): Promise<void> {
    for (const rec of batch) {
      rec.held = false;
      await this.firstRound(rec);
    }
  }

  private async firstRound(rec: DeliveryRecord): Promise<void> {
    const delay = rec.fault?.delay_ms ?? 0;
    if (delay > 0) {
      const gen = this.generation;
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.realTimers.delete(t);
          resolve();
        }, delay);
        this.realTimers.add(t);
      });
      if (gen !== this.generation) return;
    }
    await this.round(rec, 1);
  }

  /** One delivery round (the first push or a retry); schedules the next retry on failure. */
  private async round(rec: DeliveryRecord, n: number): Promise<void> {
    const gen = this.generation;
    const startedAt = this.ctx.clock.now();
    rec.next_retry_at = null;
    const copies = n === 1 && rec.fault?.duplicate ? 2 : 1;
    let ok = false;
    for (let i = 0; i < copies; i++) ok = (await this.attempt(rec)) || ok;
    if (gen !== this.generation) return;
    if (ok) {
      rec.delivered = true;
      return;
    }
    if (n > RETRY_DELAYS_MS.length) {
      rec.gave_up = true;
      return;
    }
    // Due relative to when this round started, so advancing the clock right after the push is observed always fires it.
    const due = startedAt + RETRY_DELAYS_MS[n - 1];
    rec.next_retry_at = due;
    const id = this.ctx.clock.setTimeout(() => {
      this.clockTimers.delete(id);
      void this.round(rec, n + 1);
    }, due - this.ctx.clock.now());
    this.clockTimers.add(id);
  }

  private async attempt(rec: DeliveryRecord): Promise<boolean> {
    const app = this.ctx.slice(AuthState).apps.get(rec.app_id);
    const at = this.ctx.clock.now();
    let a: DeliveryAttempt;
    if (app && this.connections.has(app.appId)) {
      const ack = await this.connections.deliver(app.appId, JSON.stringify(rec.envelope), PUSH_TIMEOUT_MS);
      a = { at, via: 'long_connection', status: ack.code, error: ack.error, duration_ms: ack.duration_ms };
    } else if (app?.eventUrl) {
      const r = await this.post(app.eventUrl, app, rec.envelope);
      a = { at, via: 'webhook', url: app.eventUrl, status: r.status, error: r.error, duration_ms: r.duration_ms };
    } else {
      // Kept and retried on the same schedule: a URL configured later gets it on the next retry.
      a = { at, via: 'none', error: 'no_endpoint', duration_ms: 0 };
    }
    rec.attempts.push(a);
    return a.status === 200;
  }
}
