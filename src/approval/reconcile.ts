import type { Logger } from '../config/index.js';
import type { Platform } from '../platform/index.js';
import type { Store } from '../store/index.js';
import { ApprovalClient, statusOf } from './client.js';
import { ApprovalStateMachine, isInstanceStatus, type InstanceStatus } from './state-machine.js';

export type ApplyStatus = (instanceCode: string, status: InstanceStatus, operateTime: string | number, approvalCode?: string) => Promise<unknown>;

/**
 * One round of the reconcile job: every instance the hub still has as undecided is fetched
 * (`instance get`), and a status that moved is applied as if its event had come. So an outage of
 * the event push, or an event Feishu never sent, is caught up within one interval.
 */
export async function reconcilePending(store: Store, platform: Platform, apply: ApplyStatus, logger: Logger): Promise<{ checked: number; moved: number }> {
  let checked = 0;
  let moved = 0;
  const client = new ApprovalClient(platform);
  for await (const p of new ApprovalStateMachine(store).eachUndecided()) {
    checked++;
    try {
      const res = await client.raw(p.instanceCode);
      const status = statusOf(res);
      if (status && isInstanceStatus(status) && status !== p.status) {
        moved++;
        await apply(p.instanceCode, status, res.end_time && res.end_time !== '0' ? res.end_time : Date.now(), res.approval_code ?? p.approvalCode ?? undefined);
      }
    } catch (err) {
      logger.warn({ err, instance: p.instanceCode }, 'could not reconcile an approval instance; next run tries again');
    }
  }
  if (moved) logger.info({ checked, moved }, 'reconciled approval instances whose events did not arrive');
  return { checked, moved };
}
