import type { Kysely } from 'kysely';
import type { Logger } from '../config/index.js';
import type { Platform } from '../platform/index.js';
import type { Store } from '../store/index.js';
import { ApprovalClient, type InstanceData } from './client.js';
import { ApprovalStateMachine } from './state-machine.js';
import type { ApprovalTables } from './tables.js';

export interface RemindersConfig {
  /** Approval codes whose approvers are reminded (all codes the hub tracks when empty). */
  codes: string[];
  /** A task pending longer than this gets a reminder. */
  afterMs: number;
  /** And then at most one more per this interval, while it stays pending. */
  everyMs: number;
  /** The text of the reminder (the platform's reminder message carries it). */
  comment: string;
}

/**
 * The claims of the reminders job: one row per task with the time of its last reminder. A claim is
 * a conditional insert or update, so two replicas (or a run that overlaps the next) never remind
 * the same task twice in one interval; a reminder whose call failed gives its claim back.
 */
export class TaskReminders {
  private readonly db: Kysely<ApprovalTables>;

  constructor(store: Store) {
    this.db = store.db as unknown as Kysely<ApprovalTables>;
  }

  /** True when this caller may remind the task now; `previous` is what `release` restores. */
  async claim(taskId: string, instanceCode: string, now: number, everyMs: number): Promise<{ claimed: boolean; previous?: number }> {
    const inserted = await this.db
      .insertInto('approval_task_reminders')
      .values({ task_id: taskId, instance_code: instanceCode, reminded_at: now, count: 1 })
      .onConflict((oc) => oc.doNothing())
      .returning('task_id')
      .executeTakeFirst();
    if (inserted) return { claimed: true, previous: undefined };
    const row = await this.db.selectFrom('approval_task_reminders').select(['reminded_at']).where('task_id', '=', taskId).executeTakeFirst();
    const previous = Number(row?.reminded_at ?? 0);
    if (now - previous < everyMs) return { claimed: false };
    const updated = await this.db
      .updateTable('approval_task_reminders')
      .set((eb) => ({ reminded_at: now, count: eb('count', '+', 1) }))
      .where('task_id', '=', taskId)
      .where('reminded_at', '=', row!.reminded_at)
      .executeTakeFirst();
    return Number(updated.numUpdatedRows) === 1 ? { claimed: true, previous } : { claimed: false };
  }

  /** Gives a claim back after the reminder could not be sent (so the next run tries again). */
  async release(taskId: string, claimedAt: number, previous: number | undefined): Promise<void> {
    if (previous === undefined) await this.db.deleteFrom('approval_task_reminders').where('task_id', '=', taskId).where('reminded_at', '=', claimedAt).execute();
    else await this.db.updateTable('approval_task_reminders').set((eb) => ({ reminded_at: previous, count: eb('count', '-', 1) })).where('task_id', '=', taskId).where('reminded_at', '=', claimedAt).execute();
  }

  async count(taskId: string): Promise<number> {
    const row = await this.db.selectFrom('approval_task_reminders').select(['count']).where('task_id', '=', taskId).executeTakeFirst();
    return row ? Number(row.count) : 0;
  }
}

/**
 * One round of the reminders job: for each instance still pending (as the state machine knows),
 * its tasks pending longer than `afterMs` get the platform's reminder (`instances/remind`, which
 * the approver sees from the Approval bot), each at most once per `everyMs`.
 */
export async function remindPendingTasks(store: Store, platform: Platform, config: RemindersConfig, logger: Logger, now = Date.now): Promise<{ reminded: number; checked: number }> {
  const reminders = new TaskReminders(store);
  const machine = new ApprovalStateMachine(store);
  const codes = new Set(config.codes);
  const client = new ApprovalClient(platform);
  let reminded = 0;
  let checked = 0;
  for await (const inst of machine.eachUndecided()) {
    if (codes.size && (!inst.approvalCode || !codes.has(inst.approvalCode))) continue;
    checked++;
    let tasks: NonNullable<InstanceData['task_list']>;
    try {
      const got = await client.raw(inst.instanceCode);
      if (got.status !== 'PENDING') continue; // decided meanwhile: the reconcile job moves it
      tasks = got.task_list ?? [];
    } catch (err) {
      logger.warn({ err, instance: inst.instanceCode }, 'could not read an approval instance for reminders; next run tries again');
      continue;
    }
    const t = now();
    const due = tasks.filter((x) => x.id && x.status === 'PENDING' && t - Number(x.start_time ?? t) >= config.afterMs);
    const claimed: { id: string; previous?: number }[] = [];
    for (const task of due) {
      const c = await reminders.claim(task.id!, inst.instanceCode, t, config.everyMs);
      if (c.claimed) claimed.push({ id: task.id!, previous: c.previous });
    }
    if (!claimed.length) continue;
    try {
      await client.remind({ instance: inst.instanceCode, tasks: claimed.map((c) => c.id), comment: config.comment });
      reminded += claimed.length;
      logger.info({ instance: inst.instanceCode, tasks: claimed.map((c) => c.id) }, 'reminded approvers of tasks pending too long');
    } catch (err) {
      for (const c of claimed) await reminders.release(c.id, t, c.previous);
      logger.warn({ err, instance: inst.instanceCode }, 'could not send approval reminders; next run tries again');
    }
  }
  return { reminded, checked };
}
