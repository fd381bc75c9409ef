import { invalidParam, noPermission } from '../../errors.js';
import type { Deps } from '../context.js';
import { hasRole, type Actor } from '../identity/actor.js';
import * as ticketRepo from '../tickets/ticket.repository.js';
import { DATA_CORRECT_TYPES } from '../tickets/types/index.js';
import { approversOf, getVisibleInstance, loadWorkflow, parseReasons } from './workflow.js';
import * as repo from './workflow.repository.js';

/** GetApprovalDetail and SetWorkflowExtraInfo: an instance's history and its third-party links. */

export type InstanceCode = 'AUDITING' | 'APPROVED' | 'REJECT' | 'CANCEL';
export type EntryCode = 'START' | 'AUDITING' | 'APPROVED' | 'REJECT' | 'CANCEL';

/** One line of the approval history (DMS `WorkflowNode`). */
export interface HistoryEntry {
  nodeName: string;
  auditUserIds: number[];
  comment: string | null;
  at: number | null;
  operatorId: number | null;
  code: EntryCode;
}

export interface ApprovalDetailView {
  instanceId: number;
  createdAt: number;
  currentHandlers: { id: number; nickName: string }[];
  description: string;
  orderId: number;
  orderType: string;
  reasons: string[];
  templateId: number | null;
  title: string;
  code: InstanceCode;
  history: HistoryEntry[];
  thirdpartyUrl: string | null;
  thirdpartyComment: string | null;
}

const ACTION_CODE: Readonly<Record<string, EntryCode>> = {
  SUBMIT: 'START',
  AUTO_APPROVE: 'APPROVED',
  AGREE: 'APPROVED',
  REJECT: 'REJECT',
  CANCEL: 'CANCEL',
  TRANSFER: 'AUDITING',
  ADD_APPROVAL_NODE: 'AUDITING',
};

/**
 * The approval history of an instance, oldest first: the submission (START), every action on a
 * node (AGREE → APPROVED, REJECT, CANCEL; TRANSFER and ADD_APPROVAL_NODE keep the node AUDITING
 * and say what they did in the comment), then the node waiting now (AUDITING, no operator). A
 * ticket closed (CloseOrder) while under approval ends with a CANCEL line for the close.
 * Nodes not reached yet are not listed; PreviewWorkflow shows the whole chain.
 */
export async function approvalDetail(deps: Deps, actor: Actor, workflowInstanceId: number): Promise<ApprovalDetailView> {
  const { instance, ticket } = await getVisibleInstance(deps, actor, workflowInstanceId);
  const { row, type, params } = ticket;
  const state = await loadWorkflow(deps, instance.id);
  const nodes = new Map(state.nodes.map((n) => [n.id, n]));
  const live = row.workflow_instance_id === instance.id && row.status === 'toaudit' && instance.status === 'AUDITING';
  const closedWhileAuditing = instance.status === 'AUDITING' && !live;

  const history: HistoryEntry[] = (await repo.listActions(deps.db, instance.id)).map((a) => {
    const node = a.workflow_node_id === null ? undefined : nodes.get(a.workflow_node_id);
    const start = a.action === 'SUBMIT';
    return {
      nodeName: start ? 'Submit' : (node?.name ?? 'No approval needed'),
      auditUserIds: start ? [a.actor_id ?? row.committer_id] : node ? approversOf(state, node.id).map((x) => x.user_id) : [],
      comment: start ? row.comment : [a.detail, a.comment].filter(Boolean).join(': ') || null,
      at: a.created_at,
      operatorId: a.actor_id,
      code: ACTION_CODE[a.action] ?? 'AUDITING',
    };
  });
  if (live && state.current) {
    history.push({ nodeName: state.current.name, auditUserIds: approversOf(state, state.current.id, 'PENDING').map((x) => x.user_id), comment: null, at: null, operatorId: null, code: 'AUDITING' });
  }
  if (closedWhileAuditing) {
    const close = (await ticketRepo.listEvents(deps.db, row.id)).find((e) => e.action === 'CLOSE' && e.created_at >= instance.created_at);
    if (close) {
      history.push({ nodeName: state.current?.name ?? 'Close', auditUserIds: [], comment: close.comment, at: close.created_at, operatorId: close.actor_id, code: 'CANCEL' });
    }
  }

  return {
    instanceId: instance.id,
    createdAt: instance.created_at,
    currentHandlers: live && state.current ? approversOf(state, state.current.id, 'PENDING').map((a) => ({ id: a.user_id, nickName: a.nick_name })) : [],
    description: type.describe(params),
    orderId: row.id,
    orderType: (DATA_CORRECT_TYPES as readonly string[]).includes(row.plugin_type) ? 'DATA_CORRECT' : row.plugin_type,
    reasons: parseReasons(instance.reasons),
    templateId: instance.template_id,
    title: `${type.title.charAt(0).toUpperCase()}${type.title.slice(1)} ticket - ${row.id}`,
    code: closedWhileAuditing ? 'CANCEL' : (instance.status as InstanceCode),
    history,
    thirdpartyUrl: instance.thirdparty_url,
    thirdpartyComment: instance.thirdparty_comment,
  };
}

export interface ExtraInfo {
  renderAgree?: boolean | undefined;
  renderReject?: boolean | undefined;
  renderCancel?: boolean | undefined;
  renderTransfer?: boolean | undefined;
  renderAddApprovalNode?: boolean | undefined;
  thirdpartyUrl?: string | undefined;
  thirdpartyComment?: string | undefined;
}

const flag = (v: boolean | undefined) => (v === undefined ? undefined : v ? 1 : 0);

/** SetWorkflowExtraInfo: the committer or an ADMIN stores third-party approval links and button flags. */
export async function setWorkflowExtraInfo(deps: Deps, actor: Actor, workflowInstanceId: number, info: ExtraInfo): Promise<void> {
  const { instance, ticket } = await getVisibleInstance(deps, actor, workflowInstanceId);
  if (ticket.row.committer_id !== actor.userId && !hasRole(actor, 'ADMIN')) {
    throw noPermission(`Only the committer of ticket ${ticket.row.id} or an ADMIN may set its workflow's extra information.`);
  }
  if (info.thirdpartyUrl !== undefined && info.thirdpartyUrl !== '' && !/^https?:\/\/\S+$/i.test(info.thirdpartyUrl)) {
    throw invalidParam('ThirdpartyWorkflowUrl', 'expected an http(s) URL.');
  }
  const patch = {
    render_agree: flag(info.renderAgree),
    render_reject: flag(info.renderReject),
    render_cancel: flag(info.renderCancel),
    render_transfer: flag(info.renderTransfer),
    render_add_node: flag(info.renderAddApprovalNode),
    thirdparty_url: info.thirdpartyUrl === undefined ? undefined : info.thirdpartyUrl || null,
    thirdparty_comment: info.thirdpartyComment === undefined ? undefined : info.thirdpartyComment || null,
  };
  await repo.updateInstanceExtraInfo(deps.db, instance.id, Object.fromEntries(Object.entries(patch).filter(([, v]) => v !== undefined)));
}
