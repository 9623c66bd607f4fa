import { ApiError } from '../errors.js';

/**
 * The approval v4 business errors (§4, and each API page's table): HTTP 400, except 1390009 (no
 * permission) which is 403. `msg` is the documented text exactly; what was wrong goes in
 * `error.field_violations`, so a developer sees it without the msg changing under code that logs it.
 */
const err = (status: number, code: number, msg: string, field?: string, description?: string) =>
  new ApiError(status, code, msg, field ? { fieldViolations: [{ field, description: description ?? field }] } : {});

export const approvalErrors = {
  param: (field: string, description: string) => err(400, 1390001, 'param is invalid', field, description),
  approvalNotFound: (code?: string) => err(400, 1390002, 'approval code not found', 'approval_code', code ? `no approval ${code}` : undefined),
  instanceNotFound: (code?: string) => err(400, 1390003, 'instance code not found', 'instance_code', code ? `no instance ${code}` : undefined),
  userNotFound: (field: string, id: string) => err(400, 1390004, 'user_id or open_id not found', field, `no active user ${id}`),
  subscribed: (code: string) => err(400, 1390007, 'subscription existed', 'approval_code', `the app already subscribed ${code}`),
  noPermission: (why: string) => err(403, 1390009, 'no operation permission', 'user_id', why),
  taskNotFound: (id?: string) => err(400, 1390010, 'task not found', 'task_id', id ? `no task ${id}` : undefined),
  notActive: (code: string) => err(400, 1390015, 'approval is not active', 'approval_code', `${code} is INACTIVE`),
  deleted: (code: string) => err(400, 1390016, 'approval is deleted', 'approval_code', `${code} is DELETED`),
  /** The create page: "同一个 uuid 只能用于创建一个审批实例，如果冲突则创建失败并返回错误码 60012". */
  uuidConflict: (uuid: string) => err(400, 60012, 'uuid conflict', 'uuid', `uuid ${uuid} already created an instance with another body`),
};
