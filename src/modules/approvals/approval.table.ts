import type { Generated } from 'kysely';

/**
 * Row types of the approval tables (migration 0006). Times are epoch milliseconds, booleans 0/1.
 *
 * Definitions (per tenant, configured by ADMINs; built-in rows have `tenant_id` null and are shared
 * by every tenant): `approval_node` (+ `approval_node_user`), `approval_template` (+ its ordered
 * `approval_template_node`), `approval_routing_rule`.
 *
 * Instances (one per submission of a ticket): `workflow_instance`, its ordered `workflow_node`s with
 * their resolved `workflow_approver`s, and the `workflow_action` history. An instance is a snapshot:
 * editing a template or node later does not change tickets already under approval.
 */
export interface ApprovalNodeTable {
  id: Generated<number>;
  /** null: a built-in node (NodeType SYS), shared by every tenant. */
  tenant_id: number | null;
  /** Built-in nodes: whom they resolve to per ticket (see SystemNodeCode); null for user-defined. */
  system_code: string | null;
  /** DMS NodeType: SYS or USER_LIST. */
  node_type: string;
  name: string;
  comment: string;
  /** k of a k-of-n node: distinct approvers needed to pass it (1 = any one, the DMS semantics). */
  required_approvals: number;
  create_user_id: number | null;
  created_at: number;
  updated_at: number;
}

/** The users of a user-defined (USER_LIST) node. */
export interface ApprovalNodeUserTable {
  node_id: number;
  user_id: number;
}

export interface ApprovalTemplateTable {
  id: Generated<number>;
  /** null: a built-in template (IsSystem=1), shared by every tenant. */
  tenant_id: number | null;
  /** Built-in templates: the role they play in the default routes; null for user-defined. */
  system_code: string | null;
  name: string;
  comment: string;
  enabled: number;
  create_user_id: number | null;
  created_at: number;
  updated_at: number;
}

/** A template's chain: node at 1-based `position`. */
export interface ApprovalTemplateNodeTable {
  template_id: number;
  position: number;
  node_id: number;
}

/** One routing rule of a tenant; rules are tried in `position` order, the first match wins. */
export interface ApprovalRoutingRuleTable {
  id: Generated<number>;
  tenant_id: number;
  position: number;
  name: string;
  /** Comma-separated PluginTypes ('' = any; DATA_CORRECT = every DC_* type). */
  plugin_types: string;
  /** Comma-separated lower-case EnvTypes ('' = any). */
  env_types: string;
  /** Applies when the ticket's estimated rows are at least this (or unknown); null = any. */
  min_estimated_rows: number | null;
  /** APPROVAL (with template_id), NO_APPROVAL or FORBID. */
  decision: string;
  template_id: number | null;
  created_at: number;
}

export interface WorkflowInstanceTable {
  /** The DMS WorkflowInstanceId (AuditId). */
  id: Generated<number>;
  tenant_id: number;
  ticket_id: number;
  /** null when the route needed no approval. */
  template_id: number | null;
  template_name: string;
  /** AUDITING, APPROVED, REJECT or CANCEL. */
  status: string;
  /** Why this route applies: a JSON array of strings (GetApprovalDetail ReasonList). */
  reasons: string;
  committer_id: number;
  /** SetWorkflowExtraInfo Render* flags (default 1): which approval buttons a console shows. */
  render_agree: Generated<number>;
  render_reject: Generated<number>;
  render_cancel: Generated<number>;
  render_transfer: Generated<number>;
  render_add_node: Generated<number>;
  thirdparty_url: string | null;
  thirdparty_comment: string | null;
  created_at: number;
  finished_at: number | null;
}

export interface WorkflowNodeTable {
  id: Generated<number>;
  instance_id: number;
  /** 1-based order in the chain; nodes added with ADD_APPROVAL_NODE shift the ones after them. */
  position: number;
  name: string;
  node_type: string;
  /** The definition it was made from (approval_node.id). */
  source_node_id: number | null;
  required_approvals: number;
  /** WAITING, AUDITING (the current node), APPROVED, REJECT or CANCEL. */
  status: string;
  /** Who inserted it (ADD_APPROVAL_NODE); null for nodes of the template. */
  added_by_id: number | null;
  created_at: number;
  finished_at: number | null;
}

/** Who may approve a node: PENDING (may act), AGREED (did), TRANSFERRED (handed it to others). */
export interface WorkflowApproverTable {
  workflow_node_id: number;
  user_id: number;
  state: string;
}

/** The approval history: one row per submission and per approval action. */
export interface WorkflowActionTable {
  id: Generated<number>;
  instance_id: number;
  workflow_node_id: number | null;
  actor_id: number | null;
  delegated_by_id: number | null;
  /** SUBMIT, AUTO_APPROVE, AGREE, REJECT, CANCEL, TRANSFER or ADD_APPROVAL_NODE. */
  action: string;
  comment: string | null;
  /** What the action did besides its kind, readable (transfer targets, the node added). */
  detail: string | null;
  created_at: number;
}
