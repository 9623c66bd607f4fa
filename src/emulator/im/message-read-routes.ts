import type { FastifyInstance } from 'fastify';
import { requireTenant } from '../auth/index.js';
import { caller, type EmulatorContext } from '../context.js';
import { invalidParam } from '../errors.js';
import { ok, page, pageParams, requireString } from '../http.js';
import type { MessageRecord } from '../types.js';
import { imErrors } from './errors.js';
import { requireBotChat, requireMessage, toApiMessage } from './messages.js';
import { chatMessages } from './store.js';
import { ImState } from './state.js';

type Query = Record<string, unknown>;

/** Get one message and list a chat's or a thread's history. */
export function registerReadRoutes(app: FastifyInstance, ctx: EmulatorContext): void {
  app.get('/open-apis/im/v1/messages/:message_id', async (request, reply) => {
    requireTenant(request);
    const auth = caller(request);
    const { message_id } = request.params as { message_id: string };
    const userIdType = userIdTypeOf(request.query as Query);
    const msg = requireMessage(ctx, message_id);
    requireBotChat(ctx, msg.chat_id, auth.appId, () => imErrors.invalidParam('chat not found'));
    return ok(reply, { items: [toApiMessage(ctx, msg, { userIdType, view: 'get' })] });
  });

  app.get('/open-apis/im/v1/messages', async (request, reply) => {
    requireTenant(request);
    const auth = caller(request);
    const q = request.query as Query;
    const containerType = requireString(q, 'container_id_type');
    const containerId = requireString(q, 'container_id');
    const userIdType = userIdTypeOf(q);
    const sort = q.sort_type === undefined || q.sort_type === '' ? 'ByCreateTimeAsc' : q.sort_type;
    if (sort !== 'ByCreateTimeAsc' && sort !== 'ByCreateTimeDesc') throw invalidParam('sort_type', 'sort_type must be ByCreateTimeAsc or ByCreateTimeDesc');
    const { size, offset } = pageParams(q, { size: 20, max: 50 });

    let items: MessageRecord[];
    if (containerType === 'chat') {
      requireBotChat(ctx, containerId, auth.appId, () => imErrors.invalidParam(`chat ${containerId} does not exist`));
      // Replies inside a thread live in the thread; the chat's main flow shows only the message that started it.
      const seenThreads = new Set<string>();
      items = chatMessages(ctx, containerId).filter((m) => {
        if (!m.thread_id) return true;
        if (seenThreads.has(m.thread_id)) return false;
        seenThreads.add(m.thread_id);
        return true;
      });
      const start = seconds(q, 'start_time');
      const end = seconds(q, 'end_time');
      if (start !== undefined) items = items.filter((m) => m.create_time >= start * 1000);
      if (end !== undefined) items = items.filter((m) => m.create_time < (end + 1) * 1000);
    } else if (containerType === 'thread') {
      items = [...ctx.slice(ImState).messages.values()].filter((m) => m.thread_id === containerId).sort((a, b) => a.create_time - b.create_time);
      if (items.length === 0) throw imErrors.invalidParam(`thread ${containerId} does not exist`);
      requireBotChat(ctx, items[0].chat_id, auth.appId, () => imErrors.invalidParam('chat not found'));
    } else {
      throw invalidParam('container_id_type', 'container_id_type must be chat or thread');
    }
    if (sort === 'ByCreateTimeDesc') items = [...items].reverse();
    const result = page(items, offset, size);
    result.items = (result.items as MessageRecord[]).map((m) => toApiMessage(ctx, m, { userIdType, view: 'list' }));
    return ok(reply, result);
  });
}

function userIdTypeOf(q: Query): string {
  const t = q.user_id_type;
  if (t === undefined || t === '') return 'open_id';
  if (t !== 'open_id' && t !== 'union_id' && t !== 'user_id') throw invalidParam('user_id_type', 'user_id_type must be open_id, union_id or user_id');
  return t;
}

/** `start_time`/`end_time`: epoch seconds as strings. */
function seconds(q: Query, field: string): number | undefined {
  const raw = q[field];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw invalidParam(field, `${field} must be a timestamp in seconds`);
  return n;
}
