import { AppError, invalidParam, notFound } from '../../errors.js';
import { inTransaction, type Deps } from '../context.js';
import { requireRole, type Actor } from '../identity/actor.js';
import * as repo from './definition.repository.js';

/**
 * Approval templates (ordered chains of nodes) and user-defined nodes (named lists of users):
 * listing for everyone in the tenant, changes for ADMINs only. The built-in nodes and templates
 * (migration 0006) are listed with the tenant's own and cannot be changed.
 */

/** Built-in (SYS) nodes: whom each resolves to when a ticket is submitted (approvers.ts). */
export const SYSTEM_NODE_CODES = ['DB_OWNER', 'DB_DBA', 'ADMINS', 'DBAS'] as const;
export type SystemNodeCode = (typeof SYSTEM_NODE_CODES)[number];

/** Built-in templates of the default routes (routing.ts). */
export const DEFAULT_TEMPLATE_CODES = { product: 'OWNER_THEN_DBA', other: 'DBA' } as const;

export const DEFINITION_LIMITS = {
  nodesPerTemplate: 20,
  usersPerNode: 100,
  nameChars: 128,
  commentChars: 1000,
} as const;

export interface Person {
  userId: number;
  uid: string;
  nickName: string;
}

export interface ApprovalNodeView {
  id: number;
  name: string;
  nodeType: 'SYS' | 'USER_LIST';
  systemCode: SystemNodeCode | null;
  comment: string;
  requiredApprovals: number;
  createUserId: number | null;
  createUserNick: string | null;
  /** USER_LIST: its users. SYS role nodes (Admin, All DBAs): today's role holders. SYS database nodes: [] (per ticket). */
  users: Person[];
}

export interface TemplateView {
  id: number;
  name: string;
  comment: string;
  enabled: boolean;
  isSystem: boolean;
  systemCode: string | null;
  createUserId: number | null;
  nodes: (ApprovalNodeView & { position: number })[];
}

const matches = (name: string, search: string | undefined): boolean => !search || name.toLowerCase().includes(search.trim().toLowerCase());

async function nodeViews(deps: Deps, tenantId: number, rows: repo.NodeRow[]): Promise<ApprovalNodeView[]> {
  const users = await repo.listNodeUsers(deps.db, rows.filter((r) => r.node_type === 'USER_LIST').map((r) => r.id));
  const roleHolders = new Map<string, Person[]>();
  for (const [code, role] of [['ADMINS', 'ADMIN'], ['DBAS', 'DBA']] as const) {
    if (!rows.some((r) => r.system_code === code)) continue;
    const members = await repo.listActiveMembersWithRole(deps.db, tenantId, role);
    roleHolders.set(code, members.map((m) => ({ userId: m.user_id, uid: m.uid, nickName: m.nick_name })));
  }
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    nodeType: r.node_type as 'SYS' | 'USER_LIST',
    systemCode: r.system_code as SystemNodeCode | null,
    comment: r.comment,
    requiredApprovals: r.required_approvals,
    createUserId: r.create_user_id,
    createUserNick: r.create_user_nick,
    users:
      r.node_type === 'USER_LIST'
        ? users.filter((u) => u.node_id === r.id).map((u) => ({ userId: u.user_id, uid: u.uid, nickName: u.nick_name }))
        : (roleHolders.get(r.system_code ?? '') ?? []),
  }));
}

/** ListWorkFlowNodes: built-in and user-defined nodes, by name substring (case-insensitive). */
export async function listApprovalNodes(deps: Deps, actor: Actor, search?: string): Promise<ApprovalNodeView[]> {
  const rows = (await repo.listNodes(deps.db, actor.tenantId)).filter((r) => matches(r.name, search));
  return nodeViews(deps, actor.tenantId, rows);
}

/** A node of the tenant (or built-in), or ResourceNotFound. */
export async function getApprovalNode(deps: Deps, tenantId: number, id: number): Promise<ApprovalNodeView> {
  const row = await repo.findNode(deps.db, tenantId, id);
  if (!row) throw notFound('WorkflowNode', id);
  return (await nodeViews(deps, tenantId, [row]))[0]!;
}

/** ListWorkFlowTemplates: built-in and the tenant's templates with their chains. */
export async function listTemplates(deps: Deps, actor: Actor, search?: string): Promise<TemplateView[]> {
  const templates = (await repo.listTemplates(deps.db, actor.tenantId)).filter((t) => matches(t.name, search));
  return templateViews(deps, actor.tenantId, templates);
}

async function templateViews(deps: Deps, tenantId: number, templates: repo.TemplateRow[]): Promise<TemplateView[]> {
  const chains = await repo.listTemplateNodes(deps.db, templates.map((t) => t.id));
  const nodes = new Map((await nodeViews(deps, tenantId, await repo.listNodes(deps.db, tenantId))).map((n) => [n.id, n]));
  return templates.map((t) => ({
    id: t.id,
    name: t.name,
    comment: t.comment,
    enabled: t.enabled === 1,
    isSystem: t.tenant_id === null,
    systemCode: t.system_code,
    createUserId: t.create_user_id,
    nodes: chains.filter((c) => c.template_id === t.id).map((c) => ({ ...nodes.get(c.node_id)!, position: c.position })),
  }));
}

export async function getTemplate(deps: Deps, tenantId: number, id: number): Promise<TemplateView> {
  const row = await repo.findTemplate(deps.db, tenantId, id);
  if (!row) throw notFound('WorkFlowTemplate', id);
  return (await templateViews(deps, tenantId, [row]))[0]!;
}

function cleanName(name: string, param: string): string {
  const n = name.trim();
  if (n === '') throw invalidParam(param, 'a name is required.');
  if (n.length > DEFINITION_LIMITS.nameChars) throw invalidParam(param, `longer than ${DEFINITION_LIMITS.nameChars} characters.`);
  return n;
}

function cleanComment(comment: string | undefined): string | undefined {
  if (comment !== undefined && comment.length > DEFINITION_LIMITS.commentChars) throw invalidParam('Comment', `longer than ${DEFINITION_LIMITS.commentChars} characters.`);
  return comment;
}

/** The chain of a template: existing nodes of the tenant (or built-in), each at most once. */
async function checkChain(deps: Deps, tenantId: number, nodeIds: readonly number[]): Promise<void> {
  if (nodeIds.length === 0) throw invalidParam('NodeIdList', 'a template needs at least one node.');
  if (nodeIds.length > DEFINITION_LIMITS.nodesPerTemplate) throw invalidParam('NodeIdList', `at most ${DEFINITION_LIMITS.nodesPerTemplate} nodes.`);
  if (new Set(nodeIds).size !== nodeIds.length) throw invalidParam('NodeIdList', 'a node appears twice.');
  for (const id of nodeIds) if (!(await repo.findNode(deps.db, tenantId, id))) throw invalidParam('NodeIdList', `node ${id} does not exist.`);
}

export async function createTemplate(deps: Deps, actor: Actor, input: { name: string; comment?: string | undefined; nodeIds: number[]; enabled: boolean }): Promise<number> {
  requireRole(actor, 'ADMIN');
  const name = cleanName(input.name, 'TemplateName');
  await checkChain(deps, actor.tenantId, input.nodeIds);
  return inTransaction(deps, async (tx) => {
    const id = await repo.insertTemplate(tx.db, { tenantId: actor.tenantId, name, comment: cleanComment(input.comment) ?? '', enabled: input.enabled, createUserId: actor.userId }, tx.now());
    await repo.replaceTemplateNodes(tx.db, id, input.nodeIds);
    return id;
  });
}

async function ownTemplate(deps: Deps, actor: Actor, id: number): Promise<repo.TemplateRow> {
  requireRole(actor, 'ADMIN');
  const row = await repo.findTemplate(deps.db, actor.tenantId, id);
  if (!row) throw notFound('WorkFlowTemplate', id);
  if (row.tenant_id === null) throw invalidParam('TemplateId', `template ${id} ("${row.name}") is built in and cannot be changed; create your own and route to it.`);
  return row;
}

/** Tickets already under approval keep the chain they were submitted with. */
export async function updateTemplate(
  deps: Deps,
  actor: Actor,
  id: number,
  patch: { name?: string | undefined; comment?: string | undefined; nodeIds?: number[] | undefined; enabled?: boolean | undefined },
): Promise<void> {
  await ownTemplate(deps, actor, id);
  const name = patch.name === undefined ? undefined : cleanName(patch.name, 'TemplateName');
  if (patch.nodeIds !== undefined) await checkChain(deps, actor.tenantId, patch.nodeIds);
  await inTransaction(deps, async (tx) => {
    await repo.updateTemplate(
      tx.db,
      id,
      {
        ...(name !== undefined && { name }),
        ...(patch.comment !== undefined && { comment: cleanComment(patch.comment) }),
        ...(patch.enabled !== undefined && { enabled: patch.enabled ? 1 : 0 }),
      },
      tx.now(),
    );
    if (patch.nodeIds !== undefined) await repo.replaceTemplateNodes(tx.db, id, patch.nodeIds);
  });
}

export async function deleteTemplate(deps: Deps, actor: Actor, id: number): Promise<void> {
  await ownTemplate(deps, actor, id);
  const used = Number((await repo.countRulesUsingTemplate(deps.db, id)).n);
  if (used > 0) throw new AppError('ResourceInUse', `Template ${id} is used by ${used} routing rule(s); change them first (SetApprovalRoutingRules).`);
  await inTransaction(deps, (tx) => repo.deleteTemplate(tx.db, id));
}

/** Users of a node: distinct active members of the tenant, at least k of them. */
async function checkNodeUsers(deps: Deps, tenantId: number, userIds: readonly number[], requiredApprovals: number): Promise<number[]> {
  const ids = [...new Set(userIds)];
  if (ids.length === 0) throw invalidParam('AuditUserIdList', 'a node needs at least one user.');
  if (ids.length > DEFINITION_LIMITS.usersPerNode) throw invalidParam('AuditUserIdList', `at most ${DEFINITION_LIMITS.usersPerNode} users.`);
  const found = new Set((await repo.listActiveMembers(deps.db, tenantId, ids)).map((m) => m.user_id));
  const missing = ids.filter((id) => !found.has(id));
  if (missing.length > 0) throw new AppError('UserNotExist', `User(s) ${missing.join(', ')} are not active members of tenant ${tenantId}.`);
  if (requiredApprovals > ids.length) throw invalidParam('RequiredApprovals', `${requiredApprovals} approvals needed but the node has only ${ids.length} user(s).`);
  return ids;
}

export async function createNode(
  deps: Deps,
  actor: Actor,
  input: { name: string; comment?: string | undefined; userIds: number[]; requiredApprovals: number },
): Promise<number> {
  requireRole(actor, 'ADMIN');
  const name = cleanName(input.name, 'NodeName');
  const users = await checkNodeUsers(deps, actor.tenantId, input.userIds, input.requiredApprovals);
  return inTransaction(deps, async (tx) => {
    const id = await repo.insertNode(
      tx.db,
      { tenantId: actor.tenantId, name, comment: cleanComment(input.comment) ?? '', requiredApprovals: input.requiredApprovals, createUserId: actor.userId },
      tx.now(),
    );
    await repo.replaceNodeUsers(tx.db, id, users);
    return id;
  });
}

async function ownNode(deps: Deps, actor: Actor, id: number): Promise<repo.NodeRow> {
  requireRole(actor, 'ADMIN');
  const row = await repo.findNode(deps.db, actor.tenantId, id);
  if (!row) throw notFound('WorkflowNode', id);
  if (row.tenant_id === null) throw invalidParam('NodeId', `node ${id} ("${row.name}") is built in and cannot be changed.`);
  return row;
}

/** Tickets already under approval keep the approvers they were submitted with. */
export async function updateNode(
  deps: Deps,
  actor: Actor,
  id: number,
  patch: { name?: string | undefined; comment?: string | undefined; userIds?: number[] | undefined; requiredApprovals?: number | undefined },
): Promise<void> {
  const row = await ownNode(deps, actor, id);
  const name = patch.name === undefined ? undefined : cleanName(patch.name, 'NodeName');
  const k = patch.requiredApprovals ?? row.required_approvals;
  const userIds = patch.userIds ?? (await repo.listNodeUsers(deps.db, [id])).map((u) => u.user_id);
  const users = await checkNodeUsers(deps, actor.tenantId, userIds, k);
  await inTransaction(deps, async (tx) => {
    await repo.updateNode(
      tx.db,
      id,
      { ...(name !== undefined && { name }), ...(patch.comment !== undefined && { comment: cleanComment(patch.comment) }), required_approvals: k },
      tx.now(),
    );
    if (patch.userIds !== undefined) await repo.replaceNodeUsers(tx.db, id, users);
  });
}

export async function deleteNode(deps: Deps, actor: Actor, id: number): Promise<void> {
  await ownNode(deps, actor, id);
  const templates = await repo.listTemplatesUsingNode(deps.db, id);
  if (templates.length > 0) {
    throw new AppError('ResourceInUse', `Node ${id} is used by template(s) ${templates.map((t) => `${t.id} ("${t.name}")`).join(', ')}; change them first.`);
  }
  await inTransaction(deps, (tx) => repo.deleteNode(tx.db, id));
}
