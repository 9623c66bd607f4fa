import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { ok, page, pageParams } from '../http.js';
import { approvalErrors } from './errors.js';
import { numericId } from './flow.js';
import { ApprovalState } from './state.js';
import type { ApprovalInstance, CommentRecord } from './types.js';
import { idAs, idTypeOf, type IdType, resolveUser } from './users.js';

type Body = Record<string, unknown>;
const isObj = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

function instanceOf(ctx: EmulatorContext, id: string): ApprovalInstance {
  const inst = ctx.slice(ApprovalState).findInstance(id);
  if (!inst) throw approvalErrors.instanceNotFound(id);
  return inst;
}

/**
 * Adds (or, with `commentId`, edits) a comment: what the API and the approval centre page share.
 * `content` is the platform's JSON string `{"text":"…","files":[…]}`.
 */
export function writeComment(
  ctx: EmulatorContext,
  inst: ApprovalInstance,
  author: string,
  c: { content: string; at?: CommentRecord['at_info_list']; parentId?: string; commentId?: string; extra?: string },
): CommentRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(c.content);
  } catch {
    throw approvalErrors.param('content', 'content must be a JSON string like {"text":"…"}');
  }
  if (!isObj(parsed) || (typeof parsed.text !== 'string' && !Array.isArray(parsed.files))) throw approvalErrors.param('content', 'content needs a text or files');
  const now = ctx.clock.now();
  if (c.commentId) {
    const existing = inst.comments.find((x) => x.id === c.commentId && !x.deleted);
    if (!existing) throw approvalErrors.param('comment_id', `no comment ${c.commentId} on the instance`);
    if (existing.open_id !== author) throw approvalErrors.noPermission('only the commentator can edit a comment');
    Object.assign(existing, { content: c.content, at_info_list: c.at ?? existing.at_info_list, update_time: now, ...(c.extra !== undefined ? { extra: c.extra } : {}) });
    return existing;
  }
  if (c.parentId && !inst.comments.some((x) => x.id === c.parentId && !x.parent_id)) throw approvalErrors.param('parent_comment_id', `no comment ${c.parentId} to reply to`);
  const rec: CommentRecord = {
    id: numericId(),
    open_id: author,
    content: c.content,
    at_info_list: c.at ?? [],
    ...(c.parentId ? { parent_id: c.parentId } : {}),
    ...(c.extra !== undefined ? { extra: c.extra } : {}),
    create_time: now,
    update_time: now,
    deleted: false,
  };
  inst.comments.push(rec);
  return rec;
}

function commentView(ctx: EmulatorContext, c: CommentRecord, idType: IdType) {
  return {
    id: c.id,
    content: c.content,
    create_time: String(c.create_time),
    update_time: String(c.update_time),
    is_delete: c.deleted ? 1 : 0,
    at_info_list: c.at_info_list,
    commentator: idAs(ctx, c.open_id, idType),
    extra: c.extra ?? '',
  };
}

/** Instance comments: create (or edit), list with replies, delete one (logical), remove all. */
export function registerCommentRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  const base = '/open-apis/approval/v4/instances/:instance_id/comments';
  const instanceId = (request: { params: unknown }) => (request.params as { instance_id: string }).instance_id;

  app.post(base, async (request, reply) => {
    const q = request.query as Body;
    const idType = idTypeOf(q);
    const inst = instanceOf(ctx, instanceId(request));
    const author = resolveUser(ctx, q.user_id, idType);
    const b = (request.body ?? {}) as Body;
    if (typeof b.content !== 'string' || b.content === '') throw approvalErrors.param('content', 'content is required');
    const at = Array.isArray(b.at_info_list)
      ? b.at_info_list.filter(isObj).map((a) => ({ user_id: String(a.user_id ?? ''), name: String(a.name ?? ''), offset: String(a.offset ?? '0') }))
      : undefined;
    const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
    const rec = writeComment(ctx, inst, author.open_id, { content: b.content, at, parentId: str(b.parent_comment_id), commentId: str(b.comment_id), extra: str(b.extra) });
    return ok(reply, { comment_id: rec.id });
  });

  app.get(base, async (request, reply) => {
    const q = request.query as Body;
    const idType = idTypeOf(q);
    const inst = instanceOf(ctx, instanceId(request));
    resolveUser(ctx, q.user_id, idType);
    const { size, offset } = pageParams(q, { size: 100, max: 1000 }, 1390001);
    // Deleted comments stay listed with is_delete 1, as the documented example shows.
    const top = inst.comments.filter((c) => !c.parent_id);
    const items = top.map((c) => ({
      ...commentView(ctx, c, idType),
      replies: inst.comments.filter((r) => r.parent_id === c.id).map((r) => commentView(ctx, r, idType)),
    }));
    return ok(reply, page(items, offset, size, 'comments'));
  });

  app.delete(`${base}/:comment_id`, async (request, reply) => {
    const q = request.query as Body;
    const inst = instanceOf(ctx, instanceId(request));
    const who = resolveUser(ctx, q.user_id, idTypeOf(q));
    const id = (request.params as { comment_id: string }).comment_id;
    const c = inst.comments.find((x) => x.id === id && !x.deleted);
    if (!c) throw approvalErrors.param('comment_id', `no comment ${id} on the instance`);
    if (c.open_id !== who.open_id) throw approvalErrors.noPermission('only the commentator can delete a comment');
    c.deleted = true;
    c.update_time = ctx.clock.now();
    return ok(reply, { comment_id: c.id });
  });

  app.post(`${base}/remove`, async (request, reply) => {
    const inst = instanceOf(ctx, instanceId(request));
    inst.comments = [];
    return ok(reply, { instance_id: inst.instance_code, external_id: '' });
  });
}
