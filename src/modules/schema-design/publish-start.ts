/**
 * Starting an approved publish (the NDDL type's `approved` hook). Kept apart from publish.ts, which
 * submits for approval: the ticket types must not import the approvals module (it imports them).
 */
import type { Deps } from '../context.js';
import * as ticketRepo from '../tickets/ticket.repository.js';
import { applyAction } from '../tickets/tickets.js';
import * as repo from './design.repository.js';

/** Attempts the queue makes for one run of a publish. */
export const PUBLISH_ATTEMPTS = 3;

/** The approval of the ticket completed: the open publish runs (now or at its PlanTime). Inside the approving transaction. */
export async function publishApproved(deps: Deps, row: ticketRepo.TicketRow): Promise<void> {
  const project = await repo.findProjectByTicket(deps.db, row.id);
  if (!project) return;
  const pub = await openPublish(deps, project.id);
  if (!pub) return;
  const ok = await repo.updatePublishIf(deps.db, pub.id, ['START', 'AUDIT'], { status: 'DISPATCH' });
  if (!ok) return;
  await applyAction(deps, null, row, 'START_EXECUTION', { parties: new Set(['SYSTEM']), comment: `publish ${pub.id} to database ${pub.db_id}${pub.plan_at ? ', scheduled' : ''}` });
  await enqueuePublish(deps, pub.id, pub.run, pub.plan_at);
}

export async function enqueuePublish(deps: Deps, publishId: number, run: number, planAt: number | null): Promise<void> {
  await deps.jobs.enqueue('run-design-publish', { publishId, run }, { trx: deps.db, key: `design-publish-${publishId}-${run}`, maxAttempts: PUBLISH_ATTEMPTS, backoffSeconds: 5, ...(planAt !== null && { runAt: new Date(planAt) }) });
}


/** The publish of the project that is not over yet (created, under approval, or approved). */
export async function openPublish(deps: Deps, projectId: number) {
  const all = await repo.listPublishes(deps.db, projectId);
  return all.reverse().find((x) => x.status === 'START' || x.status === 'AUDIT' || x.status === 'DISPATCH');
}
