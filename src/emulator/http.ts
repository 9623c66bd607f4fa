import type { FastifyReply, FastifyRequest } from 'fastify';
import { ApiError } from './errors.js';

export const JSON_TYPE = 'application/json; charset=utf-8';

/** `{code:0,msg:"success",data}`: the envelope of almost every API. */
export function ok(reply: FastifyReply, data?: unknown, msg = 'success') {
  reply.type(JSON_TYPE);
  return data === undefined ? { code: 0, msg } : { code: 0, msg, data };
}

/** The error body of new-style APIs, with log id and troubleshooter link. */
export function errorBody(request: FastifyRequest, err: ApiError): Record<string, unknown> {
  if (err.extra.bare) return { code: err.code, msg: err.message };
  const error: Record<string, unknown> = {
    message: err.extra.errorMessage ?? err.message,
    log_id: request.logId,
    troubleshooter: `https://open.feishu.cn/search?from=openapi&log_id=${request.logId}&code=${err.code}&method_id=0`,
  };
  if (err.extra.fieldViolations) error.field_violations = err.extra.fieldViolations;
  if (err.extra.permissionViolations) error.permission_violations = err.extra.permissionViolations;
  if (err.extra.helps) error.helps = err.extra.helps;
  return { code: err.code, msg: err.message, error };
}

/** A required string in a JSON body or query, else 99992402 with the field's name. */
export function requireString(obj: Record<string, unknown> | undefined, field: string, where = ''): string {
  const v = obj?.[field];
  if (typeof v !== 'string' || v.length === 0) {
    throw new ApiError(400, 99992402, 'field validation failed', {
      fieldViolations: [{ field: `${where}${field}`, description: `${field} is required` }],
    });
  }
  return v;
}

/** page_size/page_token parsing shared by list APIs: tokens are opaque offsets. */
export function pageParams(query: Record<string, unknown>, defaults: { size: number; max: number }, invalidCode = 99992402) {
  const raw = query.page_size;
  let size = defaults.size;
  if (raw !== undefined && raw !== '') {
    size = Number(raw);
    if (!Number.isInteger(size) || size < 1 || size > defaults.max) {
      throw new ApiError(400, invalidCode, 'field validation failed', {
        fieldViolations: [{ field: 'page_size', value: String(raw), description: `page_size must be between 1 and ${defaults.max}` }],
      });
    }
  }
  let offset = 0;
  const token = query.page_token;
  if (typeof token === 'string' && token !== '') {
    const decoded = Number(Buffer.from(token, 'base64url').toString());
    if (!Number.isInteger(decoded) || decoded < 0) {
      throw new ApiError(400, invalidCode, 'field validation failed', {
        fieldViolations: [{ field: 'page_token', value: token, description: 'page_token is invalid' }],
      });
    }
    offset = decoded;
  }
  return { size, offset };
}

/** One page of items in the platform's pagination shape. */
export function page<T>(items: T[], offset: number, size: number, key = 'items') {
  const slice = items.slice(offset, offset + size);
  const hasMore = offset + size < items.length;
  return {
    [key]: slice,
    has_more: hasMore,
    ...(hasMore ? { page_token: Buffer.from(String(offset + size)).toString('base64url') } : {}),
  } as Record<string, unknown> & { has_more: boolean; page_token?: string };
}
