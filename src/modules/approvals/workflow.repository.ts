import type { Db } from '../../storage/db.js';

/** Workflow instances, their nodes, approvers and history. One function per query. */

export type InstanceStatus = 'AUDITING' | 'APPROVED' | 'REJECT' | 'CANCEL';
export type NodeStatus = 'WAITING' | 'AUDITING' | 'APPROVED' | 'REJECT' | 'CANCEL';
export type ApproverState = 'PENDING' | 'AGREED' | 'TRANSFERRED';

export async function insertInstance(
  db: Db,
  i: { tenantId: number; ticketId: number; templateId: number | null; templateName: string; status: InstanceStatus; reasons: string[]; committerId: number },
  now: number,
): Promise<number> {
  const row = await db
    .insertInto('workflow_instance')
    .values({
      tenant_id: i.tenantId,
      ticket_id: i.ticketId,
      template_id: i.templateId,
      template_name: i.templateName,
      status: i.status,
      reasons: JSON.stringify(i.reasons),
      committer_id: i.committerId,
      created_at: now,
      finished_at: i.status === 'AUDITING' ? null : now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export function findInstance(db: Db, tenantId: number, id: number) {
  return db.selectFrom('workflow_instance').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId).executeTakeFirst();
}

export type InstanceRow = NonNullable<Awaited<ReturnType<typeof findInstance>>>;

export async function finishInstance(db: Db, id: number, status: InstanceStatus, now: number): Promise<void> {
  await db.updateTable('workflow_instance').set({ status, finished_at: now }).where('id', '=', id).execute();
}

export async function updateInstanceExtraInfo(
  db: Db,
  id: number,
  patch: Partial<{
    render_agree: number;
    render_reject: number;
    render_cancel: number;
    render_transfer: number;
    render_add_node: number;
    thirdparty_url: string | null;
    thirdparty_comment: string | null;
  }>,
): Promise<void> {
  if (Object.keys(patch).length === 0) return;
  await db.updateTable('workflow_instance').set(patch).where('id', '=', id).execute();
}

export async function insertNode(
  db: Db,
  n: { instanceId: number; position: number; name: string; nodeType: string; sourceNodeId: number | null; requiredApprovals: number; status: NodeStatus; addedById: number | null },
  now: number,
): Promise<number> {
  const row = await db
    .insertInto('workflow_node')
    .values({
      instance_id: n.instanceId,
      position: n.position,
      name: n.name,
      node_type: n.nodeType,
      source_node_id: n.sourceNodeId,
      required_approvals: n.requiredApprovals,
      status: n.status,
      added_by_id: n.addedById,
      created_at: now,
      finished_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export function listNodes(db: Db, instanceId: number) {
  return db.selectFrom('workflow_node').selectAll().where('instance_id', '=', instanceId).orderBy('position').orderBy('id').execute();
}

export type WorkflowNodeRow = Awaited<ReturnType<typeof listNodes>>[number];

export async function setNodeStatus(db: Db, id: number, status: NodeStatus, now: number): Promise<void> {
  const finished = status === 'WAITING' || status === 'AUDITING' ? null : now;
  await db.updateTable('workflow_node').set({ status, finished_at: finished }).where('id', '=', id).execute();
}

/** Makes room at `fromPosition`: every node there or after moves one place down the chain. */
export async function shiftNodes(db: Db, instanceId: number, fromPosition: number): Promise<void> {
  await db
    .updateTable('workflow_node')
    .set((eb) => ({ position: eb('position', '+', 1) }))
    .where('instance_id', '=', instanceId)
    .where('position', '>=', fromPosition)
    .execute();
}

export async function insertApprovers(db: Db, nodeId: number, userIds: readonly number[]): Promise<void> {
  if (userIds.length === 0) return;
  await db
    .insertInto('workflow_approver')
    .values([...new Set(userIds)].map((user_id) => ({ workflow_node_id: nodeId, user_id, state: 'PENDING' })))
    .execute();
}

/** Approvers of these nodes with their names, ordered by node then user id. */
export async function listApprovers(db: Db, nodeIds: readonly number[]) {
  if (nodeIds.length === 0) return [];
  return db
    .selectFrom('workflow_approver')
    .innerJoin('app_user', 'app_user.id', 'workflow_approver.user_id')
    .select(['workflow_approver.workflow_node_id', 'workflow_approver.user_id', 'workflow_approver.state', 'app_user.uid', 'app_user.nick_name'])
    .where('workflow_approver.workflow_node_id', 'in', [...nodeIds])
    .orderBy('workflow_approver.workflow_node_id')
    .orderBy('workflow_approver.user_id')
    .execute();
}

export type ApproverRow = Awaited<ReturnType<typeof listApprovers>>[number];

export async function setApproverState(db: Db, nodeId: number, userId: number, state: ApproverState): Promise<void> {
  await db.updateTable('workflow_approver').set({ state }).where('workflow_node_id', '=', nodeId).where('user_id', '=', userId).execute();
}

export async function insertAction(
  db: Db,
  a: { instanceId: number; nodeId: number | null; actorId: number | null; delegatedById: number | null; action: string; comment: string | null; detail: string | null },
  now: number,
): Promise<void> {
  await db
    .insertInto('workflow_action')
    .values({
      instance_id: a.instanceId,
      workflow_node_id: a.nodeId,
      actor_id: a.actorId,
      delegated_by_id: a.delegatedById,
      action: a.action,
      comment: a.comment,
      detail: a.detail,
      created_at: now,
    })
    .execute();
}

export function listActions(db: Db, instanceId: number) {
  return db.selectFrom('workflow_action').selectAll().where('instance_id', '=', instanceId).orderBy('id').execute();
}

export type ActionRow = Awaited<ReturnType<typeof listActions>>[number];
