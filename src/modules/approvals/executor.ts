import type { Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import type { Party } from '../tickets/status.js';
import type { TicketRow } from '../tickets/ticket.repository.js';
import { partiesOf } from '../tickets/tickets.js';
import * as repo from './workflow.repository.js';

/**
 * Who may run an approved ticket, by its ExecMode (reference §2.3): COMMITOR, the committer (or an
 * ADMIN acting for them with RealLoginUserUid); LAST_AUDITOR, whoever gave the last AGREE;
 * AUTO, only the service (right after approval). Returns the actor's parties with EXECUTOR added
 * when the actor is the one.
 */
export async function executionParties(deps: Deps, actor: Actor, row: TicketRow): Promise<Set<Party>> {
  const parties = await partiesOf(deps, actor, row);
  if (row.exec_mode === 'COMMITOR' && row.committer_id === actor.userId) parties.add('EXECUTOR');
  if (row.exec_mode === 'LAST_AUDITOR' && (await lastApprover(deps, row)) === actor.userId) parties.add('EXECUTOR');
  return parties;
}

/** Who to name in a refusal. */
export function executorDescription(execMode: string): string {
  if (execMode === 'LAST_AUDITOR') return 'the last approver';
  if (execMode === 'AUTO') return 'the service itself (ExecMode AUTO)';
  return 'the committer';
}

async function lastApprover(deps: Deps, row: TicketRow): Promise<number | null> {
  if (row.workflow_instance_id === null) return null;
  const actions = await repo.listActions(deps.db, row.workflow_instance_id);
  const agree = actions.filter((a) => a.action === 'AGREE').at(-1);
  return agree?.actor_id ?? null;
}
