/**
 * Publishing a design, stage by stage (CreatePublishGroupTask): the next stage of the project's
 * flow (or a later one when the stages between may be skipped), on a database of that stage's
 * environment (the design stage: the base database itself). A publish is planned and reviewed on
 * its target first (drift, rule errors refuse it), then submitted for approval as a round of the
 * ticket's workflow, routed by the target's environment; once approved it runs as a durable job
 * (publish-runner.ts), at once or at PlanTime.
 */
import { AppError, noPermission } from '../../errors.js';
import { parseDmsTime } from '../../lib/time.js';
import { submitForApproval } from '../approvals/workflow.js';
import { inTransaction, type Deps } from '../context.js';
import { hasRole, type Actor } from '../identity/actor.js';
import { resolveTargetDatabase, type TargetDatabase } from '../instances/owners.js';
import { resolveActor } from '../identity/authentication.js';
import { applyAction } from '../tickets/tickets.js';
import { analyzeDdl } from '../review/index.js';
import * as repo from './design.repository.js';
import type { ChangeRow, PublishRow } from './design.repository.js';
import type { RiskLevel } from './design.table.js';
import { reviewDesign, type DesignFinding } from './design-review.js';
import { baseOf, visibleProject, type Project } from './design.js';
import { planPublish, type PublishPlan } from './plan.js';
import { enqueuePublish, openPublish } from './publish-start.js';

export interface PublishRequest {
  dbId: number;
  logic: boolean;
  strategy: 'IMMEDIATELY' | 'REGULARLY';
  planTime: string | undefined;
}

/** A database published to: physical, or logical with its members. */
export interface PublishTarget {
  dbId: number;
  logic: boolean;
  envType: string;
  searchName: string;
  members: TargetDatabase[];
}

/** Which stage a database of `target` may be published to now, or why not. */
function stageFor(p: Project, target: PublishTarget): number {
  const stages = p.flow.stages;
  const next = p.row.published_stage + 1;
  if (next > stages.length) throw new AppError('InvalidStatus', `Ticket ${p.row.ticket_id} is published to every stage.`);
  if (next === 1) {
    if (target.dbId !== p.row.base_db_id || target.logic !== (p.row.base_logic === 1)) {
      throw new AppError('InvalidDbId', `Specified parameter DbId is not valid: the design stage publishes to the base ${p.row.base_logic === 1 ? 'logical ' : ''}database ${p.row.base_db_id} first.`);
    }
    return 1;
  }
  const allowed: string[] = [];
  for (let s = next; s <= stages.length; s++) {
    allowed.push(stages[s - 1]!.envType);
    if (stages[s - 1]!.envType === target.envType) return s;
    if (!stages[s - 1]!.canSkip) break;
  }
  throw new AppError('InvalidDbId', `Specified parameter DbId is not valid: ${target.searchName} is a ${target.envType} database, but the design goes next to ${allowed.join(' or ')} ("${stages[next - 1]!.title}").`);
}

export function riskOf(findings: readonly DesignFinding[]): RiskLevel {
  if (findings.some((f) => f.level === 'ERROR')) return 'HIGH_RISK';
  if (findings.some((f) => f.level === 'WARNING')) return 'MIDDLE_RISK';
  if (findings.some((f) => f.level === 'NOTICE')) return 'LOW_RISK';
  return 'NONE_RISK';
}

/** The plan of one member database. */
export interface MemberPlan {
  member: TargetDatabase;
  plan: PublishPlan;
}

/**
 * The plans and the review of publishing to `target` now (PreviewPublishScript,
 * CreatePublishGroupTask). On the design stage only the reference member of the base can be
 * planned before it ran (the other members follow it and are planned when the publish runs).
 */
export async function preparePublish(deps: Deps, p: Project, target: PublishTarget, stage: number): Promise<{ plans: MemberPlan[]; findings: DesignFinding[] }> {
  const reference = stage === 1 ? (await baseOf(deps, p)).dbId : null;
  const plans: MemberPlan[] = [];
  for (const member of target.members) {
    if (stage === 1 && member.dbId !== reference) continue;
    plans.push({ member, plan: await planPublish(deps, p.row.id, member, member.dbId === reference) });
  }
  const first = plans[0]!;
  const analyzed = first.plan.pending.map((c) => analyzeDdl(c.sql, first.member.engine)[0]!);
  const findings = analyzed.length === 0 ? [] : await reviewDesign(deps, p.row.tenant_id, first.member, analyzed, first.plan.pending[0]!.position);
  return { plans, findings };
}

async function resolve(deps: Deps, p: Project, dbId: number, logic: boolean): Promise<PublishTarget> {
  const committer = await resolveActor(deps, p.ticket.row.committer_id, p.row.tenant_id);
  const target = await resolveTargetDatabase(deps, committer, dbId, logic).catch(() => {
    throw new AppError('InvalidDbId', `Specified parameter DbId is not valid: ${logic ? 'logical ' : ''}database ${dbId} does not exist (or has no members).`);
  });
  const base = await baseOf(deps, p);
  if (target.engine !== base.engine) throw new AppError('InvalidDbId', `Specified parameter DbId is not valid: ${target.searchName} is ${target.engine}, the design is for ${base.engine}.`);
  return { dbId: target.dbId, logic: target.logic, envType: target.envType, searchName: target.searchName, members: target.members };
}

/** PreviewPublishScript: the exact DDL a publish to the database would run now. */
export async function previewPublish(deps: Deps, actor: Actor, orderId: number, dbId: number): Promise<{ script: string; plan: PublishPlan; findings: DesignFinding[]; stage: number }> {
  const p = await visibleProject(deps, actor, orderId);
  const target = await resolve(deps, p, dbId, false);
  const reference = await baseOf(deps, p);
  const stage = target.dbId === reference.dbId && p.row.published_stage === 0 ? 1 : stageForMember(p, target, reference);
  const { plans, findings } = await preparePublish(deps, p, target, stage);
  const plan = plans[0]!.plan;
  return { script: scriptOf(plan.pending), plan, findings, stage };
}

/** The stage a single database would be published at: as its logical base's member, or by its environment. */
function stageForMember(p: Project, target: PublishTarget, reference: TargetDatabase): number {
  if (p.row.published_stage === 0) {
    if (target.dbId === reference.dbId) return 1;
    throw new AppError('InvalidDbId', `Specified parameter DbId is not valid: the design stage publishes to the base database first (preview ${reference.searchName}).`);
  }
  return stageFor(p, target);
}

export const scriptOf = (changes: readonly ChangeRow[]): string => changes.map((c) => `${c.sql.replace(/[\s;]+$/, '')};\n`).join('');

/** Settles a publish whose approval ended without approving it (rejected or cancelled). */
async function closeStaleAudit(deps: Deps, pub: PublishRow): Promise<boolean> {
  if (pub.status !== 'AUDIT' || pub.workflow_instance_id === null) return false;
  const wi = await deps.db.selectFrom('workflow_instance').select(['status']).where('id', '=', pub.workflow_instance_id).executeTakeFirst();
  if (!wi || wi.status === 'AUDITING' || wi.status === 'APPROVED') return false;
  return repo.updatePublishIf(deps.db, pub.id, ['AUDIT'], { status: 'FAIL', message: `the approval ended ${wi.status}`, finished_at: deps.now() });
}

/** Why `actor` may not publish the design at all (whatever the target), or undefined; GetOrderAvailableActions offers PUBLISH from it. */
export function publishRefusal(actor: Actor, p: Project): AppError | undefined {
  if (p.ticket.row.committer_id !== actor.userId) return noPermission(`Only the committer of ticket ${p.row.ticket_id} may publish its design.`);
  if (p.row.status !== 'DESIGN') return new AppError('InvalidStatus', `The design of ticket ${p.row.ticket_id} is ${p.row.status}.`);
  if (p.row.published_stage >= p.flow.stages.length) return new AppError('InvalidStatus', `Ticket ${p.row.ticket_id} is published to every stage.`);
  return undefined;
}

export async function createPublish(deps: Deps, actor: Actor, orderId: number, req: PublishRequest, requestId: string): Promise<number> {
  const p = await visibleProject(deps, actor, orderId);
  const refusal = publishRefusal(actor, p);
  if (refusal) throw refusal;
  const open = await openPublish(deps, p.row.id);
  if (open && !(await closeStaleAudit(deps, open))) throw new AppError('InvalidStatus', `Publish ${open.id} of ticket ${orderId} is ${open.status}; wait until it has finished (ListDDLPublishRecords).`);
  let planAt: number | null = null;
  if (req.strategy === 'REGULARLY') {
    planAt = req.planTime ? parseDmsTime(req.planTime, deps.config.timezone) : null;
    if (planAt === null) throw new AppError('InvalidPlanTime', 'Specified parameter PlanTime is not valid: PublishStrategy REGULARLY needs PlanTime as yyyy-MM-dd HH:mm:ss.');
    if (planAt <= deps.now()) planAt = null;
  }
  const target = await resolve(deps, p, req.dbId, req.logic);
  const stage = stageFor(p, target);
  const { plans, findings } = await preparePublish(deps, p, target, stage);
  const errors = findings.filter((f) => f.level === 'ERROR');
  if (errors.length > 0) {
    throw new AppError('InvalidStatus', `The review blocks publishing to ${target.searchName}: ${errors.slice(0, 5).map((f) => f.message).join(' ')}${errors.length > 5 ? ` (and ${errors.length - 5} more)` : ''}`);
  }
  const publishId = await inTransaction(deps, async (tx) => {
    const now = tx.now();
    const id = await repo.insertPublish(tx.db, {
      project_id: p.row.id,
      ticket_id: orderId,
      tenant_id: p.row.tenant_id,
      stage,
      db_id: target.dbId,
      logic: target.logic ? 1 : 0,
      strategy: req.strategy,
      plan_at: planAt,
      workflow_instance_id: null,
      status: 'START',
      risk_level: riskOf(findings),
      message: findings.length > 0 ? findings.map((f) => `${f.level}: ${f.message}`).join('\n').slice(0, 4000) : null,
      run: 1,
      creator_id: actor.userId,
      created_at: now,
      finished_at: null,
    });
    for (const m of plans) await repo.replacePublishJobs(tx.db, id, m.member.dbId, jobsOf(m.plan));
    return id;
  });
  try {
    const { workflowInstanceId } = await submitForApproval(deps, actor, orderId, requestId);
    await repo.updatePublishIf(deps.db, publishId, ['START', 'AUDIT', 'DISPATCH', 'SUCCESS', 'FAIL'], { workflow_instance_id: workflowInstanceId });
    await repo.updatePublishIf(deps.db, publishId, ['START'], { status: 'AUDIT' });
  } catch (e) {
    await repo.updatePublishIf(deps.db, publishId, ['START'], { status: 'FAIL', message: (e as Error).message, finished_at: deps.now() });
    throw e;
  }
  return publishId;
}

/** Per-table jobs: the pending statements grouped by table, in the order of their first change; applied ones as SKIPPED. */
export function jobsOf(plan: PublishPlan) {
  const jobs: { table_name: string; scripts: string; status: 'NONE' | 'SKIPPED'; execute_count: number; message: string | null }[] = [];
  const add = (changes: ChangeRow[], status: 'NONE' | 'SKIPPED') => {
    for (const c of changes) {
      const j = jobs.find((x) => x.table_name === c.table_name && x.status === status);
      if (j) j.scripts += `${c.sql.replace(/[\s;]+$/, '')};\n`;
      else jobs.push({ table_name: c.table_name, scripts: `${c.sql.replace(/[\s;]+$/, '')};\n`, status, execute_count: 0, message: status === 'SKIPPED' ? 'already on the database' : null });
    }
  };
  add(plan.applied, 'SKIPPED');
  add(plan.pending, 'NONE');
  return jobs;
}

/** RestartPublishGroupTask (extension): a failed publish runs again (after the cause was fixed), re-planned on its target. */
export async function restartPublish(deps: Deps, actor: Actor, orderId: number, publishId: number, requestId: string): Promise<void> {
  await inTransaction(deps, async (tx) => {
    const p = await visibleProject(tx, actor, orderId);
    if (p.ticket.row.committer_id !== actor.userId && !hasRole(actor, 'ADMIN')) throw noPermission(`Only the committer of ticket ${orderId} (or an ADMIN) may restart its publish.`);
    const pub = await repo.findPublish(tx.db, publishId);
    if (!pub || pub.project_id !== p.row.id) throw new AppError('InvalidTaskId', `Specified parameter TaskId is not valid: ticket ${orderId} has no publish ${publishId}.`);
    if (pub.status !== 'FAIL' || p.ticket.row.status !== 'fail') throw new AppError('InvalidStatus', `Publish ${publishId} is ${pub.status} (ticket ${p.ticket.row.status}); only a publish that failed while running can be restarted.`);
    const run = pub.run + 1;
    await repo.updatePublishIf(tx.db, pub.id, ['FAIL'], { status: 'DISPATCH', run, message: null, finished_at: null });
    await applyAction(tx, actor, p.ticket.row, 'START_EXECUTION', { parties: new Set(['SYSTEM']), requestId, comment: `restart of publish ${publishId}` });
    await enqueuePublish(tx, pub.id, run, null);
  });
}
