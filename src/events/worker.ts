import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import type { Inbox, InboxItem } from '../store/index.js';
import { toInboundEvent, type InboundEvent } from './types.js';

export interface WorkerOptions {
  inbox: Inbox;
  /** The dispatcher: resolves when the event is handled; a throw means "retry with backoff". */
  handle: (event: InboundEvent, item: InboxItem) => Promise<unknown> | unknown;
  /** Events handled at once (default 4). */
  concurrency?: number;
  /** How often to look for due retries when nothing wakes the workers (default 1000 ms). */
  pollMs?: number;
  /** How long a claim holds an event; renewed while the handler runs (default 60 s). */
  leaseMs?: number;
  logger?: Logger;
  /** Default: host:pid:random, unique per process. */
  workerId?: string;
}

export interface Workers {
  readonly workerId: string;
  /** Events being handled right now. */
  readonly inFlight: number;
  /** Look for work now (the inbox calls this itself when an event is stored). */
  wake(): void;
  /** Stops claiming, waits up to `timeoutMs` for running handlers, flushes completions. */
  stop(options?: { timeoutMs?: number }): Promise<void>;
}

/**
 * Claims events from the inbox and runs `handle` on each, `concurrency` at a time: done on
 * success, retried with backoff on a throw, dead-lettered after the inbox's max attempts. Wakes
 * as soon as the receiver stores an event (same process) and polls otherwise (other replicas,
 * retries coming due).
 *
 * @example
 * const workers = startWorkers({ inbox, concurrency: 8, handle: (event) => dispatcher.dispatch(event) });
 * await workers.stop();
 */
export function startWorkers(options: WorkerOptions): Workers {
  const { inbox } = options;
  const concurrency = Math.max(1, options.concurrency ?? 4);
  const pollMs = options.pollMs ?? 1000;
  const leaseMs = options.leaseMs ?? 60_000;
  const workerId = options.workerId ?? `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const log = options.logger;
  const inFlight = new Map<string, Promise<void>>();
  let running = true;
  let woken = false;
  let release: (() => void) | undefined;

  const wake = () => {
    woken = true;
    release?.();
  };
  const unsubscribe = inbox.onNew(wake);

  const renew = setInterval(() => {
    if (inFlight.size === 0) return;
    inbox.extend([...inFlight.keys()], workerId, leaseMs).catch((err: unknown) => log?.warn({ err }, 'could not renew event leases'));
  }, Math.max(1000, Math.floor(leaseMs / 3)));
  renew.unref();

  const run = (item: InboxItem) => {
    const task = (async () => {
      const event = toInboundEvent(item.payload, item.source) ?? { id: item.id, type: item.type, schema: 'v2' as const, payload: item.payload as Record<string, unknown>, source: item.source };
      try {
        await options.handle(event, item);
      } catch (err) {
        try {
          const outcome = await inbox.fail(item.id, err, workerId);
          const line = { err, event_id: item.id, type: item.type, attempt: item.attempts, outcome };
          if (outcome === 'dead') log?.error(line, 'event handler failed for the last time; event dead-lettered (list with `feishu-hub events dead`, replay with `feishu-hub events replay <event_id>`)');
          else log?.warn(line, 'event handler failed; will retry with backoff');
        } catch (storeErr) {
          log?.error({ err: storeErr, event_id: item.id }, 'could not record the failure; the lease will expire and the event is retried');
        }
        return;
      }
      try {
        await inbox.complete(item.id);
      } catch (err) {
        log?.error({ err, event_id: item.id }, 'could not mark the event done; it may run again after its lease expires');
      }
    })().finally(() => {
      inFlight.delete(item.id);
      wake();
    });
    inFlight.set(item.id, task);
  };

  const wait = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        release = undefined;
        resolve();
      }
      release = done;
    });

  const loop = (async () => {
    while (running) {
      const free = concurrency - inFlight.size;
      let claimed = 0;
      woken = false;
      if (free > 0) {
        try {
          const items = await inbox.claim(workerId, free, leaseMs);
          claimed = items.length;
          for (const item of items) run(item);
        } catch (err) {
          log?.error({ err }, 'could not claim events; retrying after the poll interval');
          await wait(pollMs);
          continue;
        }
      }
      // More may be due right away if the claim was full; otherwise sleep until woken or polled.
      if (free > 0 && claimed === free) continue;
      if (!woken && running) await wait(pollMs);
    }
  })();

  return {
    workerId,
    get inFlight() {
      return inFlight.size;
    },
    wake,
    async stop({ timeoutMs = 10_000 } = {}) {
      if (!running) return;
      running = false;
      unsubscribe();
      release?.();
      await loop;
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([Promise.allSettled([...inFlight.values()]), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
      clearTimeout(timer);
      clearInterval(renew);
      await inbox.drain();
    },
  };
}
