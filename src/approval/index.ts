export * from './form.js';
export * from './tables.js';
export * from './action-runs.js';
export * from './state-machine.js';
export * from './http-action.js';
export * from './runner.js';
export { approvalCapability, approvalsConfigSchema, type ApprovalsConfig, type ApprovalContext, type ApprovalHandle } from './capability.js';
