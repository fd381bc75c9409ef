import { AppError } from '../../errors.js';
import type { Deps } from '../context.js';
import { databaseStakeholders } from '../instances/stakeholders.js';
import type { TargetRef } from '../tickets/ticket-type.js';
import * as repo from './definition.repository.js';
import type { ApprovalNodeView, Person } from './templates.js';

/**
 * Who approves each node of a ticket, fixed when the ticket is submitted:
 * - Owner (DB_OWNER): owners of the routed target databases (and of their instances);
 *   DBA (DB_DBA): the DBAs of their instances; Admin / All DBAs: users with role ADMIN / DBA;
 *   USER_LIST nodes: their users. Only active (NORMAL) members of the tenant count.
 * - The committer is left out unless the tenant allows self-approval (allowSelfApproval).
 * - A node left with nobody falls back to the tenant's ADMIN users (other than the committer);
 *   if there are none either, or fewer approvers than the node's k, the submission is refused.
 */

export interface PlannedNode {
  name: string;
  nodeType: 'SYS' | 'USER_LIST';
  sourceNodeId: number;
  requiredApprovals: number;
  comment: string;
  approvers: Person[];
  /** Why the approvers are not the node's own (fallback to ADMINs), for the approval reasons. */
  note: string | undefined;
}

export interface ApprovalContext {
  tenantId: number;
  ticketId: number;
  committerId: number;
  allowSelfApproval: boolean;
  /** The target databases the route was chosen for (system nodes resolve over them). */
  targets: readonly TargetRef[];
}

const toPerson = (m: { user_id: number; uid: string; nick_name: string }): Person => ({ userId: m.user_id, uid: m.uid, nickName: m.nick_name });

async function candidates(deps: Deps, ctx: ApprovalContext, node: ApprovalNodeView, people: () => Promise<{ owners: number[]; dbas: number[] }>): Promise<Person[]> {
  switch (node.systemCode) {
    case 'DB_OWNER':
      return (await repo.listActiveMembers(deps.db, ctx.tenantId, (await people()).owners)).map(toPerson);
    case 'DB_DBA':
      return (await repo.listActiveMembers(deps.db, ctx.tenantId, (await people()).dbas)).map(toPerson);
    case 'ADMINS':
      return (await repo.listActiveMembersWithRole(deps.db, ctx.tenantId, 'ADMIN')).map(toPerson);
    case 'DBAS':
      return (await repo.listActiveMembersWithRole(deps.db, ctx.tenantId, 'DBA')).map(toPerson);
    case null:
      return (await repo.listActiveMembers(deps.db, ctx.tenantId, node.users.map((u) => u.userId))).map(toPerson);
  }
}

const withoutCommitter = (ctx: ApprovalContext, people: Person[]): Person[] =>
  ctx.allowSelfApproval ? people : people.filter((p) => p.userId !== ctx.committerId);

function refuse(ctx: ApprovalContext, node: { name: string }, why: string): AppError {
  const selfHint = ctx.allowSelfApproval ? '' : ' (the committer cannot approve their own ticket unless the tenant allows self-approval)';
  return new AppError(
    'InvalidApprovers',
    `Ticket ${ctx.ticketId} cannot be submitted: approval node "${node.name}" ${why}${selfHint}. An ADMIN can add approvers, owners or a DBA, or change the routing rules.`,
  );
}

/** The approvers of every node of a template for one ticket, or the reason nobody can approve. */
export async function resolveNodes(deps: Deps, ctx: ApprovalContext, nodes: readonly ApprovalNodeView[]): Promise<PlannedNode[]> {
  let stakeholders: Promise<{ owners: number[]; dbas: number[] }> | undefined;
  const people = () => (stakeholders ??= databaseStakeholders(deps, ctx.tenantId, ctx.targets));
  const planned: PlannedNode[] = [];
  for (const node of nodes) {
    let approvers = withoutCommitter(ctx, await candidates(deps, ctx, node, people));
    let note: string | undefined;
    if (approvers.length === 0) {
      approvers = withoutCommitter(ctx, (await repo.listActiveMembersWithRole(deps.db, ctx.tenantId, 'ADMIN')).map(toPerson));
      if (approvers.length === 0) throw refuse(ctx, node, 'resolves to nobody and the tenant has no other ADMIN user to fall back to');
      note = `Approval node "${node.name}" resolves to nobody who may approve this ticket: it falls back to the tenant's ADMIN users.`;
    }
    if (approvers.length < node.requiredApprovals) {
      throw refuse(ctx, node, `needs ${node.requiredApprovals} approvals but only ${approvers.length} approver(s) are available`);
    }
    planned.push({
      name: node.name,
      nodeType: node.nodeType,
      sourceNodeId: node.id,
      requiredApprovals: node.requiredApprovals,
      comment: node.comment,
      approvers,
      note,
    });
  }
  return planned;
}

/**
 * The approvers of a user-defined node added during approval (ADD_APPROVAL_NODE): its users, no
 * fallback — the handler chose this node, so it must have someone who may approve.
 */
export async function resolveAddedNode(deps: Deps, ctx: ApprovalContext, node: ApprovalNodeView): Promise<Person[]> {
  const approvers = withoutCommitter(ctx, (await repo.listActiveMembers(deps.db, ctx.tenantId, node.users.map((u) => u.userId))).map(toPerson));
  if (approvers.length < Math.max(1, node.requiredApprovals)) {
    throw new AppError(
      'InvalidApprovalNodeId',
      `Specified parameter ApprovalNodeId is not valid: node ${node.id} ("${node.name}") has ${approvers.length} user(s) who may approve ticket ${ctx.ticketId} and needs ${node.requiredApprovals}.`,
    );
  }
  return approvers;
}
