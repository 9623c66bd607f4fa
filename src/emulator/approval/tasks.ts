import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { ok } from '../http.js';
import type { UserRecord } from '../types.js';
import { approvalErrors } from './errors.js';
import { approveTask, rejectTask, transferTask } from './flow.js';
import { ApprovalState } from './state.js';
import type { ApprovalDefinition, ApprovalInstance, ApprovalTask } from './types.js';
import { idTypeOf, resolveUser } from './users.js';

type Body = Record<string, unknown>;

export type TaskAction = 'approve' | 'reject' | 'transfer';

/**
 * The checks every task action makes, in the platform's order: the instance (1390003), its
 * definition (1390002), the task (1390010), and that the actor holds it (1390009, HTTP 403).
 */
export function actionableTask(
  ctx: EmulatorContext,
  args: { approvalCode?: unknown; instanceCode?: unknown; taskId: unknown; actor: UserRecord },
): { def: ApprovalDefinition; inst: ApprovalInstance; task: ApprovalTask } {
  const state = ctx.slice(ApprovalState);
  let inst: ApprovalInstance | undefined;
  if (args.instanceCode !== undefined) {
    inst = typeof args.instanceCode === 'string' ? state.instances.get(args.instanceCode) : undefined;
  } else {
    // Control routes name only the task.
    inst = [...state.instances.values()].find((i) => i.tasks.some((t) => t.id === args.taskId));
    if (!inst) throw approvalErrors.taskNotFound(String(args.taskId));
  }
  if (!inst) throw approvalErrors.instanceNotFound(String(args.instanceCode));
  if (args.approvalCode !== undefined && args.approvalCode !== inst.approval_code) {
    if (!state.definitions.has(String(args.approvalCode))) throw approvalErrors.approvalNotFound(String(args.approvalCode));
    throw approvalErrors.param('approval_code', 'approval_code does not match the instance');
  }
  const def = state.definitions.get(inst.approval_code);
  if (!def) throw approvalErrors.approvalNotFound(inst.approval_code);
  const task = inst.tasks.find((t) => t.id === args.taskId);
  if (!task) throw approvalErrors.taskNotFound(String(args.taskId));
  if (task.open_id !== args.actor.open_id) throw approvalErrors.noPermission('the task is assigned to someone else');
  if (task.status !== 'PENDING' || inst.status !== 'PENDING') throw approvalErrors.param('task_id', `the task is ${task.status} (instance ${inst.status}), not PENDING`);
  return { def, inst, task };
}

/** Runs one action on a checked task; `transferTo` is the target's open_id. */
export function runTaskAction(ctx: EmulatorContext, action: TaskAction, t: ReturnType<typeof actionableTask>, comment: string, transferTo?: string): void {
  if (action === 'approve') approveTask(ctx, t.def, t.inst, t.task, comment);
  else if (action === 'reject') rejectTask(ctx, t.inst, t.task, comment);
  else transferTask(ctx, t.def, t.inst, t.task, transferTo!, comment);
}

/** `POST tasks/approve|reject|transfer`: `user_id` (of `user_id_type`, default open_id) is the approver. */
export function registerTaskRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  for (const action of ['approve', 'reject', 'transfer'] as const) {
    app.post(`/open-apis/approval/v4/tasks/${action}`, async (request, reply) => {
      const body = (request.body ?? {}) as Body;
      const idType = idTypeOf(request.query as Body);
      for (const field of ['approval_code', 'instance_code', 'task_id'] as const) {
        if (typeof body[field] !== 'string' || body[field] === '') throw approvalErrors.param(field, `${field} is required`);
      }
      if (body.comment !== undefined && typeof body.comment !== 'string') throw approvalErrors.param('comment', 'comment must be a string');
      const actor = resolveUser(ctx, body.user_id, idType);
      const target = action === 'transfer' ? resolveUser(ctx, body.transfer_user_id, idType, 'transfer_user_id') : undefined;
      const t = actionableTask(ctx, { approvalCode: body.approval_code, instanceCode: body.instance_code, taskId: body.task_id, actor });
      if (target && target.open_id === actor.open_id) throw approvalErrors.param('transfer_user_id', 'cannot transfer a task to its own approver');
      runTaskAction(ctx, action, t, (body.comment as string | undefined) ?? '', target?.open_id);
      return ok(reply, {});
    });
  }
}
