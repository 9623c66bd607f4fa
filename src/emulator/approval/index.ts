import type { FastifyInstance } from 'fastify';
import type { EmulatorContext } from '../context.js';
import { setRouteTier } from '../platform-http.js';
import { defineProduct } from '../product.js';
import { tiers } from '../ratelimit.js';
import { registerApprovalControlRoutes } from './control.js';
import { registerDefinitionRoutes } from './definitions.js';
import { registerInstanceRoutes } from './instances.js';
import { ApprovalState } from './state.js';
import { registerTaskRoutes } from './tasks.js';

export { ApprovalState } from './state.js';
export { EXPENSE_APPROVAL_CODE, LEAVE_APPROVAL_CODE } from './seed.js';
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
  ['POST', '/open-apis/approval/v4/tasks/approve'],
  ['POST', '/open-apis/approval/v4/tasks/reject'],
  ['POST', '/open-apis/approval/v4/tasks/transfer'],
];

/** Approval v4: definitions, instances, tasks (AND / OR / SEQUENTIAL nodes) and the v1 approval events. */
export const approval = defineProduct({
  name: 'approval',
  state: ApprovalState,
  routes(app: FastifyInstance, ctx: EmulatorContext) {
    for (const [method, route] of TIER_3) setRouteTier(method, route, tiers[3]);
    registerDefinitionRoutes(app, ctx);
    registerInstanceRoutes(app, ctx);
    registerTaskRoutes(app, ctx);
    registerApprovalControlRoutes(app, ctx);
  },
});
