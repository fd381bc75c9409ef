/**
 * One run of a publish (background job `run-design-publish`): plans again on the target (drift is
 * checked on the database as it is now, and changes it already has are skipped), then runs the
 * remaining changes table by table, statement by statement, each under a lock timeout, so a
 * publish never queues behind a long transaction while blocking the traffic behind it (MySQL
 * `lock_wait_timeout`, PostgreSQL `lock_timeout`). On PostgreSQL the consecutive changes of one
 * table run in one transaction (DDL is transactional there), except CREATE INDEX CONCURRENTLY.
 * On the base database every change's tables are recorded before and after it (the snapshots
 * later stages are compared with). A failure stops the publish with the engine's error.
 */
import type { Engine, WriteSession } from '../../connectors/index.js';
import { inTransaction, type Deps } from '../context.js';
import { withConnector } from '../instances/connections.js';
import { resolveTargetDatabase, type TargetDatabase } from '../instances/owners.js';
import { resolveActor } from '../identity/authentication.js';
import * as ticketRepo from '../tickets/ticket.repository.js';
import { applyAction } from '../tickets/tickets.js';
import * as repo from './design.repository.js';
import type { ChangeRow, PublishRow } from './design.repository.js';
import type { FlowConfig } from './design.table.js';
import { databaseOf } from './design.js';
import { planPublish, snapshotTables, tablesWithoutSnapshot } from './plan.js';
import { jobsOf } from './publish.js';
import { PUBLISH_ATTEMPTS } from './publish-start.js';

/** How long a DDL statement waits for a lock before it gives up (and the publish fails). */
export const LOCK_TIMEOUT_SECONDS = 10;

export async function runPublish(deps: Deps, publishId: number, run: number, attempt: { number: number; signal: AbortSignal }): Promise<void> {
  const pub = await repo.findPublish(deps.db, publishId);
  if (!pub || pub.run !== run || pub.status !== 'DISPATCH') return;
  const project = (await deps.db.selectFrom('design_project').selectAll().where('id', '=', pub.project_id).executeTakeFirst())!;
  const ticket = await ticketRepo.findTicket(deps.db, pub.tenant_id, pub.ticket_id);
  if (!ticket) return;
  const committer = await resolveActor(deps, ticket.committer_id, pub.tenant_id);
  const target = await resolveTargetDatabase(deps, committer, pub.db_id, pub.logic === 1).catch(() => undefined);
  if (!target) return settle(deps, pub, 'FAIL', `${pub.logic === 1 ? 'logical ' : ''}database ${pub.db_id} no longer exists (or has no members)`);
  // The design stage: the base's reference member first (the others are compared with what it became).
  const base = pub.stage === 1 ? await resolveTargetDatabase(deps, committer, project.base_db_id, project.base_logic === 1) : null;
  const reference = base?.members[0]?.dbId ?? null;
  const members = [...target.members].sort((a, b) => Number(b.dbId === reference) - Number(a.dbId === reference));
  const flow = JSON.parse(project.flow) as FlowConfig;
  let ran = 0;
  let skipped = 0;
  try {
    for (const member of members) {
      const done = await publishTo(deps, pub, project.id, member, member.dbId === reference, flow, attempt.signal);
      ran += done.ran;
      skipped += done.skipped;
    }
    await settle(deps, pub, 'SUCCESS', ran === 0 ? 'every change was already on the database' : `${ran} change(s) run, ${skipped} already there${members.length > 1 ? ` (${members.length} databases)` : ''}`);
  } catch (e) {
    if (attempt.signal.aborted && !(e instanceof PublishFailure)) {
      if (attempt.number < PUBLISH_ATTEMPTS) throw e; // shutdown or lost lease: the queue runs it again, which re-plans from the catalog
    }
    await settle(deps, pub, 'FAIL', (e as Error).message);
  }
}

/** Plans and runs the design on one (physical) database; `isBase`: the base's reference database. */
async function publishTo(deps: Deps, pub: PublishRow, projectId: number, target: TargetDatabase, isBase: boolean, flow: FlowConfig, signal: AbortSignal): Promise<{ ran: number; skipped: number }> {
  const plan = await planPublish(deps, projectId, target, isBase).catch((e: Error) => {
    throw new PublishFailure(e.message);
  });
  await repo.replacePublishJobs(deps.db, pub.id, target.dbId, jobsOf(plan));
  const jobs = (await repo.listPublishJobs(deps.db, pub.id)).filter((j) => j.db_id === target.dbId);
  const where = (text: string) => (pub.logic === 1 ? `${target.searchName}: ${text}` : text);
  await withConnector(deps, target.spec, (c) =>
    c.writeSession(databaseOf(target), { statementTimeoutMs: target.queryTimeoutMs, signal }, async (s) => {
      await setLockTimeout(s);
      for (const group of groups(plan.pending, target.engine, flow.pgConcurrentIndex)) {
        if (signal.aborted) throw signal.reason;
        const job = jobs.find((j) => j.table_name === group.table && j.status !== 'SKIPPED');
        try {
          if (isBase) {
            for (const ch of group.changes) {
              const fresh = await tablesWithoutSnapshot(deps, target.engine, projectId, JSON.parse(ch.tables) as string[]);
              await snapshotTables(deps, c, target, projectId, fresh, 0);
            }
          }
          if (group.transactional) await s.begin();
          for (const ch of group.changes) {
            await s.execute(group.rewrite(ch.sql));
            if (isBase && !group.transactional) await afterOnBase(deps, c, target, projectId, ch);
          }
          if (group.transactional) {
            await s.commit();
            if (isBase) for (const ch of group.changes) await afterOnBase(deps, c, target, projectId, ch);
          }
          if (job) {
            job.execute_count++;
            await repo.updatePublishJob(deps.db, job.id, { status: 'SUCCESS', execute_count: job.execute_count, message: null });
          }
        } catch (e) {
          if (group.transactional) await s.rollback().catch(() => undefined);
          if (signal.aborted) throw e;
          if (job) await repo.updatePublishJob(deps.db, job.id, { status: 'FAIL', execute_count: job.execute_count + 1, message: (e as Error).message });
          throw new PublishFailure(where(`table ${group.table}: ${(e as Error).message}`));
        }
      }
    }),
  );
  return { ran: plan.pending.length, skipped: plan.applied.length };
}

class PublishFailure extends Error {}

async function setLockTimeout(s: WriteSession): Promise<void> {
  if (s.engine === 'postgresql') await s.execute(`SET lock_timeout = '${LOCK_TIMEOUT_SECONDS}s'`);
  else if (s.engine === 'mysql' || s.engine === 'mariadb') await s.execute(`SET SESSION lock_wait_timeout = ${LOCK_TIMEOUT_SECONDS}`);
}

async function afterOnBase(deps: Deps, c: Parameters<typeof snapshotTables>[1], target: Parameters<typeof snapshotTables>[2], projectId: number, ch: ChangeRow): Promise<void> {
  await snapshotTables(deps, c, target, projectId, JSON.parse(ch.tables) as string[], ch.position);
  await repo.updateChange(deps.db, ch.id, { applied_to_base: 1 });
}

interface Group {
  table: string;
  changes: ChangeRow[];
  transactional: boolean;
  rewrite: (sql: string) => string;
}

const CREATE_INDEX = /^\s*create\s+(unique\s+)?index\s+(?!concurrently\b)/i;

/** Consecutive changes of one table; on PostgreSQL one transaction each (CONCURRENTLY runs alone, outside). */
export function groups(changes: readonly ChangeRow[], engine: Engine, concurrentIndex: boolean): Group[] {
  const out: Group[] = [];
  const concurrently = (sql: string) => engine === 'postgresql' && (/^\s*create\s+(unique\s+)?index\s+concurrently\b/i.test(sql) || (concurrentIndex && CREATE_INDEX.test(sql)));
  const rewrite = (sql: string) => (engine === 'postgresql' && concurrentIndex && CREATE_INDEX.test(sql) ? sql.replace(/^(\s*create\s+(?:unique\s+)?index)\s+/i, '$1 CONCURRENTLY ') : sql);
  for (const ch of changes) {
    const alone = concurrently(ch.sql);
    const last = out[out.length - 1];
    if (last && last.table === ch.table_name && last.transactional && !alone) last.changes.push(ch);
    else out.push({ table: ch.table_name, changes: [ch], transactional: engine === 'postgresql' && !alone, rewrite });
  }
  return out;
}

/** Ends a run and moves the ticket: the last stage → success, an earlier one → back to design for the next, a failure → fail. */
async function settle(deps: Deps, pub: PublishRow, status: 'SUCCESS' | 'FAIL', message: string): Promise<void> {
  await inTransaction(deps, async (tx) => {
    const ok = await repo.updatePublishIf(tx.db, pub.id, ['DISPATCH'], { status, message, finished_at: tx.now() });
    if (!ok) return;
    const ticket = await ticketRepo.findTicket(tx.db, pub.tenant_id, pub.ticket_id);
    if (!ticket || ticket.status !== 'processing') return;
    if (status === 'FAIL') {
      await applyAction(tx, null, ticket, 'EXECUTION_FAILED', { parties: new Set(['SYSTEM']), comment: `publish ${pub.id} failed: ${message}` });
      return;
    }
    const project = (await tx.db.selectFrom('design_project').selectAll().where('id', '=', pub.project_id).executeTakeFirst())!;
    const flow = JSON.parse(project.flow) as FlowConfig;
    const last = pub.stage >= flow.stages.length;
    await repo.updateProject(tx.db, project.id, { published_stage: Math.max(project.published_stage, pub.stage), ...(last && { status: 'PUBLISHED' as const }) }, tx.now());
    if (last) await applyAction(tx, null, ticket, 'EXECUTION_SUCCEEDED', { parties: new Set(['SYSTEM']), comment: `published to the last stage (publish ${pub.id})` });
    else await applyAction(tx, null, ticket, 'STAGE_PUBLISHED', { parties: new Set(['SYSTEM']), comment: `stage ${pub.stage} "${flow.stages[pub.stage - 1]!.title}" published (publish ${pub.id}); next: "${flow.stages[pub.stage]!.title}"` });
  });
}
