import type { EmulatorContext } from '../context.js';
import { AuthState } from '../auth/index.js';
import { DirectoryState } from '../directory/index.js';
import { ApprovalState } from './state.js';
import type { ApprovalDefinition, ApprovalInstance, ApprovalTask, CcRecord } from './types.js';
import { userIds } from './users.js';

/**
 * The approval events (§3.4), pushed through the bus (so delivery faults, retries and the event
 * log apply) and only to the apps that subscribed the definition (`approvals/:code/subscribe`),
 * as the platform does: an unsubscribed definition sends nothing.
 */
function subscribedApps(ctx: EmulatorContext, approvalCode: string): string[] {
  const apps = ctx.slice(AuthState).apps;
  // A subscription restored from an older snapshot may name an app that is gone.
  return ctx.slice(ApprovalState).subscribers(approvalCode).filter((id) => apps.has(id));
}

function pushV1(ctx: EmulatorContext, approvalCode: string, event: Record<string, unknown>): void {
  const tenantKey = ctx.slice(DirectoryState).tenantKey;
  for (const appId of subscribedApps(ctx, approvalCode)) ctx.events.publishV1(appId, { app_id: appId, tenant_key: tenantKey, ...event });
}

/** v1 `approval_instance`: PENDING / APPROVED / REJECTED / CANCELED / DELETED, and REVERTED (admin). */
export function instanceEvent(ctx: EmulatorContext, inst: ApprovalInstance, status: string): void {
  const now = ctx.clock.now();
  pushV1(ctx, inst.approval_code, {
    type: 'approval_instance',
    approval_code: inst.approval_code,
    instance_code: inst.instance_code,
    status,
    // The documented quirk: operate_time is a ms string, except on REVERTED where it is an int64.
    operate_time: status === 'REVERTED' ? now : String(now),
    instance_operate_time: String(now),
    // "如果创建审批实例时传入了 uuid，则此处返回该实例的 uuid": only when one was given.
    ...(inst.uuid ? { uuid: inst.uuid } : {}),
  });
}

/** v1 `approval_task`: PENDING when a task is assigned, then APPROVED / REJECTED / TRANSFERRED / DONE. */
export function taskEvent(ctx: EmulatorContext, inst: ApprovalInstance, task: ApprovalTask): void {
  pushV1(ctx, inst.approval_code, {
    type: 'approval_task',
    approval_code: inst.approval_code,
    instance_code: inst.instance_code,
    task_id: task.id,
    ...userIds(ctx, task.open_id),
    status: task.status,
    operate_time: String(ctx.clock.now()),
    custom_key: task.custom_node_id,
    def_key: task.node_id,
    // Only rollbacks fill extra (rollback node ids); the emulator has none.
    extra: '',
  });
}

/** v1 `approval_cc`: CREATE when someone is copied, READ when they open it. `create_time` is a number. */
export function ccEvent(ctx: EmulatorContext, inst: ApprovalInstance, cc: CcRecord, operate: 'CREATE' | 'READ'): void {
  pushV1(ctx, inst.approval_code, {
    type: 'approval_cc',
    approval_code: inst.approval_code,
    instance_code: inst.instance_code,
    id: cc.id,
    user_id: userIds(ctx, cc.open_id).user_id,
    create_time: cc.create_time,
    operate,
    from: cc.from_open_id ? userIds(ctx, cc.from_open_id).user_id : '',
  });
}

/** v2 `approval.approval.updated_v4` when a definition changes (update through create, status). */
export function definitionUpdatedEvent(ctx: EmulatorContext, def: ApprovalDefinition): void {
  const object = {
    approval_id: def.approval_id,
    approval_code: def.approval_code,
    version_id: `${def.approval_id.slice(0, 12)}${String(def.version).padStart(7, '0')}`,
    widget_group_type: 0,
    form_definition_id: `${def.approval_id.slice(0, 13)}${String(def.version).padStart(6, '0')}`,
    process_obj: JSON.stringify({ node_list: def.nodes.map((n) => ({ node_id: n.node_id, custom_node_id: n.custom_node_id, node_type: n.node_type })) }),
    // Seconds, as a string in the documented example.
    timestamp: String(Math.floor(ctx.clock.now() / 1000)),
    extra: '',
  };
  for (const appId of subscribedApps(ctx, def.approval_code)) ctx.events.publish(appId, 'approval.approval.updated_v4', { object });
}
