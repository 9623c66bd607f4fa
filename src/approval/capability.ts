import { z } from 'zod';
import { ConfigError } from '../config/index.js';
import { defineCapability, type Listener } from '../capability/index.js';
import { FeishuApiError, type Platform } from '../platform/index.js';
import type { Store } from '../store/index.js';
import type { ActionRun } from './action-runs.js';
import type { HttpActionConfig } from './http-action.js';
import { ActionRunner, httpExecutor, type ActionExecutor } from './runner.js';
import { approvalMigrations } from './tables.js';
import { decideFromCard, sendApproverCard } from './approver-card.js';
import { registerApprovalCommands } from './cli.js';
import { ApprovalStateMachine, INSTANCE_STATUSES, isInstanceStatus, type InstanceStatus, type Transition } from './state-machine.js';

const rule = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/i, 'must be a short name (letters, digits, - _ .)'),
    code: z.string().min(1, 'must be an approval code'),
    status: z.enum(INSTANCE_STATUSES, { message: `must be one of ${INSTANCE_STATUSES.join(', ')}` }),
    http: z
      .object({
        url: z.string().url('must be a URL'),
        /** The env variable holding the HMAC secret (secrets never sit in the file). */
        secret_env: z.string().regex(/^[A-Z_][A-Z0-9_]*$/, 'must name an environment variable'),
        allow_hosts: z.array(z.string().min(1)).min(1, 'must list the hosts this rule may call'),
        timeout_ms: z.number().int().positive().optional(),
        max_attempts: z.number().int().min(1).max(20).optional(),
      })
      .strict(),
  })
  .strict();

export const approvalsConfigSchema = z
  .object({
    rules: z.array(rule).default([]),
    /** How often instances still pending are fetched, to catch up on missed events. */
    reconcile_every_ms: z.number().int().min(1000, 'must be at least 1000').default(60_000),
    /** Approval codes whose approvers get the approval card (Approve / Reject with a comment) when a task is theirs. */
    approver_cards: z.array(z.string().min(1)).default([]),
    /** How often due outbox rows are run when nothing wakes the runner. */
    drain_every_ms: z.number().int().min(100).default(2000),
  })
  .strict();
export type ApprovalsConfig = z.output<typeof approvalsConfigSchema>;

/** What an approval listener gets: the transition, exactly once per instance and status. */
export interface ApprovalContext {
  instanceCode: string;
  approvalCode: string;
  status: InstanceStatus;
  from: InstanceStatus | null;
  /** Epoch ms of the change. */
  operateTime: number;
  platform: Platform;
}

export interface ApprovalHandle {
  /** Runs `fn` once per instance that reaches `status` (retried with backoff if it throws). */
  on(status: InstanceStatus, fn: Listener<ApprovalContext>): ApprovalHandle;
}

declare module '../capability/index.js' {
  interface HubExtensions {
    /** Outcomes of one approval definition: `hub.approval(code).on('APPROVED', fn)`. */
    approval(code: string): ApprovalHandle;
  }
}

interface ApprovalEvent {
  approval_code?: string;
  instance_code?: string;
  status?: string;
  operate_time?: string | number;
}

/**
 * Approvals: every code with a rule or listener is subscribed at start; `approval_instance`
 * events move a per-instance state machine that fires each transition once (late, repeated and
 * reordered events never move it back) and enqueues its effects in the same transaction; an
 * outbox runner delivers them (signed HTTP, listeners) with retries; a reconcile job fetches
 * instances still pending so a missed event loses nothing.
 */
export const approvalCapability = defineCapability({
  name: 'approval',
  after: ['bot', 'cards'],
  config: { schema: approvalsConfigSchema, yamlKey: 'approvals' },
  migrations: approvalMigrations,
  setup({ hub, config, decorate, on, onStart, onStop, platform, logger }) {
    const secrets = new Map<string, string>();
    for (const r of config.rules) {
      const secret = process.env[r.http.secret_env];
      if (!secret || secret.length < 16) throw new ConfigError([`${r.http.secret_env} (the secret of approvals rule "${r.name}") must be set to at least 16 characters`]);
      secrets.set(r.name, secret);
    }
    const listeners: { code: string; status: InstanceStatus; fn: Listener<ApprovalContext> }[] = [];
    decorate({
      approval(code: string): ApprovalHandle {
        const handle: ApprovalHandle = {
          on(status, fn) {
            listeners.push({ code, status, fn });
            return handle;
          },
        };
        return handle;
      },
    });

    const effectsFor = (t: Transition) => [
      ...config.rules.filter((r) => r.code === t.approvalCode && r.status === t.to).map((r) => ({ rule: r.name, action: 'http', payload: payloadOf(t, r.name) })),
      ...listeners.flatMap((l, i) => (l.code === t.approvalCode && l.status === t.to ? [{ rule: `listener-${i}`, action: 'listener', payload: payloadOf(t, `listener-${i}`) }] : [])),
    ];
    const httpConfig = (name: string): HttpActionConfig | undefined => {
      const r = config.rules.find((x) => x.name === name);
      return r && { url: r.http.url, secret: secrets.get(name)!, allowHosts: r.http.allow_hosts, timeoutMs: r.http.timeout_ms, maxAttempts: r.http.max_attempts };
    };
    const listenerExecutor: ActionExecutor = async (run: ActionRun, { runs, owner }) => {
      const l = listeners[Number(run.rule.replace('listener-', ''))];
      if (!l) return void (await runs.recordAttempt(run.id, owner, { outcome: 'failed', error: `no listener ${run.rule} in this process` }));
      const p = run.payload as { from: InstanceStatus | null; operate_time: number };
      await l.fn({ instanceCode: run.instanceCode, approvalCode: run.approvalCode ?? l.code, status: run.status as InstanceStatus, from: p.from, operateTime: p.operate_time, platform });
      await runs.recordAttempt(run.id, owner, { outcome: 'done' });
    };

    let machine: ApprovalStateMachine | undefined;
    let runner: ActionRunner | undefined;
    const drain = () => runner?.drain().catch((err: unknown) => logger.error({ err }, 'approval outbox drain failed; it runs again shortly'));
    const apply = async (instanceCode: string, status: InstanceStatus, operateTime: string | number, approvalCode?: string) => {
      const result = await machine!.applyStatus(instanceCode, status, operateTime, { approvalCode });
      if (result.outcome === 'transition' && result.enqueued.length) void drain();
      else if (result.outcome === 'ignored') logger.debug({ instance: instanceCode, status, reason: result.reason, current: result.current }, 'approval status ignored');
      return result;
    };

    on('approval_instance', async (ctx) => {
      const e = ctx.event as ApprovalEvent;
      if (!e.instance_code || !e.status) return void ctx.logger.warn('approval_instance without instance_code or status; ignored');
      if (!isInstanceStatus(e.status)) return void ctx.logger.warn({ status: e.status }, 'unknown approval status; ignored');
      await apply(e.instance_code, e.status, e.operate_time ?? Date.now(), e.approval_code);
    });

    const cardCodes = new Set(config.approver_cards);
    on('approval_task', async (ctx) => {
      if (cardCodes.has(String((ctx.event as ApprovalEvent).approval_code))) await sendApproverCard(ctx, platform);
    });
    hub.action('approval.approve', (ctx) => decideFromCard(ctx, 'approve'));
    hub.action('approval.reject', (ctx) => decideFromCard(ctx, 'reject'));

    onStart(async ({ store }) => {
      machine = new ApprovalStateMachine(store, effectsFor);
      runner = new ActionRunner(store, { executors: { http: httpExecutor(httpConfig), listener: listenerExecutor } });
      const timer = setInterval(() => void drain(), config.drain_every_ms);
      timer.unref();
      onStop(() => clearInterval(timer));
      const codes = [...new Set([...config.rules.map((r) => r.code), ...listeners.map((l) => l.code), ...cardCodes])];
      for (const code of codes) await subscribe(platform, code, logger);
      reconcileState.set(store, { apply });
    });
  },
  cli: ({ program }) => registerApprovalCommands(program),
  jobs: [
    {
      name: 'reconcile',
      everyMs: (config) => config.reconcile_every_ms,
      singleton: true,
      async run({ store, platform, logger }) {
        const state = reconcileState.get(store);
        if (!state) return;
        const pending = await new ApprovalStateMachine(store).undecided(200);
        for (const p of pending) {
          try {
            const got = await platform.sdk.approval.v4.instance.get({ path: { instance_id: p.instanceCode } });
            // The platform reports a revoked instance as APPROVED with `reverted: true` (not in the SDK's types).
            const res = (got.data ?? {}) as { status?: string; reverted?: boolean; approval_code?: string; end_time?: string };
            const status = res.reverted ? 'REVERTED' : res.status;
            if (status && isInstanceStatus(status) && status !== p.status) await state.apply(p.instanceCode, status, res.end_time && res.end_time !== '0' ? res.end_time : Date.now(), res.approval_code ?? p.approvalCode ?? undefined);
          } catch (err) {
            logger.warn({ err, instance: p.instanceCode }, 'could not reconcile an approval instance; next run tries again');
          }
        }
      },
    },
  ],
});

// The reconcile job runs with the runtime context; it finds the state machine of its store here.
const reconcileState = new WeakMap<Store, { apply: (code: string, status: InstanceStatus, time: string | number, approvalCode?: string) => Promise<unknown> }>();

function payloadOf(t: Transition, rule: string) {
  return { approval_code: t.approvalCode, instance_code: t.instanceCode, status: t.to, from: t.from, operate_time: t.operateTime, rule };
}

async function subscribe(platform: Platform, code: string, logger: { info: (o: object, m: string) => void; error: (o: object, m: string) => void }): Promise<void> {
  try {
    await platform.request({ method: 'POST', url: `/open-apis/approval/v4/approvals/${encodeURIComponent(code)}/subscribe` });
    logger.info({ approval_code: code }, 'subscribed to approval events');
  } catch (err) {
    if (err instanceof FeishuApiError && err.code === 1390007) return; // already subscribed: what we wanted
    logger.error({ err, approval_code: code }, 'could not subscribe to approval events; this code will only be caught up by the reconcile job');
  }
}
