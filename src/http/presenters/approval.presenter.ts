import { formatDmsTime } from '../../lib/time.js';
import type { ApprovalDetailView } from '../../modules/approvals/detail.js';
import type { RuleView } from '../../modules/approvals/rules.js';
import type { ApprovalNodeView, TemplateView } from '../../modules/approvals/templates.js';
import type { PreviewNode } from '../../modules/approvals/workflow.js';

/** Approval views → the DMS wire shapes (reference §4 GetApprovalDetail, PreviewWorkflow; §9). */

/** GetApprovalDetail `ApprovalDetail`. */
export function presentApprovalDetail(d: ApprovalDetailView, tz: string): Record<string, unknown> {
  return {
    AuditId: d.instanceId,
    CreateTime: formatDmsTime(d.createdAt, tz),
    CurrentHandlers: { CurrentHandler: d.currentHandlers.map((h) => ({ Id: h.id, NickName: h.nickName })) },
    Description: d.description,
    OrderId: d.orderId,
    OrderType: d.orderType,
    ReasonList: { Reasons: d.reasons },
    TemplateId: d.templateId ?? undefined,
    Title: d.title,
    WorkflowInsCode: d.code,
    WorkflowNodes: {
      WorkflowNode: d.history.map((e) => ({
        AuditUserIdList: { AuditUserIds: e.auditUserIds.map(String) },
        NodeName: e.nodeName,
        OperateComment: e.comment ?? undefined,
        OperateTime: e.at === null ? undefined : formatDmsTime(e.at, tz),
        OperatorId: e.operatorId ?? undefined,
        WorkflowInsCode: e.code,
      })),
    },
    ThirdpartyWorkflowUrl: d.thirdpartyUrl ?? undefined,
    ThirdpartyWorkflowComment: d.thirdpartyComment ?? undefined,
  };
}

/** PreviewWorkflow `WorkflowDetail`. `RealName` is the user's login name (OpenDMS keeps no real names). */
export function presentPreview(p: { templateName: string; reasons: string[]; nodes: PreviewNode[] }): Record<string, unknown> {
  return {
    Comment: p.reasons.join(' '),
    WfCateName: p.templateName,
    WorkflowNodeList: {
      WorkflowNode: p.nodes.map((n) => ({
        AuditUserList: { AuditUser: n.approvers.map((a) => ({ UserId: a.userId, NickName: a.nickName, RealName: a.uid })) },
        Comment: n.comment,
        NodeName: n.name,
        NodeType: n.nodeType,
      })),
    },
  };
}

/** ListWorkFlowTemplates `WorkFlowTemplate`. */
export function presentTemplate(t: TemplateView): Record<string, unknown> {
  return {
    Comment: t.comment,
    CreateUserId: t.createUserId ?? 0,
    Enabled: t.enabled ? 'Y' : 'N',
    IsSystem: t.isSystem ? 1 : 0,
    TemplateId: t.id,
    TemplateName: t.name,
    WorkflowNodes: {
      WorkflowNode: t.nodes.map((n) => ({
        Comment: n.comment,
        CreateUserId: n.createUserId ?? 0,
        NodeId: n.id,
        NodeName: n.name,
        NodeType: n.nodeType,
        Position: n.position,
        TemplateId: t.id,
      })),
    },
  };
}

/** ListWorkFlowNodes `WorkflowNode`; `RequiredApprovals` is an OpenDMS addition (k of a k-of-n node). */
export function presentNode(n: ApprovalNodeView): Record<string, unknown> {
  return {
    AuditUsers: { AuditUser: n.users.map((u) => ({ UserId: u.userId, NickName: u.nickName, RealName: u.uid })) },
    Comment: n.comment,
    CreateUserId: n.createUserId ?? 0,
    CreateUserNickName: n.createUserNick ?? undefined,
    NodeId: n.id,
    NodeName: n.name,
    NodeType: n.nodeType,
    RequiredApprovals: n.requiredApprovals,
  };
}

/** ListApprovalRoutingRules / SetApprovalRoutingRules `Rules.Rule[]`. */
export function presentRule(r: RuleView): Record<string, unknown> {
  return {
    RuleId: r.id,
    Position: r.position,
    Name: r.name,
    PluginTypes: [...r.pluginTypes],
    EnvTypes: [...r.envTypes],
    MinEstimatedRows: r.minEstimatedRows ?? undefined,
    Decision: r.decision,
    TemplateId: r.templateId ?? undefined,
    TemplateName: r.templateName ?? undefined,
  };
}
