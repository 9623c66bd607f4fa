import type { ScopeTable } from '../product.js';

const INSTANCE_WRITE = ['approval:approval', 'approval:approval:readonly', 'approval:instance'];
const TASK = ['approval:approval', 'approval:approval:readonly', 'approval:task'];
const COMMENT_WRITE = ['approval:approval', 'approval:instance.comment'];

/**
 * The scopes of approval v4, from each API's "权限要求" (any one suffices) in the platform's docs
 * (服务端 API › 审批). `instances/remind` has no page in the docs mirror; it takes what the other
 * instance operations (cancel, cc) take.
 */
export const approvalScopes: ScopeTable = {
  'POST /open-apis/approval/v4/approvals': ['approval:approval', 'approval:definition'],
  'GET /open-apis/approval/v4/approvals/:approval_code': ['approval:approval', 'approval:approval:readonly', 'approval:definition'],
  'POST /open-apis/approval/v4/approvals/:approval_code/subscribe': ['approval:approval', 'approval:definition'],
  'POST /open-apis/approval/v4/approvals/:approval_code/unsubscribe': ['approval:approval', 'approval:definition'],
  'POST /open-apis/approval/v4/instances': ['approval:approval', 'approval:instance'],
  'GET /open-apis/approval/v4/instances/:instance_id': ['approval:approval', 'approval:approval:readonly', 'approval:instance'],
  'GET /open-apis/approval/v4/instances': ['approval:approval', 'approval:approval:readonly', 'approval:instance'],
  'POST /open-apis/approval/v4/instances/cancel': INSTANCE_WRITE,
  'POST /open-apis/approval/v4/instances/cc': INSTANCE_WRITE,
  'POST /open-apis/approval/v4/instances/preview': ['approval:approval:readonly'],
  'POST /open-apis/approval/v4/instances/remind': INSTANCE_WRITE,
  'POST /open-apis/approval/v4/tasks/approve': TASK,
  'POST /open-apis/approval/v4/tasks/reject': TASK,
  'POST /open-apis/approval/v4/tasks/transfer': TASK,
  'POST /open-apis/approval/v4/instances/:instance_id/comments': COMMENT_WRITE,
  'GET /open-apis/approval/v4/instances/:instance_id/comments': ['approval:approval', 'approval:approval:readonly', 'approval:instance.comment'],
  'DELETE /open-apis/approval/v4/instances/:instance_id/comments/:comment_id': COMMENT_WRITE,
  'POST /open-apis/approval/v4/instances/:instance_id/comments/remove': COMMENT_WRITE,
};

export const approvalScopeNames: Record<string, string> = {
  'approval:approval': 'View, create, update and delete approval information',
  'approval:approval:readonly': 'Access the approval app',
  'approval:definition': 'View, create, update and delete native approval definitions',
  'approval:instance': 'View, create, update and delete native approval instances',
  'approval:task': 'Approve, reject, return and add approvers to native approval tasks',
  'approval:instance.comment': 'View, create, update and delete approval comments',
};
