import { bitableApi as b } from '../bitable/scopes.js';
import { patchMessage as patchMessageScope, sendMessage as sendMessageScope } from '../bot/scopes.js';
import type { ScopeNeed } from '../capability/index.js';
import { getUser as getUserScope } from '../contact/scopes.js';
import type { ApprovalsConfig } from './config.js';

const CODE = 'FEISHU-HUB-DOCTOR-PROBE';
const READ = ['approval:approval:readonly', 'approval:instance', 'approval:approval'];
const on = (c: ApprovalsConfig) => c.rules.length > 0 || c.approver_cards.length > 0;
const cards = (c: ApprovalsConfig) => c.approver_cards.length > 0;
const rules = (kind: 'message' | 'bitable') => (c: ApprovalsConfig) => c.rules.some((r) => r[kind] !== undefined);

/** Approval v4 for the rules and approver cards (subscribe, read, decide), and what their actions call. */
export const approvalScopes: ScopeNeed<ApprovalsConfig>[] = [
  { api: 'POST /open-apis/approval/v4/approvals/:approval_code/subscribe', scopes: ['approval:definition', 'approval:approval'], why: 'receive approval events for the configured approval codes', enabled: on, probe: { url: `/open-apis/approval/v4/approvals/${CODE}/subscribe` } },
  { api: 'GET /open-apis/approval/v4/approvals/:approval_code', scopes: ['approval:approval:readonly', 'approval:definition', 'approval:approval'], why: "read an approval's form and nodes", enabled: on, probe: { url: `/open-apis/approval/v4/approvals/${CODE}` } },
  { api: 'GET /open-apis/approval/v4/instances/:instance_id', scopes: READ, why: 'read an instance (the reconcile job, approver cards)', enabled: on, probe: { url: `/open-apis/approval/v4/instances/${CODE}` } },
  { api: 'POST /open-apis/approval/v4/tasks/approve', scopes: ['approval:task', 'approval:approval:readonly', 'approval:approval'], why: 'approve from the approver card', enabled: cards, probe: { url: '/open-apis/approval/v4/tasks/approve', data: { approval_code: CODE, instance_code: CODE, user_id: 'ou_feishu_hub_doctor_probe', task_id: '0' } } },
  { api: 'POST /open-apis/approval/v4/tasks/reject', scopes: ['approval:task', 'approval:approval:readonly', 'approval:approval'], why: 'reject from the approver card', enabled: cards },
  { ...sendMessageScope, why: 'send approver cards and the message rules\' messages', enabled: (c) => cards(c) || rules('message')(c) },
  { ...patchMessageScope, why: 'update an approver card once the task is decided', enabled: cards },
  { ...getUserScope, why: "show the applicant's name on approver cards", enabled: cards },
  { ...b.fields, why: "bitable rules: check the table's fields at start", enabled: rules('bitable') },
  { ...b.search, why: 'bitable rules: find the record by its key field', enabled: rules('bitable') },
  { ...b.create, why: 'bitable rules: add a record', enabled: rules('bitable') },
  { ...b.update, why: 'bitable rules: update the record', enabled: rules('bitable') },
];
