import { createHash } from 'node:crypto';
import type { ApprovalDefinition, ApprovalNode, NodeType, Widget } from './types.js';

/** Uppercase UUID-shaped hex from a name: the codes look like the platform's and are the same in every run and doc. */
export function stableCode(seed: string): string {
  const h = createHash('sha256').update(seed).digest('hex').toUpperCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
}

/** Node ids the platform assigns (hex), derived from the definition and the node's custom id. */
export const stableNodeId = (approvalCode: string, customId: string) =>
  createHash('sha256').update(`node:${approvalCode}:${customId}`).digest('hex').slice(0, 32);

export const EXPENSE_APPROVAL_CODE = stableCode('approval:expense');
export const LEAVE_APPROVAL_CODE = stableCode('approval:leave');
export const PURCHASE_APPROVAL_CODE = stableCode('approval:purchase');

function node(code: string, id: string, name: string, type: NodeType, approvers: string[]): ApprovalNode {
  return { node_id: stableNodeId(code, id), custom_node_id: id, name, node_type: type, approvers, ccers: [], need_approver: approvers.length === 0 };
}

function definition(code: string, id: string, name: string, description: string, widgets: Widget[], nodes: ApprovalNode[]): ApprovalDefinition {
  return { approval_code: code, approval_id: id, approval_name: name, description, status: 'ACTIVE', widgets, nodes, viewers: [{ type: 'TENANT' }], created_at: 0, version: 1 };
}

/**
 * The demo definitions. `openIdOf` maps a seeded user key (alice, erin…) to its open_id, so the
 * fixed approvers follow the directory's seed. Widget and node ids are readable on purpose:
 * they are what demos and tests put in `form` and `node_approver_*_list`.
 */
export function seedDefinitions(openIdOf: (userKey: string) => string | undefined): ApprovalDefinition[] {
  const who = (k: string) => {
    const id = openIdOf(k);
    return id ? [id] : [];
  };
  return [
    definition(
      EXPENSE_APPROVAL_CODE,
      '7100000000000000001',
      'Expense',
      'Expense reimbursement: the manager, then finance',
      [
        { id: 'amount', type: 'amount', name: 'Amount', required: true },
        { id: 'reason', type: 'textarea', name: 'Reason', required: true },
        { id: 'date', type: 'date', name: 'Date', required: true },
      ],
      [node(EXPENSE_APPROVAL_CODE, 'manager', 'Manager', 'OR', who('alice')), node(EXPENSE_APPROVAL_CODE, 'finance', 'Finance', 'OR', who('erin'))],
    ),
    definition(
      LEAVE_APPROVAL_CODE,
      '7100000000000000002',
      'Leave',
      'Leave request: the approvers the applicant picks, one after another',
      [
        {
          id: 'leave_type',
          type: 'radioV2',
          name: 'Leave type',
          required: true,
          option: [
            { value: 'annual', text: 'Annual leave' },
            { value: 'sick', text: 'Sick leave' },
          ],
        },
        { id: 'period', type: 'dateInterval', name: 'Period', required: true },
        { id: 'reason', type: 'textarea', name: 'Reason', required: false },
      ],
      [node(LEAVE_APPROVAL_CODE, 'approvers', 'Approvers', 'SEQUENTIAL', [])],
    ),
    definition(
      PURCHASE_APPROVAL_CODE,
      '7100000000000000003',
      'Purchase',
      'Purchase request: every budget owner must agree (countersign)',
      [
        { id: 'item', type: 'input', name: 'Item', required: true },
        { id: 'quantity', type: 'number', name: 'Quantity', required: true },
        { id: 'amount', type: 'amount', name: 'Amount', required: true },
      ],
      [node(PURCHASE_APPROVAL_CODE, 'budget_owners', 'Budget owners', 'AND', [...who('alice'), ...who('erin')])],
    ),
  ];
}
