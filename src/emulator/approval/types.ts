/** What the approval product stores: definitions, instances with their tasks, and app subscriptions. */

export type NodeType = 'AND' | 'OR' | 'SEQUENTIAL';

export interface Widget {
  id: string;
  type: string;
  name: string;
  required?: boolean;
  /** radioV2/checkboxV2 options as created (`[{value, text}]`), kept for get and the page. */
  option?: { value: string; text: string }[];
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
  /** Fixed cc (open_ids) from `ccer[]{type:"Personal"}`: copied when the node is reached. */
  ccers: string[];
  /** True when the submitter picks the approvers (`approver[]{type:"Free"}` or none given). */
  need_approver: boolean;
}

export type DefinitionStatus = 'ACTIVE' | 'INACTIVE' | 'DELETED';

export interface ApprovalDefinition {
  approval_code: string;
  approval_id: string;
  approval_name: string;
  description: string;
  status: DefinitionStatus;
  widgets: Widget[];
  /** Approval nodes only, in order; START and END are implied. */
  nodes: ApprovalNode[];
  viewers: { type: string; id?: string; user_id?: string }[];
  created_at: number;
  /** Bumped by every update (the `version_id` of `approval.approval.updated_v4`). */
  version: number;
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
  type: 'START' | 'PASS' | 'REJECT' | 'TRANSFER' | 'CANCEL' | 'CC' | 'DELETE';
  create_time: number;
  open_id: string;
  task_id?: string;
  comment?: string;
  /** Transfer target, or the people copied (CC). */
  to_open_ids?: string[];
}

export interface CcRecord {
  id: string;
  open_id: string;
  /** Who copied them (empty for a node's fixed cc). */
  from_open_id: string;
  create_time: number;
  read: boolean;
}

export interface CommentRecord {
  id: string;
  open_id: string;
  /** As sent: a JSON string `{"text":"…","files":[…]}`. */
  content: string;
  at_info_list: { user_id: string; name: string; offset: string }[];
  /** A reply names the comment it answers. */
  parent_id?: string;
  extra?: string;
  create_time: number;
  update_time: number;
  deleted: boolean;
}

export interface ApprovalInstance {
  instance_code: string;
  approval_code: string;
  /** The create-time `uuid` ('' when none was given). */
  uuid: string;
  /** A digest of the create body: the same uuid with another body is 60012. */
  fingerprint: string;
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
  /** open_ids per node copied when the node is reached (node_cc_*_list and the node's ccer). */
  node_cc: Record<string, string[]>;
  /** Index into the definition's nodes of the node being approved. */
  current_node: number;
  tasks: ApprovalTask[];
  cc: CcRecord[];
  comments: CommentRecord[];
  timeline: TimelineEntry[];
  /** `cancel_bot_notification` bits: 1 approved, 2 rejected, 4 canceled (no bot message for those). */
  quiet: number;
}

export interface ApprovalSnapshot {
  definitions: ApprovalDefinition[];
  instances: ApprovalInstance[];
  /** app_id → subscribed approval codes. */
  subscriptions: Record<string, string[]>;
}
