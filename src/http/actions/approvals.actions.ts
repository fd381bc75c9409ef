import { AppError, invalidParam } from '../../errors.js';
import { APPROVAL_TYPES, approveOrder } from '../../modules/approvals/decisions.js';
import { approvalDetail, setWorkflowExtraInfo } from '../../modules/approvals/detail.js';
import { listRoutingRules, MAX_RULES, setRoutingRules } from '../../modules/approvals/rules.js';
import {
  createNode,
  createTemplate,
  deleteNode,
  deleteTemplate,
  DEFINITION_LIMITS,
  listApprovalNodes,
  listTemplates,
  updateNode,
  updateTemplate,
} from '../../modules/approvals/templates.js';
import { previewWorkflow, submitForApproval } from '../../modules/approvals/workflow.js';
import { presentApprovalDetail, presentNode, presentPreview, presentRule, presentTemplate } from '../presenters/approval.presenter.js';
import { defineAction } from '../rpc/registry.js';
import { p } from '../rpc/schema.js';

const GROUP = 'Approvals';

/** Ids in a list parameter (comma-separated or a JSON array). */
function ids(list: string[] | undefined, name: string): number[] | undefined {
  return list?.map((s) => {
    const n = Number(s);
    if (!Number.isSafeInteger(n) || n <= 0) throw invalidParam(name, `"${s}" is not an id.`);
    return n;
  });
}

const instanceParam = p.long('Approval-process instance id (GetOrderBaseInfo WorkflowInstanceId).').req();
const searchParam = p.string('Only those whose name contains this text (case-insensitive).').maxLen(128);
const ADMIN_ONLY = ' ADMIN only.';

const RULES_DOC =
  'JSON array, tried in order (first match wins): [{"Name": text, "PluginTypes": [PluginType…] (absent/empty = any; DATA_CORRECT = every DC_* type), ' +
  '"EnvTypes": [EnvType…] (absent/empty = any), "MinEstimatedRows": N (matches when the ticket estimates at least N rows or gives no estimate), ' +
  '"Decision": "APPROVAL" | "NO_APPROVAL" | "FORBID", "TemplateId": id (with APPROVAL only)}]. An empty array leaves the defaults: ' +
  'product environments need the database Owner then the DBA, other environments the DBA. A ticket on several databases takes the most demanding route.';

export const approvalActions = [
  defineAction({
    name: 'SubmitOrderApproval',
    group: GROUP,
    summary: 'Submits a ticket in status new (or reject: a new approval instance) to the approval workflow its routing rules choose.',
    coverage:
      'All parameters. Committer only (an ADMIN acts for them with RealLoginUserUid). A route that needs no approval makes the ticket approved at once. The response adds `WorkflowInstanceId` (OpenDMS).',
    acceptsRealLoginUser: true,
    params: { OrderId: p.long('Ticket id.').req() },
    response: '`WorkflowInstanceId` (OpenDMS addition; DMS returns the common fields only)',
    handler: async (input, ctx) => {
      const res = await submitForApproval(ctx.deps, ctx.actor, input.OrderId, ctx.requestId);
      return { WorkflowInstanceId: res.workflowInstanceId };
    },
  }),
  defineAction({
    name: 'PreviewWorkflow',
    group: GROUP,
    summary: "The approval chain of a ticket with each node's approvers: the chain a submission would get now, or once submitted the ticket's own.",
    coverage: 'All parameters and fields. `RealName` is the login name (Uid); the node `Comment` of a submitted ticket gives its state.',
    params: { OrderId: p.long('Ticket id.').req() },
    response: '`WorkflowDetail{Comment, WfCateName, WorkflowNodeList.WorkflowNode[]{NodeName, NodeType, Comment, AuditUserList.AuditUser[]{UserId, NickName, RealName}}}`',
    handler: async (input, ctx) => ({ WorkflowDetail: presentPreview(await previewWorkflow(ctx.deps, ctx.actor, input.OrderId)) }),
  }),
  defineAction({
    name: 'GetApprovalDetail',
    group: GROUP,
    summary: 'An approval instance: state, current handlers, why this route applies, and the whole history (who, when, what, comment).',
    coverage:
      'All parameters and fields. `WorkflowNodes` lists the submission (START), every approval action in order, then the node waiting now (AUDITING); nodes not reached yet are in PreviewWorkflow.',
    params: { WorkflowInstanceId: instanceParam },
    response:
      '`ApprovalDetail{AuditId, CreateTime, CurrentHandlers.CurrentHandler[]{Id, NickName}, Description, OrderId, OrderType, ReasonList.Reasons[], TemplateId, Title, WorkflowInsCode, WorkflowNodes.WorkflowNode[]{AuditUserIdList.AuditUserIds[], NodeName, OperateComment, OperateTime, OperatorId, WorkflowInsCode}, ThirdpartyWorkflowUrl, ThirdpartyWorkflowComment}`',
    handler: async (input, ctx) => ({ ApprovalDetail: presentApprovalDetail(await approvalDetail(ctx.deps, ctx.actor, input.WorkflowInstanceId), ctx.deps.config.timezone) }),
  }),
  defineAction({
    name: 'ApproveOrder',
    group: GROUP,
    summary:
      'Acts on the current node: AGREE / REJECT / TRANSFER / ADD_APPROVAL_NODE by a current handler (TRANSFER with OldApprover: an ADMIN), CANCEL by the committer.',
    coverage:
      'All parameters. Concurrent actions on one ticket are serialized by a compare-and-set on the ticket version (the loser gets ConcurrentModification). ADD_APPROVAL_NODE adds a user-defined (USER_LIST) node.',
    acceptsRealLoginUser: true,
    params: {
      WorkflowInstanceId: instanceParam,
      ApprovalType: p.enum(APPROVAL_TYPES, 'What to do.', true).req(),
      Comment: p.string('Remark recorded with the action.').maxLen(4000),
      NewApprover: p.long('TRANSFER: the user who takes over (or NewApproverList, not both).'),
      NewApproverList: p.list('TRANSFER: comma-separated user ids who take over (or NewApprover, not both).').maxLen(DEFINITION_LIMITS.usersPerNode),
      OldApprover: p.long('TRANSFER: whose approval is handed on; default the caller; another approver: ADMIN only.'),
      ApprovalNodeId: p.long('ADD_APPROVAL_NODE: the user-defined node to insert (ListWorkFlowNodes NodeType USER_LIST).'),
      ApprovalNodePos: p.enum(
        ['PRE_ADD_APPROVAL_NODE', 'POST_ADD_APPROVAL_NODE', 'PRE', 'POST'] as const,
        'ADD_APPROVAL_NODE: before (PRE) or after (POST) the current node.',
        true,
      ),
    },
    response: '(common fields only)',
    handler: async (input, ctx) => {
      if (input.ApprovalType === 'TRANSFER' && (input.NewApprover === undefined) === (input.NewApproverList === undefined)) {
        throw new AppError('InvalidNewApprover', 'Specified parameter NewApprover is not valid: TRANSFER needs exactly one of NewApprover and NewApproverList.');
      }
      await approveOrder(ctx.deps, ctx.actor, {
        workflowInstanceId: input.WorkflowInstanceId,
        type: input.ApprovalType,
        comment: input.Comment,
        newApprovers: input.NewApprover !== undefined ? [input.NewApprover] : ids(input.NewApproverList, 'NewApproverList'),
        oldApprover: input.OldApprover,
        nodeId: input.ApprovalNodeId,
        nodePosition: input.ApprovalNodePos === undefined ? undefined : input.ApprovalNodePos.startsWith('PRE') ? 'PRE' : 'POST',
        requestId: ctx.requestId,
      });
      return {};
    },
  }),
  defineAction({
    name: 'SetWorkflowExtraInfo',
    group: GROUP,
    summary: "Stores a third-party approval link and remark on an approval instance and which approval buttons a console shows (committer or ADMIN).",
    coverage: 'All parameters. The Render* flags are stored (OpenDMS has no console rendering them yet); the link and remark show in GetApprovalDetail.',
    params: {
      WorkflowInstanceId: instanceParam,
      RenderAgree: p.boolean('Show the agree button (default true).'),
      RenderReject: p.boolean('Show the reject button (default true).'),
      RenderCancel: p.boolean('Show the cancel button (default true).'),
      RenderTransfer: p.boolean('Show the transfer button (default true).'),
      RenderAddApprovalNode: p.boolean('Show the add-node button (default true).'),
      ThirdpartyWorkflowUrl: p.string('http(s) link to the external approval; empty clears it.').maxLen(2048),
      ThirdpartyWorkflowComment: p.string('Remark about the external approval; empty clears it.').maxLen(4000),
    },
    response: '`Data` (true)',
    handler: async (input, ctx) => {
      await setWorkflowExtraInfo(ctx.deps, ctx.actor, input.WorkflowInstanceId, {
        renderAgree: input.RenderAgree,
        renderReject: input.RenderReject,
        renderCancel: input.RenderCancel,
        renderTransfer: input.RenderTransfer,
        renderAddApprovalNode: input.RenderAddApprovalNode,
        thirdpartyUrl: input.ThirdpartyWorkflowUrl,
        thirdpartyComment: input.ThirdpartyWorkflowComment,
      });
      return { Data: true };
    },
  }),
  defineAction({
    name: 'ListWorkFlowTemplates',
    group: GROUP,
    summary: "Approval templates with their node chains: the built-in ones (IsSystem 1) and the tenant's own.",
    coverage: 'All parameters and fields. SearchName matches the template name.',
    params: { SearchName: searchParam },
    response: '`WorkFlowTemplates.WorkFlowTemplate[]{TemplateId, TemplateName, Comment, CreateUserId, Enabled, IsSystem, WorkflowNodes.WorkflowNode[]{NodeId, NodeName, NodeType, Comment, CreateUserId, Position, TemplateId}}`',
    handler: async (input, ctx) => ({ WorkFlowTemplates: { WorkFlowTemplate: (await listTemplates(ctx.deps, ctx.actor, input.SearchName)).map(presentTemplate) } }),
  }),
  defineAction({
    name: 'ListWorkFlowNodes',
    group: GROUP,
    summary: "Approval nodes: built-in (SYS, resolved per ticket) and the tenant's user-defined ones (USER_LIST), usable with ADD_APPROVAL_NODE.",
    coverage:
      'All parameters and fields. SearchName matches the node name. AuditUsers: a USER_LIST node\'s users; the Admin / All DBAs nodes\' current role holders; [] for Owner and DBA (per ticket). Adds `RequiredApprovals`.',
    params: { SearchName: searchParam },
    response: '`WorkflowNodes.WorkflowNode[]{NodeId, NodeName, NodeType, Comment, CreateUserId, CreateUserNickName, RequiredApprovals, AuditUsers.AuditUser[]{UserId, NickName, RealName}}`',
    handler: async (input, ctx) => ({ WorkflowNodes: { WorkflowNode: (await listApprovalNodes(ctx.deps, ctx.actor, input.SearchName)).map(presentNode) } }),
  }),

  // OpenDMS extensions: what DMS configures only in its console.
  defineAction({
    name: 'CreateWorkFlowTemplate',
    group: GROUP,
    extension: true,
    summary: 'Creates an approval template: an ordered chain of nodes (built-in or user-defined).' + ADMIN_ONLY,
    params: {
      TemplateName: p.string('Name.').req().maxLen(DEFINITION_LIMITS.nameChars),
      Comment: p.string('Description.').maxLen(DEFINITION_LIMITS.commentChars),
      NodeIdList: p.list(`Node ids in approval order (ListWorkFlowNodes NodeId), comma-separated or a JSON array; 1-${DEFINITION_LIMITS.nodesPerTemplate}, each once.`).req(),
      Enabled: p.boolean('Whether routing rules may use it.').default(true),
    },
    response: '`TemplateId`',
    handler: async (input, ctx) => ({
      TemplateId: await createTemplate(ctx.deps, ctx.actor, { name: input.TemplateName, comment: input.Comment, nodeIds: ids(input.NodeIdList, 'NodeIdList')!, enabled: input.Enabled }),
    }),
  }),
  defineAction({
    name: 'UpdateWorkFlowTemplate',
    group: GROUP,
    extension: true,
    summary: 'Changes a template of the tenant (built-in ones cannot change); tickets under approval keep their chain.' + ADMIN_ONLY,
    params: {
      TemplateId: p.long('Template id.').req(),
      TemplateName: p.string('New name.').maxLen(DEFINITION_LIMITS.nameChars),
      Comment: p.string('New description.').maxLen(DEFINITION_LIMITS.commentChars),
      NodeIdList: p.list('New chain: node ids in approval order.'),
      Enabled: p.boolean('Enable or disable; rules routing to a disabled template are skipped.'),
    },
    response: '(common fields only)',
    handler: async (input, ctx) => {
      await updateTemplate(ctx.deps, ctx.actor, input.TemplateId, { name: input.TemplateName, comment: input.Comment, nodeIds: ids(input.NodeIdList, 'NodeIdList'), enabled: input.Enabled });
      return {};
    },
  }),
  defineAction({
    name: 'DeleteWorkFlowTemplate',
    group: GROUP,
    extension: true,
    summary: 'Deletes a template of the tenant that no routing rule uses.' + ADMIN_ONLY,
    params: { TemplateId: p.long('Template id.').req() },
    response: '(common fields only)',
    handler: async (input, ctx) => {
      await deleteTemplate(ctx.deps, ctx.actor, input.TemplateId);
      return {};
    },
  }),
  defineAction({
    name: 'CreateWorkFlowNode',
    group: GROUP,
    extension: true,
    summary: 'Creates a user-defined approval node (NodeType USER_LIST): a named list of users, any one of whom passes it, or k of them.' + ADMIN_ONLY,
    params: {
      NodeName: p.string('Name.').req().maxLen(DEFINITION_LIMITS.nameChars),
      Comment: p.string('Description.').maxLen(DEFINITION_LIMITS.commentChars),
      AuditUserIdList: p.list('User ids of the approvers, comma-separated or a JSON array; active members of the tenant.').req().maxLen(DEFINITION_LIMITS.usersPerNode),
      RequiredApprovals: p.integer('Distinct approvers needed to pass the node (k of n; 1 = any one, the DMS semantics).').range(1, DEFINITION_LIMITS.usersPerNode).default(1),
    },
    response: '`NodeId`',
    handler: async (input, ctx) => ({
      NodeId: await createNode(ctx.deps, ctx.actor, { name: input.NodeName, comment: input.Comment, userIds: ids(input.AuditUserIdList, 'AuditUserIdList')!, requiredApprovals: input.RequiredApprovals }),
    }),
  }),
  defineAction({
    name: 'UpdateWorkFlowNode',
    group: GROUP,
    extension: true,
    summary: 'Changes a user-defined node; tickets under approval keep their approvers.' + ADMIN_ONLY,
    params: {
      NodeId: p.long('Node id.').req(),
      NodeName: p.string('New name.').maxLen(DEFINITION_LIMITS.nameChars),
      Comment: p.string('New description.').maxLen(DEFINITION_LIMITS.commentChars),
      AuditUserIdList: p.list('New approvers (user ids).').maxLen(DEFINITION_LIMITS.usersPerNode),
      RequiredApprovals: p.integer('New k.').range(1, DEFINITION_LIMITS.usersPerNode),
    },
    response: '(common fields only)',
    handler: async (input, ctx) => {
      await updateNode(ctx.deps, ctx.actor, input.NodeId, {
        name: input.NodeName,
        comment: input.Comment,
        userIds: ids(input.AuditUserIdList, 'AuditUserIdList'),
        requiredApprovals: input.RequiredApprovals,
      });
      return {};
    },
  }),
  defineAction({
    name: 'DeleteWorkFlowNode',
    group: GROUP,
    extension: true,
    summary: 'Deletes a user-defined node that no template uses.' + ADMIN_ONLY,
    params: { NodeId: p.long('Node id.').req() },
    response: '(common fields only)',
    handler: async (input, ctx) => {
      await deleteNode(ctx.deps, ctx.actor, input.NodeId);
      return {};
    },
  }),
  defineAction({
    name: 'SetApprovalRoutingRules',
    group: GROUP,
    extension: true,
    summary: "Replaces the tenant's approval routing rules, which pick a template (or no approval, or refusal) per ticket." + ADMIN_ONLY,
    params: { Rules: p.json(`${RULES_DOC} At most ${MAX_RULES} rules.`).req().inBody() },
    response: '`Rules.Rule[]{RuleId, Position, Name, PluginTypes[], EnvTypes[], MinEstimatedRows, Decision, TemplateId, TemplateName}`',
    handler: async (input, ctx) => ({ Rules: { Rule: (await setRoutingRules(ctx.deps, ctx.actor, input.Rules)).map(presentRule) } }),
  }),
  defineAction({
    name: 'ListApprovalRoutingRules',
    group: GROUP,
    extension: true,
    summary: "The tenant's approval routing rules in the order they are tried." + ADMIN_ONLY,
    params: {},
    response: '`Rules.Rule[]{RuleId, Position, Name, PluginTypes[], EnvTypes[], MinEstimatedRows, Decision, TemplateId, TemplateName}`',
    handler: async (_input, ctx) => ({ Rules: { Rule: (await listRoutingRules(ctx.deps, ctx.actor)).map(presentRule) } }),
  }),
];
