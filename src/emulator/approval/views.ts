import type { EmulatorContext } from '../context.js';
import { ApprovalState } from './state.js';
import type { ApprovalInstance } from './types.js';
import { userIds } from './users.js';

const ms = (t: number) => String(t);

/** `GET instances/:id` as the SDK types it: times are ms strings, `end_time` "0" while pending. */
export function instanceView(ctx: EmulatorContext, inst: ApprovalInstance) {
  const def = ctx.slice(ApprovalState).definitions.get(inst.approval_code);
  const who = userIds(ctx, inst.open_id);
  return {
    approval_name: def?.approval_name ?? '',
    approval_code: inst.approval_code,
    instance_code: inst.instance_code,
    start_time: ms(inst.start_time),
    end_time: ms(inst.end_time),
    user_id: who.user_id,
    open_id: who.open_id,
    serial_number: inst.serial_number,
    department_id: inst.department_id,
    status: inst.status,
    uuid: inst.uuid,
    title: inst.title,
    form: JSON.stringify(inst.form),
    task_list: inst.tasks.map((t) => ({
      id: t.id,
      ...userIds(ctx, t.open_id),
      status: t.status,
      node_id: t.node_id,
      node_name: t.node_name,
      custom_node_id: t.custom_node_id,
      type: t.type,
      start_time: ms(t.start_time),
      end_time: ms(t.end_time),
    })),
    comment_list: inst.comments.map((c) => ({ id: c.id, ...userIds(ctx, c.open_id), comment: c.comment, create_time: ms(c.create_time), files: [] })),
    timeline: inst.timeline.map((e) => ({
      type: e.type,
      create_time: ms(e.create_time),
      ...userIds(ctx, e.open_id),
      ...(e.task_id ? { task_id: e.task_id } : {}),
      ...(e.comment ? { comment: e.comment } : {}),
      ...(e.to_open_id ? { user_id_list: [userIds(ctx, e.to_open_id).user_id], open_id_list: [e.to_open_id] } : {}),
      // ext is a JSON string on every entry (the SDK types it as required).
      ext: JSON.stringify(e.to_open_id ? { user_id: userIds(ctx, e.to_open_id).user_id } : {}),
      node_key: '',
      files: [],
    })),
    reverted: inst.reverted,
  };
}
