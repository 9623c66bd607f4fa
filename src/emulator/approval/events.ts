import type { EmulatorContext } from '../context.js';
import { AuthState } from '../auth/index.js';
import { DirectoryState } from '../directory/index.js';
import { ApprovalState } from './state.js';
import type { ApprovalInstance, ApprovalTask } from './types.js';
import { userIds } from './users.js';

/**
 * The v1 approval events (§3.4), pushed only to the apps that subscribed the definition
 * (`approvals/:code/subscribe`), as the platform does.
 */
function push(ctx: EmulatorContext, approvalCode: string, event: Record<string, unknown>): void {
  const apps = ctx.slice(AuthState).apps;
  const tenantKey = ctx.slice(DirectoryState).tenantKey;
  for (const appId of ctx.slice(ApprovalState).subscribers(approvalCode)) {
    // A subscription restored from an older snapshot may name an app that is gone.
    if (!apps.has(appId)) continue;
    ctx.events.publishV1(appId, { app_id: appId, tenant_key: tenantKey, ...event });
  }
}

/** `approval_instance`: status PENDING / APPROVED / REJECTED / CANCELED, and REVERTED (admin). */
export function instanceEvent(ctx: EmulatorContext, inst: ApprovalInstance, status: string): void {
  const now = ctx.clock.now();
  push(ctx, inst.approval_code, {
    type: 'approval_instance',
    approval_code: inst.approval_code,
    instance_code: inst.instance_code,
    status,
    // The documented quirk: operate_time is a ms string, except on REVERTED where it is an int64.
    operate_time: status === 'REVERTED' ? now : String(now),
    instance_operate_time: String(now),
    uuid: inst.uuid,
  });
}

/** `approval_task`: PENDING when a task is assigned, then APPROVED / REJECTED / TRANSFERRED / DONE. */
export function taskEvent(ctx: EmulatorContext, inst: ApprovalInstance, task: ApprovalTask): void {
  push(ctx, inst.approval_code, {
    type: 'approval_task',
    approval_code: inst.approval_code,
    instance_code: inst.instance_code,
    task_id: task.id,
    ...userIds(ctx, task.open_id),
    status: task.status,
    operate_time: String(ctx.clock.now()),
    custom_key: task.custom_node_id,
    def_key: task.node_id,
    extra: '',
  });
}
