import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { DirectoryState } from '../directory/index.js';
import type { PageEntry } from '../product.js';
import type { UserRecord } from '../types.js';
import { displayValue } from './bot.js';
import { ApprovalState } from './state.js';
import type { ApprovalInstance } from './types.js';
import { findUserAnyId, nameOf } from './users.js';
import { commentText } from './views.js';

/**
 * The approval centre in the web client (Feishu's 审批中心: Pending / Done / Initiated / CC), as
 * one person sees it. The page (web/approval.js) reads these routes and acts through control.ts.
 */
export const approvalPage: PageEntry = {
  title: 'Approval',
  path: '/#/approval',
  icon: 'approval',
  module: new URL('./web/approval.js', import.meta.url).href,
};

const person = (ctx: EmulatorContext, openId: string) => ({ open_id: openId, name: nameOf(ctx, openId), avatar: `/__emulator/avatars/${encodeURIComponent(openId)}?size=80` });

function formView(ctx: EmulatorContext, inst: ApprovalInstance) {
  const def = ctx.slice(ApprovalState).definitions.get(inst.approval_code);
  const widgets = new Map((def?.widgets ?? []).map((w) => [w.id, w]));
  return inst.form.map((f) => ({ id: f.id, name: f.name, type: f.type, value: f.value, display: displayValue(f.value, widgets.get(f.id)) }));
}

/** One row of a list: what the instance is, who asked, its state, and the viewer's task if any. */
function row(ctx: EmulatorContext, inst: ApprovalInstance, viewer: UserRecord) {
  const def = ctx.slice(ApprovalState).definitions.get(inst.approval_code);
  const mine = [...inst.tasks].reverse().find((t) => t.open_id === viewer.open_id);
  const cc = inst.cc.find((c) => c.open_id === viewer.open_id);
  return {
    instance_code: inst.instance_code,
    approval_name: def?.approval_name ?? '',
    title: inst.title,
    applicant: person(ctx, inst.open_id),
    status: inst.status,
    reverted: inst.reverted,
    start_time: inst.start_time,
    end_time: inst.end_time,
    summary: formView(ctx, inst).slice(0, 3),
    ...(mine ? { task: { id: mine.id, status: mine.status, node_name: mine.node_name, start_time: mine.start_time, end_time: mine.end_time } } : {}),
    ...(cc ? { cc: { read: cc.read, create_time: cc.create_time, from: cc.from_open_id ? nameOf(ctx, cc.from_open_id) : '' } } : {}),
  };
}

/** An instance as the detail pane shows it: form, progress per node, timeline, comments, what the viewer may do. */
export function detailView(ctx: EmulatorContext, inst: ApprovalInstance, viewer?: UserRecord) {
  const def = ctx.slice(ApprovalState).definitions.get(inst.approval_code);
  const nodes = (def?.nodes ?? []).map((n, i) => ({
    name: n.name,
    type: n.node_type,
    state: inst.status === 'APPROVED' || i < inst.current_node ? 'done' : i === inst.current_node && inst.status === 'PENDING' ? 'current' : i === inst.current_node ? 'stopped' : 'waiting',
    approvers: (inst.approvers[n.node_id] ?? []).map((id) => person(ctx, id)),
    tasks: inst.tasks.filter((t) => t.node_id === n.node_id).map((t) => ({ id: t.id, status: t.status, ...person(ctx, t.open_id) })),
  }));
  const myTask = viewer && inst.status === 'PENDING' ? inst.tasks.find((t) => t.open_id === viewer.open_id && t.status === 'PENDING') : undefined;
  return {
    instance_code: inst.instance_code,
    approval_code: inst.approval_code,
    approval_name: def?.approval_name ?? '',
    title: inst.title,
    serial_number: inst.serial_number,
    uuid: inst.uuid,
    status: inst.status,
    reverted: inst.reverted,
    applicant: person(ctx, inst.open_id),
    start_time: inst.start_time,
    end_time: inst.end_time,
    form: formView(ctx, inst),
    nodes,
    timeline: inst.timeline.map((e) => ({ type: e.type, time: e.create_time, who: person(ctx, e.open_id), comment: e.comment ?? '', to: (e.to_open_ids ?? []).map((id) => nameOf(ctx, id)) })),
    comments: inst.comments.filter((c) => !c.deleted).map((c) => ({ id: c.id, who: person(ctx, c.open_id), text: commentText(c), time: c.create_time, reply_to: c.parent_id })),
    cc: inst.cc.map((c) => ({ ...person(ctx, c.open_id), read: c.read })),
    my_task: myTask ? { id: myTask.id, node_name: myTask.node_name } : undefined,
    can_cancel: Boolean(viewer && viewer.open_id === inst.open_id && inst.status === 'PENDING'),
  };
}

export function registerApprovalPageRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const state = () => ctx.slice(ApprovalState);

  // Everything the approval centre lists for one person (`?user=`, any id; default the first user).
  app.get('/__emulator/approval', async (request, reply) => {
    const q = request.query as { user?: string };
    const dir = ctx.slice(DirectoryState);
    const active = dir.users.filter((u) => !u.resigned);
    const viewer = q.user ? findUserAnyId(ctx, q.user) : active[0];
    if (!viewer) return reply.status(400).send({ error: `no user ${q.user}` });
    const all = [...state().instances.values()].sort((a, b) => b.start_time - a.start_time);
    const rows = (list: ApprovalInstance[]) => list.map((i) => row(ctx, i, viewer));
    const mineOpen = (i: ApprovalInstance) => i.status === 'PENDING' && i.tasks.some((t) => t.open_id === viewer.open_id && t.status === 'PENDING');
    return {
      user: person(ctx, viewer.open_id),
      users: active.map((u) => ({ ...person(ctx, u.open_id), user_id: u.user_id, job_title: u.job_title })),
      definitions: [...state().definitions.values()].map((d) => ({ approval_code: d.approval_code, approval_name: d.approval_name, status: d.status, description: d.description })),
      pending: rows(all.filter(mineOpen)),
      done: rows(all.filter((i) => !mineOpen(i) && i.tasks.some((t) => t.open_id === viewer.open_id && t.status !== 'PENDING' && t.status !== 'DONE'))),
      initiated: rows(all.filter((i) => i.open_id === viewer.open_id)),
      cc: rows(all.filter((i) => i.cc.some((c) => c.open_id === viewer.open_id))),
    };
  });

  app.get('/__emulator/approval/instances/:code', async (request, reply) => {
    const inst = state().findInstance((request.params as { code: string }).code);
    if (!inst) return reply.status(404).send({ error: 'no such instance', code: 1390003 });
    const q = request.query as { user?: string };
    return { instance: detailView(ctx, inst, q.user ? findUserAnyId(ctx, q.user) : undefined) };
  });
}
