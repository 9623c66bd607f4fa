import { randomInt } from 'node:crypto';
import type { EmulatorContext } from '../context.js';
import { approvalBot } from './bot.js';
import { ccEvent, instanceEvent, taskEvent } from './events.js';
import type { ApprovalDefinition, ApprovalInstance, ApprovalTask, InstanceStatus, TaskStatus } from './types.js';

/**
 * The approval engine. Nodes run one after another; inside a node AND (countersign) needs every
 * approver, OR the first one (the others' tasks become DONE), SEQUENTIAL one approver at a time in
 * the submitted order. Any rejection ends the instance. Every change is an event, in the order the
 * task-event page lists them, and the platform's Approval bot tells the people concerned.
 */

/** 19-digit numeric ids, like the platform's task, cc and comment ids. */
export const numericId = () => `7${String(randomInt(1e9)).padStart(9, '0')}${String(randomInt(1e9)).padStart(9, '0')}`;

function setTask(ctx: EmulatorContext, inst: ApprovalInstance, task: ApprovalTask, status: TaskStatus): void {
  task.status = status;
  task.end_time = ctx.clock.now();
  taskEvent(ctx, inst, task);
}

function assign(ctx: EmulatorContext, def: ApprovalDefinition, inst: ApprovalInstance, nodeIndex: number, openId: string, by?: string): ApprovalTask {
  const node = def.nodes[nodeIndex];
  const task: ApprovalTask = {
    id: numericId(),
    open_id: openId,
    status: 'PENDING',
    node_id: node.node_id,
    custom_node_id: node.custom_node_id,
    node_name: node.name,
    type: node.node_type,
    start_time: ctx.clock.now(),
    end_time: 0,
  };
  inst.tasks.push(task);
  taskEvent(ctx, inst, task);
  approvalBot.assigned(ctx, inst, task, { by });
  return task;
}

function finish(ctx: EmulatorContext, inst: ApprovalInstance, status: InstanceStatus): void {
  for (const t of inst.tasks) if (t.status === 'PENDING') setTask(ctx, inst, t, 'DONE');
  inst.status = status;
  inst.end_time = ctx.clock.now();
  instanceEvent(ctx, inst, status);
  if (status === 'APPROVED' || status === 'REJECTED' || status === 'CANCELED') approvalBot.finished(ctx, inst, status);
}

/** Copies people on the instance: a CC timeline entry, `approval_cc` CREATE each, and the bot's message. */
export function addCc(ctx: EmulatorContext, inst: ApprovalInstance, openIds: string[], from: string, comment = ''): void {
  const fresh = [...new Set(openIds)].filter((id) => id !== inst.open_id);
  if (fresh.length === 0) return;
  const now = ctx.clock.now();
  inst.timeline.push({ type: 'CC', create_time: now, open_id: from || inst.open_id, to_open_ids: fresh, ...(comment ? { comment } : {}) });
  for (const openId of fresh) {
    const cc = { id: numericId(), open_id: openId, from_open_id: from, create_time: now, read: false };
    inst.cc.push(cc);
    ccEvent(ctx, inst, cc, 'CREATE');
    approvalBot.cc(ctx, inst, cc);
  }
}

/** Opens node `index` (its cc, then its tasks), or approves the instance when no node is left. */
function openNode(ctx: EmulatorContext, def: ApprovalDefinition, inst: ApprovalInstance, index: number): void {
  inst.current_node = index;
  const node = def.nodes[index];
  if (!node) return finish(ctx, inst, 'APPROVED');
  addCc(ctx, inst, inst.node_cc[node.node_id] ?? [], '');
  const approvers = inst.approvers[node.node_id] ?? [];
  // A node without approvers passes by itself (the platform's AUTO_PASS for an empty node).
  if (approvers.length === 0) return openNode(ctx, def, inst, index + 1);
  for (const openId of node.node_type === 'SEQUENTIAL' ? approvers.slice(0, 1) : approvers) assign(ctx, def, inst, index, openId);
}

/** A new instance: START on the timeline, PENDING, the bot's receipt, then its first node. */
export function startInstance(ctx: EmulatorContext, def: ApprovalDefinition, inst: ApprovalInstance): void {
  inst.timeline.push({ type: 'START', create_time: inst.start_time, open_id: inst.open_id });
  instanceEvent(ctx, inst, 'PENDING');
  approvalBot.submitted(ctx, inst);
  openNode(ctx, def, inst, 0);
}

function record(ctx: EmulatorContext, inst: ApprovalInstance, task: ApprovalTask, type: 'PASS' | 'REJECT' | 'TRANSFER', comment: string, to?: string): void {
  // Approval opinions live on the timeline, not in comment_list (the comments API excludes them too).
  inst.timeline.push({ type, create_time: ctx.clock.now(), open_id: task.open_id, task_id: task.id, ...(comment ? { comment } : {}), ...(to ? { to_open_ids: [to] } : {}) });
}

export function approveTask(ctx: EmulatorContext, def: ApprovalDefinition, inst: ApprovalInstance, task: ApprovalTask, comment: string): void {
  record(ctx, inst, task, 'PASS', comment);
  setTask(ctx, inst, task, 'APPROVED');
  const node = def.nodes[inst.current_node];
  const inNode = inst.tasks.filter((t) => t.node_id === node.node_id);
  if (node.node_type === 'OR') {
    for (const t of inNode) if (t.status === 'PENDING') setTask(ctx, inst, t, 'DONE');
    return openNode(ctx, def, inst, inst.current_node + 1);
  }
  if (node.node_type === 'SEQUENTIAL') {
    // The k-th approval hands the node to the (k+1)-th approver; a transfer keeps the position.
    const approvers = inst.approvers[node.node_id] ?? [];
    const done = inNode.filter((t) => t.status === 'APPROVED').length;
    if (done < approvers.length) return void assign(ctx, def, inst, inst.current_node, approvers[done]);
    return openNode(ctx, def, inst, inst.current_node + 1);
  }
  const open = inNode.filter((t) => t.status === 'PENDING');
  // AND: the task-event page says the node's remaining tasks are pushed PENDING again.
  for (const t of open) taskEvent(ctx, inst, t);
  if (open.length === 0) openNode(ctx, def, inst, inst.current_node + 1);
}

export function rejectTask(ctx: EmulatorContext, inst: ApprovalInstance, task: ApprovalTask, comment: string): void {
  record(ctx, inst, task, 'REJECT', comment);
  setTask(ctx, inst, task, 'REJECTED');
  finish(ctx, inst, 'REJECTED');
}

export function transferTask(ctx: EmulatorContext, def: ApprovalDefinition, inst: ApprovalInstance, task: ApprovalTask, toOpenId: string, comment: string): void {
  record(ctx, inst, task, 'TRANSFER', comment, toOpenId);
  setTask(ctx, inst, task, 'TRANSFERRED');
  assign(ctx, def, inst, inst.current_node, toOpenId, task.open_id);
}

export function cancelInstance(ctx: EmulatorContext, inst: ApprovalInstance): void {
  inst.timeline.push({ type: 'CANCEL', create_time: ctx.clock.now(), open_id: inst.open_id });
  finish(ctx, inst, 'CANCELED');
}

/** A definition deleted by an admin: its pending instances become DELETED, their tasks DONE. */
export function deleteInstance(ctx: EmulatorContext, inst: ApprovalInstance): void {
  inst.timeline.push({ type: 'DELETE', create_time: ctx.clock.now(), open_id: inst.open_id });
  finish(ctx, inst, 'DELETED');
}

/** The admin revokes an approved instance: `reverted` is set and REVERTED is pushed. */
export function revertInstance(ctx: EmulatorContext, inst: ApprovalInstance): void {
  inst.reverted = true;
  instanceEvent(ctx, inst, 'REVERTED');
  approvalBot.finished(ctx, inst, 'REVERTED');
}
