import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { setRouteTier } from '../platform-http.js';
import { defineProduct } from '../product.js';
import { approvalScopeNames, approvalScopes } from './scopes.js';
import { tiers } from '../ratelimit.js';
import { registerCommentRoutes } from './comments.js';
import { registerApprovalControlRoutes } from './control.js';
import { registerDefinitionRoutes } from './definitions.js';
import { registerInstanceOpsRoutes } from './instance-ops.js';
import { registerInstanceRoutes } from './instances.js';
import { approvalPage, registerApprovalPageRoutes } from './page-view.js';
import { ApprovalState } from './state.js';
import { registerTaskRoutes } from './tasks.js';

export { ApprovalState } from './state.js';
export { EXPENSE_APPROVAL_CODE, LEAVE_APPROVAL_CODE, PURCHASE_APPROVAL_CODE } from './seed.js';
export { APPROVAL_BOT } from './bot.js';
export type { ApprovalDefinition, ApprovalInstance, ApprovalSnapshot, ApprovalTask } from './types.js';

/** The APIs the reference lists at 100/min (tier 3); instance get stays at the default tier 4. */
const TIER_3: [string, string][] = [
  ['POST', '/open-apis/approval/v4/approvals'],
  ['GET', '/open-apis/approval/v4/approvals/:approval_code'],
  ['POST', '/open-apis/approval/v4/approvals/:approval_code/subscribe'],
  ['POST', '/open-apis/approval/v4/approvals/:approval_code/unsubscribe'],
  ['POST', '/open-apis/approval/v4/instances'],
  ['GET', '/open-apis/approval/v4/instances'],
  ['POST', '/open-apis/approval/v4/instances/cancel'],
  ['POST', '/open-apis/approval/v4/instances/cc'],
  ['POST', '/open-apis/approval/v4/tasks/approve'],
  ['POST', '/open-apis/approval/v4/tasks/reject'],
  ['POST', '/open-apis/approval/v4/tasks/transfer'],
];

/**
 * Approval v4: definitions, instances, tasks (AND / OR / SEQUENTIAL nodes), comments, the approval
 * events to subscribed apps, the platform's Approval bot in the Messenger, and the approval centre page.
 */
export const approval = defineProduct({
  name: 'approval',
  state: ApprovalState,
  page: approvalPage,
  scopes: approvalScopes,
  scopeNames: approvalScopeNames,
  routes(app: FastifyInstance, ctx: EmulatorContext) {
    for (const [method, route] of TIER_3) setRouteTier(method, route, tiers[3]);
    registerDefinitionRoutes(app, ctx);
    registerInstanceRoutes(app, ctx);
    registerInstanceOpsRoutes(app, ctx);
    registerTaskRoutes(app, ctx);
    registerCommentRoutes(app, ctx);
    registerApprovalControlRoutes(app, ctx);
    registerApprovalPageRoutes(app, ctx);
  },
});
