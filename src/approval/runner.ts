import { randomUUID } from 'node:crypto';
import type { Store } from '../store/index.js';
import { ActionRuns, type ActionRun } from './action-runs.js';
import { backoffDelay, deliverHttpAction, type HttpActionConfig } from './http-action.js';

/**
 * Runs one claimed row to a recorded end (`runs.recordAttempt` with `owner`). A throw is taken as a
 * transient failure: the runner records it and releases the row for a later attempt.
 */
export type ActionExecutor = (run: ActionRun, ctx: { runs: ActionRuns; owner: string; leaseMs: number }) => Promise<unknown>;

export interface ActionRunnerOptions {
  /** Executors by the row's `action` (`http`, …). */
  executors: Record<string, ActionExecutor>;
  /** This runner's claim id (default: a random one per process and runner). */
  owner?: string;
  /** How long a claim lasts before another runner may take the row over (default 5 min): longer than an executor's worst case. */
  leaseMs?: number;
  /** Rows claimed per round (default 10), run concurrently. */
  batch?: number;
  /** A throwing executor is retried up to this many attempts in all (default 5). */
  maxAttempts?: number;
  /** At most this many rows per `drain` (default 1000), so one call always ends. */
  maxRunsPerDrain?: number;
  now?: () => number;
}

export interface DrainResult {
  ran: number;
  done: number;
  failed: number;
  /** Released for a later attempt, or still running under another owner. */
  pending: number;
}

/**
 * Drains the outbox: claim due rows → run each row's executor → the row is marked by the executor
 * (or by the runner when it throws). Several runners (replicas, or a job and a wake-up) can drain
 * one database: claims are conditional updates, so each row runs under one claim at a time.
 *
 * @example
 * const runner = new ActionRunner(store, { executors: { http: httpExecutor((rule) => rules[rule]?.http) } });
 * await runner.drain(); // from a job every few seconds, and right after a transition
 */
export class ActionRunner {
  readonly owner: string;
  private readonly runs: ActionRuns;
  private readonly leaseMs: number;
  private readonly now: () => number;

  constructor(
    store: Store,
    private readonly options: ActionRunnerOptions,
  ) {
    this.owner = options.owner ?? `runner-${randomUUID().slice(0, 8)}`;
    this.now = options.now ?? Date.now;
    this.runs = new ActionRuns(store, { now: this.now });
    this.leaseMs = options.leaseMs ?? 5 * 60_000;
  }

  async drain(): Promise<DrainResult> {
    const result: DrainResult = { ran: 0, done: 0, failed: 0, pending: 0 };
    const max = this.options.maxRunsPerDrain ?? 1000;
    while (result.ran < max) {
      const claimed = await this.runs.claimDue(this.owner, { limit: Math.min(this.options.batch ?? 10, max - result.ran), leaseMs: this.leaseMs });
      if (claimed.length === 0) break;
      const states = await Promise.all(claimed.map((run) => this.runOne(run)));
      result.ran += claimed.length;
      for (const s of states) {
        if (s === 'done') result.done++;
        else if (s === 'failed') result.failed++;
        else result.pending++;
      }
    }
    return result;
  }

  private async runOne(run: ActionRun): Promise<ActionRun['state']> {
    const executor = this.options.executors[run.action];
    if (!executor) {
      await this.runs.recordAttempt(run.id, this.owner, { outcome: 'failed', error: `no executor for action "${run.action}"` });
      return 'failed';
    }
    try {
      await executor(run, { runs: this.runs, owner: this.owner, leaseMs: this.leaseMs });
    } catch (err) {
      await this.release(run, `executor failed: ${(err as Error).message ?? String(err)}`);
    }
    const after = await this.runs.get(run.id);
    if (after?.state === 'running' && after.lockedBy === this.owner) {
      // The executor returned without recording an end: never leave a row claimed until the lease runs out.
      await this.release(after, 'executor finished without recording an outcome');
      return 'pending';
    }
    return after?.state === 'done' || after?.state === 'failed' ? after.state : 'pending';
  }

  private async release(run: ActionRun, error: string): Promise<void> {
    const current = (await this.runs.get(run.id)) ?? run;
    const attempts = current.attempts + 1;
    if (attempts >= (this.options.maxAttempts ?? 5)) await this.runs.recordAttempt(run.id, this.owner, { outcome: 'failed', error });
    else await this.runs.recordAttempt(run.id, this.owner, { outcome: 'later', retryAt: this.now() + backoffDelay(attempts, 1000, 60_000), error });
  }
}

/** The executor for `http` rows: the rule's config by rule name (secrets stay in config, never in the outbox). */
export function httpExecutor(configFor: (rule: string, run: ActionRun) => HttpActionConfig | undefined, options: { sleep?: (ms: number) => Promise<void> } = {}): ActionExecutor {
  return async (run, { runs, owner, leaseMs }) => {
    const config = configFor(run.rule, run);
    if (!config) {
      await runs.recordAttempt(run.id, owner, { outcome: 'failed', error: `rule "${run.rule}" has no http action configured` });
      return;
    }
    await deliverHttpAction(runs, run, config, { owner, leaseMs, sleep: options.sleep });
  };
}
