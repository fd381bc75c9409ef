import { AppError, noPermission, notFound } from '../../errors.js';
import { inTransaction, type Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import { resolveTargetDatabase } from '../instances/owners.js';
import { nextStatus, partiesAllowed, type TicketAction, type TicketStatus } from '../tickets/status.js';
import { getTenantPolicy } from '../tickets/tenant-policy.js';
import * as ticketRepo from '../tickets/ticket.repository.js';
import { applyAction, getVisibleTicket, partiesOf, ticketContext, ticketTypeOf, type Ticket } from '../tickets/tickets.js';
import { resolveNodes, type PlannedNode } from './approvers.js';
import { loadRoutingTables } from './rules.js';
import { routeTicket } from './routing.js';
import { getTemplate, type Person } from './templates.js';
import * as repo from './workflow.repository.js';

/**
 * Approval workflow of a ticket: which route and approvers apply (planning), instantiating it on
 * SubmitOrderApproval, and reading an instance back. The approval actions are in decisions.ts.
 *
 * Every change goes through the ticket state machine (`applyAction`: status check, parties,
 * compare-and-set on the ticket version, audit event) in the same transaction as the workflow
 * rows, and keeps `ticket_handler` (current = who may act now, past = who acted) in step.
 */

export interface WorkflowPlan {
  templateId: number | null;
  templateName: string;
  nodes: PlannedNode[];
  reasons: string[];
}

/** The business error of a state-machine refusal, before any other check (same text as applyAction). */
export function assertTransition(action: TicketAction, row: ticketRepo.TicketRow): void {
  const next = nextStatus(action, row.status as TicketStatus);
  if (!next.ok) throw new AppError('InvalidStatus', `Ticket ${row.id}: ${next.reason}.`);
}

/** Route and approvers for a ticket as it stands now; refuses what the rules forbid. */
export async function planWorkflow(deps: Deps, actor: Actor, ticket: Ticket): Promise<WorkflowPlan> {
  const { row, type, params } = ticket;
  // A type may route by other databases than the ticket's (a schema design: the one it publishes to now).
  const dbs = (await type.routingTargets?.(deps, ticketContext(ticket))) ?? (await ticketRepo.listTicketDatabases(deps.db, row.id)).map((d) => ({ dbId: d.db_id, logic: d.logic === 1 }));
  const targets = [];
  for (const d of dbs) {
    const resolved = await resolveTargetDatabase(deps, actor, d.dbId, d.logic);
    targets.push({ dbId: d.dbId, logic: d.logic, envType: resolved.envType });
  }
  const facts = { ...type.routingFacts(params), ...(await type.measuredFacts?.(deps, ticketContext(ticket))) };
  const route = routeTicket({
    pluginType: row.plugin_type,
    estimatedRows: facts.estimatedRows,
    targets,
    ...(await loadRoutingTables(deps, row.tenant_id)),
  });
  if (route.decision === 'FORBID') {
    throw noPermission(`Ticket ${row.id} cannot be submitted: approval routing rule "${route.rule.name}" forbids it. ${route.reasons.join(' ')}`);
  }
  if (route.decision === 'NO_APPROVAL') return { templateId: null, templateName: 'No approval needed', nodes: [], reasons: route.reasons };
  const template = await getTemplate(deps, row.tenant_id, route.template.id);
  const policy = await getTenantPolicy(deps, row.tenant_id);
  const nodes = await resolveNodes(
    deps,
    { tenantId: row.tenant_id, ticketId: row.id, committerId: row.committer_id, allowSelfApproval: policy.allowSelfApproval, targets: route.targets },
    template.nodes,
  );
  return { templateId: template.id, templateName: template.name, nodes, reasons: [...route.reasons, ...nodes.flatMap((n) => (n.note ? [n.note] : []))] };
}

/**
 * SubmitOrderApproval: from `new` or `reject` (a resubmission starts a new instance), by the
 * committer (an ADMIN acts for them with RealLoginUserUid). A route that needs no approval goes
 * straight to `approved`.
 */
export async function submitForApproval(deps: Deps, actor: Actor, orderId: number, requestId: string): Promise<{ workflowInstanceId: number; status: TicketStatus }> {
  return inTransaction(deps, async (tx) => {
    const ticket = await getVisibleTicket(tx, actor, orderId);
    assertTransition('SUBMIT', ticket.row);
    const parties = await partiesOf(tx, actor, ticket.row);
    if (!partiesAllowed('SUBMIT', parties)) {
      throw noPermission(`Only the committer of ticket ${orderId} (or an ADMIN acting for them with RealLoginUserUid) may submit it for approval.`);
    }
    await ticket.type.assertSubmittable?.(tx, ticketContext(ticket));
    const plan = await planWorkflow(tx, actor, ticket);
    const now = tx.now();
    const noApproval = plan.nodes.length === 0;
    const instanceId = await repo.insertInstance(
      tx.db,
      {
        tenantId: ticket.row.tenant_id,
        ticketId: orderId,
        templateId: plan.templateId,
        templateName: plan.templateName,
        status: noApproval ? 'APPROVED' : 'AUDITING',
        reasons: plan.reasons,
        committerId: ticket.row.committer_id,
      },
      now,
    );
    const row = await applyAction(tx, actor, ticket.row, 'SUBMIT', {
      parties,
      requestId,
      patch: { workflow_instance_id: instanceId },
      ...(noApproval && { to: 'approved' as const, comment: plan.reasons.join(' ') }),
    });
    await repo.insertAction(tx.db, { instanceId, nodeId: null, actorId: actor.userId, delegatedById: actor.delegatedBy?.userId ?? null, action: 'SUBMIT', comment: null, detail: null }, now);
    if (noApproval) {
      await repo.insertAction(tx.db, { instanceId, nodeId: null, actorId: null, delegatedById: null, action: 'AUTO_APPROVE', comment: plan.reasons.join(' '), detail: null }, now);
      await approvalCompleted(tx, row);
      return { workflowInstanceId: instanceId, status: row.status as TicketStatus };
    }
    for (const [i, node] of plan.nodes.entries()) {
      const nodeId = await repo.insertNode(
        tx.db,
        {
          instanceId,
          position: i + 1,
          name: node.name,
          nodeType: node.nodeType,
          sourceNodeId: node.sourceNodeId,
          requiredApprovals: node.requiredApprovals,
          status: i === 0 ? 'AUDITING' : 'WAITING',
          addedById: null,
        },
        now,
      );
      await repo.insertApprovers(tx.db, nodeId, node.approvers.map((a) => a.userId));
    }
    await ticketRepo.setCurrentHandlers(tx.db, orderId, plan.nodes[0]!.approvers.map((a) => a.userId));
    return { workflowInstanceId: instanceId, status: row.status as TicketStatus };
  });
}

/**
 * The ticket's approval has completed (`approved`): nobody is waiting to approve any more, and
 * the ticket type may start its execution (ExecMode AUTO). The completion itself is recorded by
 * the instance status, its finish time and the ticket event.
 */
export async function approvalCompleted(deps: Deps, row: ticketRepo.TicketRow): Promise<void> {
  await ticketRepo.setCurrentHandlers(deps.db, row.id, []);
  if (row.exec_mode === 'AUTO') await ticketTypeOf(row.plugin_type).approved?.(deps, row);
}

/** A workflow instance of the actor's tenant on a ticket the actor may see. */
export async function getVisibleInstance(deps: Deps, actor: Actor, workflowInstanceId: number): Promise<{ instance: repo.InstanceRow; ticket: Ticket }> {
  const instance = await repo.findInstance(deps.db, actor.tenantId, workflowInstanceId);
  if (!instance) throw notFound('WorkflowInstance', workflowInstanceId);
  return { instance, ticket: await getVisibleTicket(deps, actor, instance.ticket_id) };
}

export interface WorkflowState {
  nodes: repo.WorkflowNodeRow[];
  approvers: repo.ApproverRow[];
  /** The node being approved now (status AUDITING), if any. */
  current: repo.WorkflowNodeRow | undefined;
}

export async function loadWorkflow(deps: Deps, instanceId: number): Promise<WorkflowState> {
  const nodes = await repo.listNodes(deps.db, instanceId);
  const approvers = await repo.listApprovers(deps.db, nodes.map((n) => n.id));
  return { nodes, approvers, current: nodes.find((n) => n.status === 'AUDITING') };
}

/** Approvers of a node who still count (TRANSFERRED ones handed it on). */
export const approversOf = (state: WorkflowState, nodeId: number, ...states: repo.ApproverState[]): repo.ApproverRow[] =>
  state.approvers.filter((a) => a.workflow_node_id === nodeId && (states.length === 0 ? a.state !== 'TRANSFERRED' : states.includes(a.state as repo.ApproverState)));

export interface PreviewNode {
  name: string;
  nodeType: string;
  comment: string;
  approvers: Person[];
}

/**
 * PreviewWorkflow: before submission (and after a rejection) the chain a submission would get
 * now; once submitted, the ticket's instance as it is (added nodes and transfers included).
 */
export async function previewWorkflow(deps: Deps, actor: Actor, orderId: number): Promise<{ templateName: string; reasons: string[]; nodes: PreviewNode[] }> {
  const ticket = await getVisibleTicket(deps, actor, orderId);
  const instanceId = ticket.row.workflow_instance_id;
  if (instanceId === null || ticket.row.status === 'new' || ticket.row.status === 'reject') {
    const plan = await planWorkflow(deps, actor, ticket);
    return {
      templateName: plan.templateName,
      reasons: plan.reasons,
      nodes: plan.nodes.map((n) => ({ name: n.name, nodeType: n.nodeType, comment: n.comment, approvers: n.approvers })),
    };
  }
  const instance = (await repo.findInstance(deps.db, ticket.row.tenant_id, instanceId))!;
  const state = await loadWorkflow(deps, instanceId);
  return {
    templateName: instance.template_name,
    reasons: parseReasons(instance.reasons),
    nodes: state.nodes.map((n) => ({
      name: n.name,
      nodeType: n.node_type,
      comment: `${n.status}${n.required_approvals > 1 ? `, ${n.required_approvals} approvals needed` : ''}`,
      approvers: approversOf(state, n.id).map((a) => ({ userId: a.user_id, uid: a.uid, nickName: a.nick_name })),
    })),
  };
}

export function parseReasons(text: string): string[] {
  const v: unknown = JSON.parse(text);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
