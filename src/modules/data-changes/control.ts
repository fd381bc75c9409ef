import { AppError, noPermission } from '../../errors.js';
import type { Deps } from '../context.js';
import { inTransaction } from '../context.js';
import type { Actor } from '../identity/actor.js';
import { recordEvent } from '../tickets/events.js';
import { LIMITS } from '../tickets/limits.js';
import * as ticketRepo from '../tickets/ticket.repository.js';
import type { DataChangeParams } from '../tickets/types/dc-common.type.js';
import * as repo from './data-change.repository.js';
import { visibleDataChange } from './detail.js';
import { skippedTip } from './precheck.js';

/**
 * What the committer may do about a precheck before submitting: run it again
 * (RetryDataCorrectPreCheck) or skip its row check (SkipDataCorrectRowCheck). Only while the
 * ticket is `new`: once submitted, approvers decide on what was checked.
 */

async function committersNewTicket(deps: Deps, actor: Actor, orderId: number, what: string) {
  const ticket = await visibleDataChange(deps, actor, orderId);
  if (ticket.row.committer_id !== actor.userId) throw noPermission(`Only the committer of ticket ${orderId} may ${what}.`);
  if (ticket.row.status !== 'new') throw new AppError('InvalidStatus', `Ticket ${orderId} is ${ticket.row.status}: its precheck can only change before it is submitted (status new).`);
  return ticket;
}

/** RetryDataCorrectPreCheck: a new precheck run (the skip of the row check, if any, carries over). */
export async function retryPrecheck(deps: Deps, actor: Actor, orderId: number, requestId: string): Promise<number> {
  return inTransaction(deps, async (tx) => {
    const ticket = await committersNewTicket(tx, actor, orderId, 'run its precheck again');
    const last = await repo.latestPrecheck(tx.db, orderId);
    if (last?.status === 'RUNNING') throw new AppError('InvalidStatus', `The precheck of ticket ${orderId} is still running; retry once it has finished.`);
    const skip = last?.row_check_skipped === 1 ? { reason: last.skip_reason ?? '', by: last.skipped_by ?? actor.userId } : null;
    const precheckId = await repo.insertPrecheck(tx.db, { ticketId: orderId, tenantId: ticket.row.tenant_id, skip }, tx.now());
    await tx.jobs.enqueue('dc-precheck', { precheckId }, { trx: tx.db, key: `dc-precheck-${precheckId}`, maxAttempts: 3 });
    await recordEvent(tx, { ticketId: orderId, tenantId: ticket.row.tenant_id, actor, action: 'PRECHECK_RETRY', fromStatus: 'new', toStatus: 'new', requestId, comment: `precheck ${precheckId} started` });
    return precheckId;
  });
}

/**
 * SkipDataCorrectRowCheck: a row count above EstimateAffectRows no longer fails the precheck.
 * A settled precheck is settled again without a re-run: its ROW_CHECK turns SUCCESS when the row
 * count was its only failure, and the precheck succeeds when no other step failed. A running one
 * applies the skip when it finishes. A ROW_CHECK failed because the database refused a statement
 * is not skipped.
 */
export async function skipRowCheck(deps: Deps, actor: Actor, orderId: number, reason: string, requestId: string): Promise<void> {
  const why = reason.trim();
  if (why === '') throw new AppError('InvalidReason', 'Specified parameter Reason is not valid: say why the row check is skipped.');
  await inTransaction(deps, async (tx) => {
    const ticket = await committersNewTicket(tx, actor, orderId, 'skip its row check');
    const pc = await repo.latestPrecheck(tx.db, orderId);
    if (!pc) throw new AppError('InvalidStatus', `Ticket ${orderId} has no precheck.`);
    await repo.markRowCheckSkipped(tx.db, pc.id, { reason: why, by: actor.userId });
    let outcome = 'the running precheck applies it when it finishes';
    if (pc.status !== 'RUNNING') {
      const steps = await repo.listSteps(tx.db, pc.id);
      const row = steps.find((s) => s.step === 'ROW_CHECK');
      if (row?.status === 'FAIL' && row.skippable === 1) {
        await repo.setStep(tx.db, pc.id, 'ROW_CHECK', { status: 'SUCCESS', userTip: skippedTip(row.user_tip, why) });
        const otherFailure = steps.some((s) => s.step !== 'ROW_CHECK' && s.status === 'FAIL');
        if (!otherFailure && (await repo.settleAsSuccess(tx.db, pc.id))) outcome = 'the precheck now passes';
        else outcome = 'the row check passes; another step still fails';
      } else if (row?.status === 'FAIL') {
        outcome = 'the row check failed because the database refused a statement, which a skip does not settle';
      } else {
        outcome = 'the row count did not fail the precheck';
      }
    }
    await recordEvent(tx, { ticketId: orderId, tenantId: ticket.row.tenant_id, actor, action: 'PRECHECK_SKIP_ROW_CHECK', fromStatus: 'new', toStatus: 'new', requestId, comment: `${why} (${outcome})` });
  });
}

/**
 * ModifyDataCorrectExecSQL: the committer replaces the SQL of a ticket not yet submitted; the
 * ticket's SQL becomes this text (SqlType TEXT) and a new precheck runs on it.
 */
export async function modifyExecSql(deps: Deps, actor: Actor, orderId: number, execSql: string, requestId: string): Promise<number> {
  if (execSql.trim() === '') throw new AppError('InvalidExecSQL', 'Specified parameter ExecSQL is not valid: it is empty.');
  if (execSql.length > LIMITS.sqlTextChars) throw new AppError('InvalidExecSQL', `Specified parameter ExecSQL is not valid: longer than ${LIMITS.sqlTextChars} characters.`);
  return inTransaction(deps, async (tx) => {
    const ticket = await committersNewTicket(tx, actor, orderId, 'change its SQL');
    const last = await repo.latestPrecheck(tx.db, orderId);
    if (last?.status === 'RUNNING') throw new AppError('InvalidStatus', `The precheck of ticket ${orderId} is still running; change the SQL once it has finished.`);
    const { attachmentName: _old, ...rest } = ticket.params as DataChangeParams;
    const params: DataChangeParams = { ...rest, sqlType: 'TEXT', execSQL: execSql };
    const ok = await ticketRepo.updateTicketIfVersion(tx.db, orderId, ticket.row.version, { params: JSON.stringify(params) }, tx.now());
    if (!ok) throw new AppError('ConcurrentModification', `Ticket ${orderId} was changed by someone else at the same time; reload it and try again.`);
    const precheckId = await repo.insertPrecheck(tx.db, { ticketId: orderId, tenantId: ticket.row.tenant_id }, tx.now());
    await tx.jobs.enqueue('dc-precheck', { precheckId }, { trx: tx.db, key: `dc-precheck-${precheckId}`, maxAttempts: 3 });
    await recordEvent(tx, { ticketId: orderId, tenantId: ticket.row.tenant_id, actor, action: 'SQL_MODIFIED', fromStatus: 'new', toStatus: 'new', requestId, comment: `SQL replaced (${execSql.length} characters); precheck ${precheckId} started` });
    return precheckId;
  });
}
