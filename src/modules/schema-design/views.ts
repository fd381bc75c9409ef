/** What GetTableDesignProjectInfo, GetTableDesignProjectFlow and ListDDLPublishRecords show. */
import type { Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import { resolveTargetDatabase } from '../instances/owners.js';
import * as repo from './design.repository.js';
import { visibleProject } from './design.js';
import { flowNodes } from './flow.js';

export async function projectInfo(deps: Deps, actor: Actor, orderId: number) {
  const p = await visibleProject(deps, actor, orderId);
  const resolved = await resolveTargetDatabase(deps, actor, p.row.base_db_id, p.row.base_logic === 1).catch(() => undefined);
  const base = resolved ? { dbId: resolved.dbId, logic: resolved.logic, engine: resolved.engine, envType: resolved.envType, searchName: resolved.searchName, schemaName: resolved.members[0]!.schemaName } : undefined;
  const status = p.ticket.row.status === 'closed' ? 'CLOSE' : p.row.status;
  return { p, base, status };
}

export async function projectFlow(deps: Deps, actor: Actor, orderId: number) {
  const p = await visibleProject(deps, actor, orderId);
  const nodes = flowNodes(p.flow);
  // The node to act on next: the next stage to publish, END once every stage is published.
  const current = p.row.status === 'PUBLISHED' ? nodes.length : p.row.published_stage + 2;
  return { flow: p.flow, nodes, current };
}

export async function publishRecords(deps: Deps, actor: Actor, orderId: number) {
  const p = await visibleProject(deps, actor, orderId);
  const publishes = await repo.listPublishes(deps.db, p.row.id);
  const out = [];
  for (const pub of publishes) {
    const wi = pub.workflow_instance_id === null ? undefined : await deps.db.selectFrom('workflow_instance').select(['status', 'template_id']).where('id', '=', pub.workflow_instance_id).executeTakeFirst();
    const jobs = await repo.listPublishJobs(deps.db, pub.id);
    // One task per physical database (the members of a logical target), in the order they ran.
    const tasks = [...new Set(jobs.map((j) => j.db_id))].map((dbId) => ({ dbId, jobs: jobs.filter((j) => j.db_id === dbId) }));
    if (tasks.length === 0) tasks.push({ dbId: pub.db_id, jobs: [] });
    out.push({ pub, workflow: wi, tasks });
  }
  return { p, records: out };
}

/** DMS AuditStatus of a publish from its workflow instance. */
export function auditStatus(wi: { status: string; template_id: number | null } | undefined): 'EXEMPT_PASS' | 'TO_AUDIT' | 'CANCEL' | 'SUCCESS' | 'FAIL' {
  if (!wi) return 'TO_AUDIT';
  if (wi.status === 'APPROVED') return wi.template_id === null ? 'EXEMPT_PASS' : 'SUCCESS';
  if (wi.status === 'CANCEL') return 'CANCEL';
  if (wi.status === 'REJECT') return 'FAIL';
  return 'TO_AUDIT';
}
