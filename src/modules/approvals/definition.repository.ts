import type { Db } from '../../storage/db.js';

/**
 * Approval definitions: nodes, templates, routing rules. One function per query. "Of a tenant"
 * always includes the built-in rows (tenant_id null), which every tenant sees.
 */

export function listNodes(db: Db, tenantId: number) {
  return db
    .selectFrom('approval_node')
    .leftJoin('app_user', 'app_user.id', 'approval_node.create_user_id')
    .selectAll('approval_node')
    .select('app_user.nick_name as create_user_nick')
    .where((eb) => eb.or([eb('approval_node.tenant_id', '=', tenantId), eb('approval_node.tenant_id', 'is', null)]))
    .orderBy('approval_node.id')
    .execute();
}

export type NodeRow = Awaited<ReturnType<typeof listNodes>>[number];

export function findNode(db: Db, tenantId: number, id: number) {
  return db
    .selectFrom('approval_node')
    .leftJoin('app_user', 'app_user.id', 'approval_node.create_user_id')
    .selectAll('approval_node')
    .select('app_user.nick_name as create_user_nick')
    .where('approval_node.id', '=', id)
    .where((eb) => eb.or([eb('approval_node.tenant_id', '=', tenantId), eb('approval_node.tenant_id', 'is', null)]))
    .executeTakeFirst();
}

/** The users of USER_LIST nodes, with their names, by node. */
export async function listNodeUsers(db: Db, nodeIds: readonly number[]) {
  if (nodeIds.length === 0) return [];
  return db
    .selectFrom('approval_node_user')
    .innerJoin('app_user', 'app_user.id', 'approval_node_user.user_id')
    .select(['approval_node_user.node_id', 'app_user.id as user_id', 'app_user.uid', 'app_user.nick_name'])
    .where('approval_node_user.node_id', 'in', [...nodeIds])
    .orderBy('approval_node_user.node_id')
    .orderBy('app_user.id')
    .execute();
}

export async function insertNode(
  db: Db,
  n: { tenantId: number; name: string; comment: string; requiredApprovals: number; createUserId: number },
  now: number,
): Promise<number> {
  const row = await db
    .insertInto('approval_node')
    .values({
      tenant_id: n.tenantId,
      system_code: null,
      node_type: 'USER_LIST',
      name: n.name,
      comment: n.comment,
      required_approvals: n.requiredApprovals,
      create_user_id: n.createUserId,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateNode(db: Db, id: number, patch: { name?: string; comment?: string; required_approvals?: number }, now: number): Promise<void> {
  await db.updateTable('approval_node').set({ ...patch, updated_at: now }).where('id', '=', id).execute();
}

export async function replaceNodeUsers(db: Db, nodeId: number, userIds: readonly number[]): Promise<void> {
  await db.deleteFrom('approval_node_user').where('node_id', '=', nodeId).execute();
  if (userIds.length === 0) return;
  await db.insertInto('approval_node_user').values(userIds.map((user_id) => ({ node_id: nodeId, user_id }))).execute();
}

export async function deleteNode(db: Db, id: number): Promise<void> {
  await db.deleteFrom('approval_node_user').where('node_id', '=', id).execute();
  await db.deleteFrom('approval_node').where('id', '=', id).execute();
}

export function listTemplates(db: Db, tenantId: number) {
  return db
    .selectFrom('approval_template')
    .selectAll()
    .where((eb) => eb.or([eb('tenant_id', '=', tenantId), eb('tenant_id', 'is', null)]))
    .orderBy('id')
    .execute();
}

export type TemplateRow = Awaited<ReturnType<typeof listTemplates>>[number];

export function findTemplate(db: Db, tenantId: number, id: number) {
  return db
    .selectFrom('approval_template')
    .selectAll()
    .where('id', '=', id)
    .where((eb) => eb.or([eb('tenant_id', '=', tenantId), eb('tenant_id', 'is', null)]))
    .executeTakeFirst();
}

export function findSystemTemplate(db: Db, code: string) {
  return db.selectFrom('approval_template').selectAll().where('system_code', '=', code).where('tenant_id', 'is', null).executeTakeFirstOrThrow();
}

/** The chains of these templates, in order. */
export async function listTemplateNodes(db: Db, templateIds: readonly number[]) {
  if (templateIds.length === 0) return [];
  return db
    .selectFrom('approval_template_node')
    .select(['template_id', 'position', 'node_id'])
    .where('template_id', 'in', [...templateIds])
    .orderBy('template_id')
    .orderBy('position')
    .execute();
}

export async function insertTemplate(
  db: Db,
  t: { tenantId: number; name: string; comment: string; enabled: boolean; createUserId: number },
  now: number,
): Promise<number> {
  const row = await db
    .insertInto('approval_template')
    .values({
      tenant_id: t.tenantId,
      system_code: null,
      name: t.name,
      comment: t.comment,
      enabled: t.enabled ? 1 : 0,
      create_user_id: t.createUserId,
      created_at: now,
      updated_at: now,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

export async function updateTemplate(db: Db, id: number, patch: { name?: string; comment?: string; enabled?: number }, now: number): Promise<void> {
  await db.updateTable('approval_template').set({ ...patch, updated_at: now }).where('id', '=', id).execute();
}

export async function replaceTemplateNodes(db: Db, templateId: number, nodeIds: readonly number[]): Promise<void> {
  await db.deleteFrom('approval_template_node').where('template_id', '=', templateId).execute();
  if (nodeIds.length === 0) return;
  await db
    .insertInto('approval_template_node')
    .values(nodeIds.map((node_id, i) => ({ template_id: templateId, position: i + 1, node_id })))
    .execute();
}

export async function deleteTemplate(db: Db, id: number): Promise<void> {
  await db.deleteFrom('approval_template_node').where('template_id', '=', id).execute();
  await db.deleteFrom('approval_template').where('id', '=', id).execute();
}

/** Templates of the tenant whose chain contains the node. */
export function listTemplatesUsingNode(db: Db, nodeId: number) {
  return db
    .selectFrom('approval_template_node')
    .innerJoin('approval_template', 'approval_template.id', 'approval_template_node.template_id')
    .select(['approval_template.id', 'approval_template.name'])
    .where('approval_template_node.node_id', '=', nodeId)
    .distinct()
    .execute();
}

export function listRules(db: Db, tenantId: number) {
  return db.selectFrom('approval_routing_rule').selectAll().where('tenant_id', '=', tenantId).orderBy('position').execute();
}

export type RuleRow = Awaited<ReturnType<typeof listRules>>[number];

export async function replaceRules(
  db: Db,
  tenantId: number,
  rules: readonly { name: string; pluginTypes: string; envTypes: string; minEstimatedRows: number | null; decision: string; templateId: number | null }[],
  now: number,
): Promise<void> {
  await db.deleteFrom('approval_routing_rule').where('tenant_id', '=', tenantId).execute();
  if (rules.length === 0) return;
  await db
    .insertInto('approval_routing_rule')
    .values(
      rules.map((r, i) => ({
        tenant_id: tenantId,
        position: i + 1,
        name: r.name,
        plugin_types: r.pluginTypes,
        env_types: r.envTypes,
        min_estimated_rows: r.minEstimatedRows,
        decision: r.decision,
        template_id: r.templateId,
        created_at: now,
      })),
    )
    .execute();
}

export function countRulesUsingTemplate(db: Db, templateId: number) {
  return db
    .selectFrom('approval_routing_rule')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('template_id', '=', templateId)
    .executeTakeFirstOrThrow();
}

/** Active (NORMAL) members of the tenant among these users, with their names. */
export async function listActiveMembers(db: Db, tenantId: number, userIds: readonly number[]) {
  if (userIds.length === 0) return [];
  return db
    .selectFrom('membership')
    .innerJoin('app_user', 'app_user.id', 'membership.user_id')
    .select(['app_user.id as user_id', 'app_user.uid', 'app_user.nick_name'])
    .where('membership.tenant_id', '=', tenantId)
    .where('membership.state', '=', 'NORMAL')
    .where('membership.user_id', 'in', [...new Set(userIds)])
    .orderBy('app_user.id')
    .execute();
}

/** Active (NORMAL) members of the tenant holding a role (roles is a sorted comma list). */
export function listActiveMembersWithRole(db: Db, tenantId: number, role: string) {
  return db
    .selectFrom('membership')
    .innerJoin('app_user', 'app_user.id', 'membership.user_id')
    .select(['app_user.id as user_id', 'app_user.uid', 'app_user.nick_name'])
    .where('membership.tenant_id', '=', tenantId)
    .where('membership.state', '=', 'NORMAL')
    .where((eb) =>
      eb.or([
        eb('membership.roles', '=', role),
        eb('membership.roles', 'like', `${role},%`),
        eb('membership.roles', 'like', `%,${role}`),
        eb('membership.roles', 'like', `%,${role},%`),
      ]),
    )
    .orderBy('app_user.id')
    .execute();
}
