import { AppError, invalidParam, noPermission } from '../../errors.js';
import { inTransaction, type Deps } from '../context.js';
import { hasRole, type Actor } from '../identity/actor.js';
import type { Party, TicketAction } from '../tickets/status.js';
import { getTenantPolicy } from '../tickets/tenant-policy.js';
import * as ticketRepo from '../tickets/ticket.repository.js';
import { applyAction, partiesOf } from '../tickets/tickets.js';
import { resolveAddedNode } from './approvers.js';
import * as defRepo from './definition.repository.js';
import { getApprovalNode } from './templates.js';
import { approvalCompleted, approversOf, assertTransition, getVisibleInstance, loadWorkflow, type WorkflowState } from './workflow.js';
import * as repo from './workflow.repository.js';

/**
 * ApproveOrder: AGREE, REJECT, CANCEL, TRANSFER and ADD_APPROVAL_NODE on the current node of a
 * ticket's workflow. Each runs in one transaction: read the ticket and its workflow, check the
 * state machine and who the caller is, then the compare-and-set on the ticket version (inside
 * applyAction) before any workflow row changes. Two concurrent requests that read the same
 * version cannot both apply: the second fails with ConcurrentModification and rolls back, so
 * concurrent AGREEs never advance more than one node.
 */

export const APPROVAL_TYPES = ['AGREE', 'REJECT', 'CANCEL', 'TRANSFER', 'ADD_APPROVAL_NODE'] as const;
export type ApprovalType = (typeof APPROVAL_TYPES)[number];

export interface ApprovalInput {
  workflowInstanceId: number;
  type: ApprovalType;
  comment?: string | undefined;
  /** TRANSFER: the users who take over. */
  newApprovers?: number[] | undefined;
  /** TRANSFER: whose approval is handed on (default: the caller; another user: ADMIN only). */
  oldApprover?: number | undefined;
  /** ADD_APPROVAL_NODE: a user-defined node, inserted before or after the current node. */
  nodeId?: number | undefined;
  nodePosition?: 'PRE' | 'POST' | undefined;
  requestId: string;
}

/** The ticket action each approval type is checked against (AGREE: APPROVE_NODE or APPROVE_FINAL). */
const TICKET_ACTION: Readonly<Record<ApprovalType, TicketAction>> = {
  AGREE: 'APPROVE_NODE',
  REJECT: 'REJECT',
  CANCEL: 'CANCEL',
  TRANSFER: 'TRANSFER',
  ADD_APPROVAL_NODE: 'ADD_NODE',
};

interface Step {
  deps: Deps;
  actor: Actor;
  row: ticketRepo.TicketRow;
  instance: repo.InstanceRow;
  state: WorkflowState;
  current: repo.WorkflowNodeRow;
  input: ApprovalInput;
  now: number;
}

export async function approveOrder(deps: Deps, actor: Actor, input: ApprovalInput): Promise<void> {
  await inTransaction(deps, async (tx) => {
    const { instance, ticket } = await getVisibleInstance(tx, actor, input.workflowInstanceId);
    const row = ticket.row;
    assertTransition(TICKET_ACTION[input.type], row);
    if (row.workflow_instance_id !== instance.id || instance.status !== 'AUDITING') {
      throw new AppError(
        'InvalidStatus',
        `Workflow instance ${instance.id} of ticket ${row.id} is over (${instance.status}); the ticket is now under workflow instance ${row.workflow_instance_id}.`,
      );
    }
    const state = await loadWorkflow(tx, instance.id);
    const current = state.current;
    if (!current) throw new AppError('InvalidStatus', `Workflow instance ${instance.id} has no node under approval.`);
    const step: Step = { deps: tx, actor, row, instance, state, current, input, now: tx.now() };
    switch (input.type) {
      case 'AGREE':
        return agree(step);
      case 'REJECT':
        return reject(step);
      case 'CANCEL':
        return cancel(step);
      case 'TRANSFER':
        return transfer(step);
      case 'ADD_APPROVAL_NODE':
        return addNode(step);
    }
  });
}

const isPending = (s: Step, userId: number): boolean => approversOf(s.state, s.current.id, 'PENDING').some((a) => a.user_id === userId);
const pendingIds = (s: Step, nodeId: number): number[] => approversOf(s.state, nodeId, 'PENDING').map((a) => a.user_id);

/** Only a current handler (a pending approver of the current node) acts on the node. */
function requireHandler(s: Step): Set<Party> {
  if (isPending(s, s.actor.userId)) return new Set<Party>(['HANDLER']);
  const agreed = approversOf(s.state, s.current.id, 'AGREED').some((a) => a.user_id === s.actor.userId);
  const waiting = approversOf(s.state, s.current.id, 'PENDING').map((a) => `${a.nick_name} (${a.user_id})`).join(', ');
  throw noPermission(
    agreed
      ? `You already agreed on node "${s.current.name}" of ticket ${s.row.id}; it needs other approvers (waiting for ${waiting}).`
      : `User ${s.actor.userId} is not a current handler of ticket ${s.row.id}: node "${s.current.name}" waits for ${waiting}.`,
  );
}

async function record(s: Step, action: string, detail: string | null = null): Promise<void> {
  await repo.insertAction(
    s.deps.db,
    { instanceId: s.instance.id, nodeId: s.current.id, actorId: s.actor.userId, delegatedById: s.actor.delegatedBy?.userId ?? null, action, comment: s.input.comment ?? null, detail },
    s.now,
  );
}

async function agree(s: Step): Promise<void> {
  const parties = requireHandler(s);
  if (s.actor.userId === s.row.committer_id && !(await getTenantPolicy(s.deps, s.row.tenant_id)).allowSelfApproval) {
    throw noPermission(`The committer cannot approve their own ticket ${s.row.id} (the tenant does not allow self-approval).`);
  }
  const agreed = approversOf(s.state, s.current.id, 'AGREED').length + 1;
  const nodeDone = agreed >= s.current.required_approvals;
  const next = nodeDone ? s.state.nodes.find((n) => n.position > s.current.position && n.status === 'WAITING') : undefined;
  const final = nodeDone && !next;
  const row = await applyAction(s.deps, s.actor, s.row, final ? 'APPROVE_FINAL' : 'APPROVE_NODE', { parties, comment: s.input.comment, requestId: s.input.requestId });
  await repo.setApproverState(s.deps.db, s.current.id, s.actor.userId, 'AGREED');
  await record(s, 'AGREE', nodeDone ? null : `${agreed} of ${s.current.required_approvals} approvals`);
  await ticketRepo.addPastHandler(s.deps.db, s.row.id, s.actor.userId);
  if (!nodeDone) {
    await ticketRepo.setCurrentHandlers(s.deps.db, s.row.id, pendingIds(s, s.current.id).filter((id) => id !== s.actor.userId));
    return;
  }
  await repo.setNodeStatus(s.deps.db, s.current.id, 'APPROVED', s.now);
  if (next) {
    await repo.setNodeStatus(s.deps.db, next.id, 'AUDITING', s.now);
    await ticketRepo.setCurrentHandlers(s.deps.db, s.row.id, pendingIds(s, next.id));
    return;
  }
  await repo.finishInstance(s.deps.db, s.instance.id, 'APPROVED', s.now);
  await approvalCompleted(s.deps, row);
}

async function reject(s: Step): Promise<void> {
  const parties = requireHandler(s);
  await applyAction(s.deps, s.actor, s.row, 'REJECT', { parties, comment: s.input.comment, requestId: s.input.requestId });
  await end(s, 'REJECT');
  await ticketRepo.addPastHandler(s.deps.db, s.row.id, s.actor.userId);
}

/** CANCEL: the committer withdraws the ticket (an ADMIN may act for them with RealLoginUserUid). */
async function cancel(s: Step): Promise<void> {
  const parties = await partiesOf(s.deps, s.actor, s.row);
  if (!parties.has('COMMITTER')) throw noPermission(`Only the committer of ticket ${s.row.id} may cancel (withdraw) it.`);
  await applyAction(s.deps, s.actor, s.row, 'CANCEL', { parties: new Set<Party>(['COMMITTER']), comment: s.input.comment, requestId: s.input.requestId });
  await end(s, 'CANCEL');
}

async function end(s: Step, status: 'REJECT' | 'CANCEL'): Promise<void> {
  await record(s, status);
  await repo.setNodeStatus(s.deps.db, s.current.id, status, s.now);
  await repo.finishInstance(s.deps.db, s.instance.id, status, s.now);
  await ticketRepo.setCurrentHandlers(s.deps.db, s.row.id, []);
}

/**
 * TRANSFER: the old approver (the caller, or with OldApprover another approver when the caller is
 * an ADMIN) hands the current node to the new approvers; the node's other approvers stay.
 */
async function transfer(s: Step): Promise<void> {
  const old = s.input.oldApprover ?? s.actor.userId;
  let parties: Set<Party>;
  if (old !== s.actor.userId) {
    if (!hasRole(s.actor, 'ADMIN')) throw noPermission(`Only an ADMIN may transfer the approval of another approver (OldApprover ${old}).`);
    parties = new Set<Party>(['ADMIN']);
  } else {
    parties = requireHandler(s);
  }
  if (!isPending(s, old)) throw invalidParam('OldApprover', `user ${old} is not a pending approver of node "${s.current.name}" of ticket ${s.row.id}.`);
  const wanted = [...new Set(s.input.newApprovers ?? [])];
  if (wanted.length === 0) throw invalidParam('NewApprover', 'TRANSFER needs NewApprover or NewApproverList.');
  if (wanted.includes(old)) throw invalidParam('NewApproverList', `user ${old} cannot transfer the approval to themselves.`);
  const members = new Set((await defRepo.listActiveMembers(s.deps.db, s.row.tenant_id, wanted)).map((m) => m.user_id));
  const strangers = wanted.filter((id) => !members.has(id));
  if (strangers.length > 0) throw new AppError('UserNotExist', `New approver(s) ${strangers.join(', ')} are not active members of tenant ${s.row.tenant_id}.`);
  if (wanted.includes(s.row.committer_id) && !(await getTenantPolicy(s.deps, s.row.tenant_id)).allowSelfApproval) {
    throw invalidParam('NewApproverList', `user ${s.row.committer_id} committed ticket ${s.row.id} and cannot approve it (the tenant does not allow self-approval).`);
  }
  const agreed = approversOf(s.state, s.current.id, 'AGREED').map((a) => a.user_id);
  const already = wanted.filter((id) => agreed.includes(id));
  if (already.length > 0) throw invalidParam('NewApproverList', `user(s) ${already.join(', ')} already agreed on node "${s.current.name}".`);
  const remaining = [...new Set([...pendingIds(s, s.current.id).filter((id) => id !== old), ...wanted])];
  const needed = s.current.required_approvals - agreed.length;
  if (remaining.length < needed) {
    throw invalidParam('NewApproverList', `node "${s.current.name}" needs ${needed} more approval(s) but would have ${remaining.length} approver(s).`);
  }

  await applyAction(s.deps, s.actor, s.row, 'TRANSFER', { parties, comment: s.input.comment, requestId: s.input.requestId });
  await repo.setApproverState(s.deps.db, s.current.id, old, 'TRANSFERRED');
  const known = new Set(approversOf(s.state, s.current.id, 'TRANSFERRED').map((a) => a.user_id));
  for (const id of wanted) {
    if (known.has(id)) await repo.setApproverState(s.deps.db, s.current.id, id, 'PENDING');
    else if (!pendingIds(s, s.current.id).includes(id)) await repo.insertApprovers(s.deps.db, s.current.id, [id]);
  }
  await record(s, 'TRANSFER', `Transferred from user ${old} to ${wanted.map((id) => `user ${id}`).join(', ')}`);
  await ticketRepo.addPastHandler(s.deps.db, s.row.id, s.actor.userId);
  await ticketRepo.setCurrentHandlers(s.deps.db, s.row.id, remaining);
}

/** ADD_APPROVAL_NODE: a current handler inserts a user-defined node before (PRE) or after (POST) the current one. */
async function addNode(s: Step): Promise<void> {
  const parties = requireHandler(s);
  if (s.input.nodeId === undefined) throw new AppError('MissingApprovalNodeId', 'ApprovalNodeId is mandatory for ADD_APPROVAL_NODE.');
  if (s.input.nodePosition === undefined) throw new AppError('MissingApprovalNodePos', 'ApprovalNodePos is mandatory for ADD_APPROVAL_NODE.');
  const node = await getApprovalNode(s.deps, s.row.tenant_id, s.input.nodeId);
  if (node.nodeType !== 'USER_LIST') {
    throw invalidParam('ApprovalNodeId', `node ${node.id} ("${node.name}") is a system node; only user-defined (USER_LIST) nodes can be added.`);
  }
  const policy = await getTenantPolicy(s.deps, s.row.tenant_id);
  const approvers = await resolveAddedNode(
    s.deps,
    { tenantId: s.row.tenant_id, ticketId: s.row.id, committerId: s.row.committer_id, allowSelfApproval: policy.allowSelfApproval, targets: [] },
    node,
  );

  await applyAction(s.deps, s.actor, s.row, 'ADD_NODE', { parties, comment: s.input.comment, requestId: s.input.requestId });
  const pre = s.input.nodePosition === 'PRE';
  const position = pre ? s.current.position : s.current.position + 1;
  await repo.shiftNodes(s.deps.db, s.instance.id, position);
  const added = await repo.insertNode(
    s.deps.db,
    {
      instanceId: s.instance.id,
      position,
      name: node.name,
      nodeType: node.nodeType,
      sourceNodeId: node.id,
      requiredApprovals: node.requiredApprovals,
      status: pre ? 'AUDITING' : 'WAITING',
      addedById: s.actor.userId,
    },
    s.now,
  );
  await repo.insertApprovers(s.deps.db, added, approvers.map((a) => a.userId));
  await record(s, 'ADD_APPROVAL_NODE', `Added node "${node.name}" ${pre ? 'before' : 'after'} "${s.current.name}"`);
  await ticketRepo.addPastHandler(s.deps.db, s.row.id, s.actor.userId);
  if (pre) {
    await repo.setNodeStatus(s.deps.db, s.current.id, 'WAITING', s.now);
    await ticketRepo.setCurrentHandlers(s.deps.db, s.row.id, approvers.map((a) => a.userId));
  }
}
