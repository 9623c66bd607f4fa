/** What the approval product stores: definitions, instances with their tasks, and app subscriptions. */

export type NodeType = 'AND' | 'OR' | 'SEQUENTIAL';

export interface Widget {
  id: string;
  type: string;
  name: string;
  required?: boolean;
}

export interface ApprovalNode {
  /** The platform's node id (what `node_list[].node_id` shows). */
  node_id: string;
  /** The id given at definition create (`node_list[].id`); instance create may key approvers by either. */
  custom_node_id: string;
  name: string;
  node_type: NodeType;
  /** Fixed approvers (open_ids) from `approver[]{type:"Personal"}`. */
  approvers: string[];
  /** True when the submitter picks the approvers (`approver[]{type:"Free"}` or none given). */
  need_approver: boolean;
}

export interface ApprovalDefinition {
  approval_code: string;
  approval_id: string;
  approval_name: string;
  description: string;
  status: 'ACTIVE' | 'INACTIVE' | 'DELETED';
  widgets: Widget[];
  /** Approval nodes only, in order; START and END are implied. */
  nodes: ApprovalNode[];
  viewers: { type: string; id?: string; user_id?: string }[];
  created_at: number;
}

export type TaskStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'TRANSFERRED' | 'DONE';
export type InstanceStatus = 'PENDING' | 'APPROVED' | 'REJECTED' | 'CANCELED' | 'DELETED';

export interface ApprovalTask {
  id: string;
  open_id: string;
  status: TaskStatus;
  node_id: string;
  custom_node_id: string;
  node_name: string;
  type: NodeType;
  start_time: number;
  end_time: number;
}

export interface TimelineEntry {
  type: 'START' | 'PASS' | 'REJECT' | 'TRANSFER' | 'CANCEL';
  create_time: number;
  open_id: string;
  task_id?: string;
  comment?: string;
  /** Transfer target. */
  to_open_id?: string;
}

export interface ApprovalInstance {
  instance_code: string;
  approval_code: string;
  uuid: string;
  title: string;
  open_id: string;
  department_id: string;
  serial_number: string;
  /** The submitted form items, with each widget's name added (as get shows them). */
  form: { id: string; type: string; name: string; value: unknown }[];
  status: InstanceStatus;
  /** Set by the admin's revert (control route); the status stays APPROVED. */
  reverted: boolean;
  start_time: number;
  end_time: number;
  /** open_ids per node (node_id → approvers), fixed at creation. */
  approvers: Record<string, string[]>;
  /** Index into the definition's nodes of the node being approved. */
  current_node: number;
  tasks: ApprovalTask[];
  comments: { id: string; open_id: string; comment: string; create_time: number }[];
  timeline: TimelineEntry[];
}

export interface ApprovalSnapshot {
  definitions: ApprovalDefinition[];
  instances: ApprovalInstance[];
  /** app_id → subscribed approval codes. */
  subscriptions: Record<string, string[]>;
}
