import { ConfigError, type Logger } from '../config/index.js';
import { DEMO_CHAT_ID } from '../emulator/im/seed.js';
import { EXPENSE_APPROVAL_CODE } from '../emulator/approval/seed.js';
import { defineCapability, type Listener } from '../capability/index.js';
import { FeishuApiError, type Platform } from '../platform/index.js';
import type { Store } from '../store/index.js';
import { ApprovalClient, type InstanceSummary } from './client.js';
import type { ActionRun } from './action-runs.js';
import type { HttpActionConfig } from './http-action.js';
import { ActionRunner, httpExecutor, type ActionExecutor } from './runner.js';
import { approvalMigrations } from './tables.js';
import { ApproverCards, TaskCards } from './approver-card.js';
import { registerApprovalCommands } from './cli.js';
import { ApprovalStateMachine, isInstanceStatus, type InstanceStatus, type Transition } from './state-machine.js';
import { actionOf, approvalsConfigSchema, type ApprovalsConfig } from './config.js';
import { InstanceFactsCache } from './instance-facts.js';
import { messageExecutor } from './message-action.js';
import { bitableExecutor } from './bitable-action.js';
import { exportApprovalInstances, type ExportOptions, type ExportResult } from './export.js';
import { BitableClient, parseTarget, type BitableTarget } from '../bitable/index.js';
import { reconcilePending, type ApplyStatus } from './reconcile.js';
import { remindPendingTasks } from './reminders.js';
import type { AccountsApi } from '../sso/index.js';
import { approvalScopes } from './scopes.js';
import { approvalConsole } from './console-panel.js';

/** What an approval listener gets: the transition, exactly once per instance and status. */
export interface ApprovalContext {
  instanceCode: string;
  approvalCode: string;
  status: InstanceStatus;
  from: InstanceStatus | null;
  /** Epoch ms of the change. */
  operateTime: number;
  platform: Platform;
  /** The instance now (form values, applicant, tasks, timeline): one `instance get`, on first use. */
  instance(): Promise<InstanceSummary>;
}

export interface ApprovalHandle {
  /** Runs `fn` once per instance that reaches `status` (retried with backoff if it throws). */
  on(status: InstanceStatus, fn: Listener<ApprovalContext>): ApprovalHandle;
  /**
   * Exports every instance of this definition to a Bitable table (`{appToken, tableId}` or
   * `"<app_token>/<table_id>"`): one record per instance, keyed by instance code (a second export
   * updates), missing fields created.
   *
   * @example
   * const r = await hub.approval(EXPENSE).exportTo('bascnAbc/tblXyz');
   * console.log(`${r.created} created, ${r.updated} updated`);
   */
  exportTo(target: BitableTarget | string, options?: ExportOptions): Promise<ExportResult>;
}

declare module '../capability/index.js' {
  interface HubExtensions {
    /** Outcomes of one approval definition: `hub.approval(code).on('APPROVED', fn)`. */
    approval(code: string): ApprovalHandle;
    /** The typed approval client: create (forms checked against the definition), get, approve, reject, transfer, cancel, remind. */
    approvals: ApprovalClient;
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
 * outbox runner delivers them (signed HTTP, messages and cards, listeners) with retries; a
 * reconcile job fetches instances still pending so a missed event loses nothing; a reminders job
 * nudges approvers of tasks pending too long.
 */
export const approvalCapability = defineCapability({
  name: 'approval',
  scopes: approvalScopes,
  after: ['bot', 'cards'],
  config: { schema: approvalsConfigSchema, yamlKey: 'approvals' },
  // The sandbox demo: Expense approvers get the approval card; outcomes are posted in the demo group.
  sandbox: {
    config: {
      approver_cards: [EXPENSE_APPROVAL_CODE],
      rules: [
        ['APPROVED', 'was approved'],
        ['REJECTED', 'was rejected: ${opinion}'],
        ['CANCELED', 'was withdrawn'],
      ].map(([status, outcome]) => ({
        name: `demo-expense-${status.toLowerCase()}`,
        code: EXPENSE_APPROVAL_CODE,
        status,
        message: { to: DEMO_CHAT_ID, text: `Expense ${'${serial_number}'} of <at user_id="${'${applicant.open_id}'}"></at> (${'${form.amount}'} CNY, "${'${form.reason}'}") ${outcome}` },
      })),
      reconcile_every_ms: 10_000,
    },
  },
  migrations: approvalMigrations,
  console: approvalConsole,
  setup({ hub, config, decorate, on, onStart, onStop, platform, logger }) {
    const secrets = new Map<string, string>();
    for (const r of config.rules) {
      if (!r.http) continue;
      const secret = process.env[r.http.secret_env];
      if (!secret || secret.length < 16) throw new ConfigError([`${r.http.secret_env} (the secret of approvals rule "${r.name}") must be set to at least 16 characters`]);
      secrets.set(r.name, secret);
    }
    const client = new ApprovalClient(platform);
    const facts = new InstanceFactsCache(client);
    // Its own client on the hub's platform: the per-base write queue is the platform's, so it is shared with hub.bitable.
    const bitable = new BitableClient(platform);
    const listeners: { code: string; status: InstanceStatus; fn: Listener<ApprovalContext> }[] = [];
    decorate({
      approvals: client,
      approval(code: string): ApprovalHandle {
        const handle: ApprovalHandle = {
          on(status, fn) {
            listeners.push({ code, status, fn });
            return handle;
          },
          exportTo: (target, options) => exportApprovalInstances(platform, bitable, code, typeof target === 'string' ? parseTarget(target) : target, options),
        };
        return handle;
      },
    });

    const effectsFor = (t: Transition) => [
      ...config.rules.filter((r) => r.code === t.approvalCode && r.status === t.to).map((r) => ({ rule: r.name, action: actionOf(r), payload: payloadOf(t, r.name) })),
      ...listeners.flatMap((l, i) => (l.code === t.approvalCode && l.status === t.to ? [{ rule: `listener-${i}`, action: 'listener', payload: payloadOf(t, `listener-${i}`) }] : [])),
    ];
    const ruleNamed = (name: string) => config.rules.find((x) => x.name === name);
    const httpConfig = (name: string): HttpActionConfig | undefined => {
      const r = ruleNamed(name);
      return r?.http && { url: r.http.url, secret: secrets.get(name)!, allowHosts: r.http.allow_hosts, timeoutMs: r.http.timeout_ms, maxAttempts: r.http.max_attempts };
    };
    const deliverHttp = httpExecutor(httpConfig);
    // The downstream system gets the instance's form values and applicant with the transition.
    const httpWithInstance: ActionExecutor = async (run, ctx) => deliverHttp({ ...run, payload: { ...(run.payload as object), instance: await facts.get(run.instanceCode, run.status) } }, ctx);
    const listenerExecutor: ActionExecutor = async (run: ActionRun, { runs, owner }) => {
      const l = listeners[Number(run.rule.replace('listener-', ''))];
      if (!l) return void (await runs.recordAttempt(run.id, owner, { outcome: 'failed', error: `no listener ${run.rule} in this process` }));
      const p = run.payload as { from: InstanceStatus | null; operate_time: number };
      await l.fn({ instanceCode: run.instanceCode, approvalCode: run.approvalCode ?? l.code, status: run.status as InstanceStatus, from: p.from, operateTime: p.operate_time, platform, instance: () => client.get(run.instanceCode) });
      await runs.recordAttempt(run.id, owner, { outcome: 'done' });
    };

    let machine: ApprovalStateMachine | undefined;
    let runner: ActionRunner | undefined;
    const drain = () => runner?.drain().catch((err: unknown) => logger.error({ err }, 'approval outbox drain failed; it runs again shortly'));
    const apply: ApplyStatus = async (instanceCode, status, operateTime, approvalCode) => {
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
    let cards: ApproverCards | undefined;
    on('approval_task', async (ctx) => {
      const e = ctx.event as ApprovalEvent;
      if (!cardCodes.has(String(e.approval_code)) || !cards) return;
      if (e.status === 'PENDING') await cards.send(ctx);
      else await cards.sync(ctx);
    });
    hub.action('approval.approve', (ctx) => cards?.decide(ctx, 'approve'));
    hub.action('approval.reject', (ctx) => cards?.decide(ctx, 'reject'));

    onStart(async ({ store }) => {
      machine = new ApprovalStateMachine(store, effectsFor);
      cards = new ApproverCards(platform, client, new TaskCards(store), undefined, (hub as { accounts?: AccountsApi }).accounts);
      const messages = messageExecutor({ messenger: hub.messenger, configFor: (name) => ruleNamed(name)?.message, facts: (code, status) => facts.get(code, status) });
      const records = bitableExecutor({ bitable, configFor: (name) => ruleNamed(name)?.bitable, facts: (code, status) => facts.get(code, status), logger });
      runner = new ActionRunner(store, { executors: { http: httpWithInstance, message: messages, bitable: records, listener: listenerExecutor } });
      const timer = setInterval(() => void drain(), config.drain_every_ms);
      timer.unref();
      onStop(() => clearInterval(timer));
      const codes = [...new Set([...config.rules.map((r) => r.code), ...listeners.map((l) => l.code), ...cardCodes, ...(config.reminders?.codes ?? [])])];
      for (const code of codes) await subscribe(platform, code, logger);
      void checkBitableRules(bitable, config.rules, logger);
      reconcileState.set(store, apply);
    });
  },
  cli: ({ program }) => registerApprovalCommands(program),
  jobs: [
    {
      name: 'reconcile',
      everyMs: (config) => config.reconcile_every_ms,
      singleton: true,
      async run({ store, platform, logger }) {
        const apply = reconcileState.get(store);
        if (apply) await reconcilePending(store, platform, apply, logger);
      },
    },
    {
      name: 'reminders',
      enabled: (config) => config.reminders !== undefined,
      everyMs: (config) => config.reminders?.check_every_ms ?? 60_000,
      singleton: true,
      async run({ store, platform, logger, config }) {
        const r = config.reminders!;
        await remindPendingTasks(store, platform, { codes: r.codes, afterMs: r.after_ms, everyMs: r.every_ms, comment: r.comment }, logger);
      },
    },
  ],
});

// The reconcile job runs with the runtime context; it finds the state machine of its store here.
const reconcileState = new WeakMap<Store, ApplyStatus>();

function payloadOf(t: Transition, rule: string) {
  return { approval_code: t.approvalCode, instance_code: t.instanceCode, status: t.to, from: t.from, operate_time: t.operateTime, rule };
}

/** At start: each bitable rule's table is read once, and fields it names that the table lacks are logged (the rule's runs would fail). */
async function checkBitableRules(bitable: BitableClient, rules: ApprovalsConfig['rules'], logger: Logger): Promise<void> {
  for (const r of rules) {
    if (!r.bitable) continue;
    try {
      const names = new Set((await bitable.fields(r.bitable.app_token, r.bitable.table_id)).map((f) => f.field_name));
      const missing = Object.keys(r.bitable.fields).filter((n) => !names.has(n));
      if (missing.length) logger.error({ rule: r.name, app_token: r.bitable.app_token, table_id: r.bitable.table_id, missing }, `approvals rule "${r.name}" writes fields its Bitable table does not have (${missing.join(', ')}): add them to the table, or its runs will fail`);
    } catch (err) {
      logger.warn({ err, rule: r.name, app_token: r.bitable.app_token, table_id: r.bitable.table_id }, `approvals rule "${r.name}": could not read its Bitable table's fields at start (the rule still runs)`);
    }
  }
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
