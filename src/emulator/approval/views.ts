import type { EmulatorContext } from '../context.js';
import { ApprovalState } from './state.js';
import type { ApprovalInstance, CommentRecord, TimelineEntry } from './types.js';
import { type IdType, userIds } from './users.js';

const ms = (t: number) => String(t);

/** The text of a comment's content (`{"text":"…"}`), or the raw content when it is not that JSON. */
export function commentText(c: CommentRecord): string {
  try {
    const parsed = JSON.parse(c.content) as { text?: unknown };
    return typeof parsed.text === 'string' ? parsed.text : c.content;
  } catch {
    return c.content;
  }
}

function timelineEntry(ctx: EmulatorContext, inst: ApprovalInstance, e: TimelineEntry) {
  const to = e.to_open_ids ?? [];
  const cc = e.type === 'CC' ? inst.cc.filter((c) => to.includes(c.open_id) && c.create_time === e.create_time) : [];
  return {
    type: e.type,
    create_time: ms(e.create_time),
    ...userIds(ctx, e.open_id),
    ...(e.type === 'TRANSFER' ? { user_id_list: to.map((id) => userIds(ctx, id).user_id), open_id_list: to } : {}),
    ...(e.task_id ? { task_id: e.task_id } : {}),
    ...(e.comment ? { comment: e.comment } : {}),
    ...(e.type === 'CC' ? { cc_user_list: cc.map((c) => ({ user_id: userIds(ctx, c.open_id).user_id, cc_id: c.id, open_id: c.open_id })) } : {}),
    // ext is a JSON string on every entry (the SDK types it as required).
    ext: JSON.stringify(e.type === 'TRANSFER' && to[0] ? { user_id: userIds(ctx, to[0]).user_id } : {}),
    node_key: '',
    files: [],
  };
}

/** `GET instances/:id` as the SDK types it: times are ms strings, `end_time` "0" while pending. */
export function instanceView(ctx: EmulatorContext, inst: ApprovalInstance, _idType: IdType = 'open_id') {
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
    ...(inst.title ? { title: inst.title } : {}),
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
    // The comment section's top-level comments; approval opinions are on the timeline.
    comment_list: inst.comments
      .filter((c) => !c.deleted && !c.parent_id)
      .map((c) => ({ id: c.id, ...userIds(ctx, c.open_id), comment: commentText(c), create_time: ms(c.create_time), files: [] })),
    timeline: inst.timeline.map((e) => timelineEntry(ctx, inst, e)),
    reverted: inst.reverted,
  };
}
