/**
 * The life of a cleanup schedule (docs/data-cron.md):
 * - armed by the approval (inside the approving transaction): the ticket goes processing and the
 *   first call time is stored, with its tick (job `cron-clear-tick`) queued for it;
 * - a tick re-reads the schedule in a store transaction and takes it by compare-and-set on its
 *   version (two processes never both start a run), starts a run unless the previous one is still
 *   going (then the slot is skipped), stores the next call time strictly after now (so slots missed
 *   while the service was down collapse into the one run now) and queues the next tick; the key
 *   `cron-clear-<ticketId>-<epoch ms>` leaves one tick per slot queued in the cluster;
 * - PauseDataCronClear / ResumeDataCronClear; CloseOrder disarms it for good;
 * - a sweep (every minute, and at startup) queues the tick of every armed schedule that is due,
 *   should one have been lost; a tick that finds the schedule changed does nothing.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { AppError, noPermission } from '../../errors.js';
import { formatDmsTime } from '../../lib/time.js';
import { nextFireTime, parseQuartzCron } from '../../lib/quartz-cron.js';
import { inTransaction, type Deps } from '../context.js';
import type { Actor } from '../identity/actor.js';
import * as execRepo from '../data-changes/execution.repository.js';
import { visibleDataChange } from '../data-changes/detail.js';
import { recordEvent } from '../tickets/events.js';
import type { Party } from '../tickets/status.js';
import * as ticketRepo from '../tickets/ticket.repository.js';
import { applyAction, partiesOf } from '../tickets/tickets.js';
import type { CronClearParams } from '../tickets/types/dc-cron-clear.type.js';
import * as repo from './data-cron.repository.js';
import type { ScheduleRow } from './data-cron.repository.js';
import { startRun } from './runs.js';

const SYSTEM: ReadonlySet<Party> = new Set(['SYSTEM']);

/** How early a tick may start and still wait for its slot (beyond that the sweep queues it again). */
const EARLY_WAIT_MS = 5_000;

/** The next call of a schedule strictly after `after`; null when the expression fires no more. */
export function nextCall(cronFormat: string, after: number, timeZone: string): number | null {
  return nextFireTime(parseQuartzCron(cronFormat), after, timeZone);
}

async function enqueueTick(deps: Deps, ticketId: number, at: number): Promise<void> {
  await deps.jobs.enqueue('cron-clear-tick', { ticketId, at }, { trx: deps.db, key: `cron-clear-${ticketId}-${at}`, runAt: new Date(at), maxAttempts: 5, backoffSeconds: 5 });
}

/** `approved` hook of DC_CRON_CLEAR: approved → processing, the schedule armed for its first call. */
export async function armSchedule(tx: Deps, row: ticketRepo.TicketRow): Promise<void> {
  if (await repo.findSchedule(tx.db, row.id)) return;
  const params = JSON.parse(row.params) as CronClearParams;
  const now = tx.now();
  const tz = tx.config.timezone;
  const next = nextCall(params.cronFormat, now, tz);
  await applyAction(tx, null, row, 'START_EXECUTION', {
    parties: SYSTEM,
    comment: next === null ? `cleanup schedule ${params.cronFormat} armed; it fires no more` : `cleanup schedule ${params.cronFormat} armed: first run at ${formatDmsTime(next, tz)}`,
  });
  await repo.insertSchedule(tx.db, {
    ticket_id: row.id,
    tenant_id: row.tenant_id,
    cron_format: params.cronFormat,
    time_zone: tz,
    status: 'ARMED',
    next_call_at: next,
    last_call_at: null,
    call_count: 0,
    duration_hours: params.durationHour ?? null,
    last_message: null,
    version: 1,
    created_at: now,
    modified_at: now,
  });
  if (next !== null) await enqueueTick(tx, row.id, next);
}

/** A tick that lost the compare-and-set: its transaction is rolled back and nothing happened. */
class LostRace extends Error {}

/** Job `cron-clear-tick`: the run of the slot `at`, if the schedule still expects it. */
export async function tick(deps: Deps, ticketId: number, at: number): Promise<void> {
  // A queue may start a job a little before its runAt (another process's clock): wait for the slot.
  const early = at - deps.now();
  if (early > 0 && early <= EARLY_WAIT_MS) await sleep(early);
  try {
    await inTransaction(deps, async (tx) => {
      const s = await repo.findSchedule(tx.db, ticketId);
      if (!s || s.status !== 'ARMED' || s.next_call_at !== at) return; // paused, closed, or a stale tick
      const now = tx.now();
      if (now < at) return; // far too early: the sweep queues it again
      const ticket = await ticketRepo.findTicket(tx.db, s.tenant_id, ticketId);
      if (!ticket || ticket.status !== 'processing') {
        if (!(await repo.updateScheduleIf(tx.db, ticketId, s.version, { status: 'DISARMED', next_call_at: null }, now))) throw new LostRace();
        return;
      }
      const next = nextCall(s.cron_format, now, s.time_zone);
      // Taken first: the row lock makes a second process wait, then find the version changed.
      if (!(await repo.updateScheduleIf(tx.db, ticketId, s.version, { next_call_at: next }, now))) throw new LostRace();
      const slot = formatDmsTime(at, s.time_zone);
      const active = await repo.activeJobs(tx.db, ticketId);
      let message: string | null = null;
      if (active.length > 0) {
        message = `the run of ${slot} was skipped: run ${active[0]!.task_id} was still going (runs never overlap)`;
        for (const j of active) await execRepo.appendLog(tx.db, j.id, 'WARN', message, now);
      } else {
        try {
          await startRun(tx, ticket, at, s.duration_hours);
        } catch (e) {
          if (!(e instanceof AppError)) throw e;
          message = `the run of ${slot} did not start: ${e.message}`;
        }
      }
      const started = message === null;
      await repo.updateScheduleIf(
        tx.db,
        ticketId,
        s.version + 1,
        { last_message: message, ...(started && { last_call_at: now, call_count: s.call_count + 1 }) },
        now,
      );
      if (next !== null) await enqueueTick(tx, ticketId, next);
    });
  } catch (e) {
    if (!(e instanceof LostRace)) throw e;
  }
}

/** Queues the tick of every armed schedule due within `aheadMs` (a lost tick; the key ignores those queued). */
export async function sweepSchedules(deps: Deps, aheadMs = 60_000): Promise<number> {
  const due = await repo.dueSchedules(deps.db, deps.now() + aheadMs, 1000);
  for (const s of due) await enqueueTick(deps, s.ticket_id, s.next_call_at!);
  return due.length;
}

/** Inside CloseOrder's transaction: no more runs; the current run's jobs stop before their next batch. */
export async function disarmSchedule(tx: Deps, row: ticketRepo.TicketRow, actor: Actor): Promise<void> {
  const s = await repo.findSchedule(tx.db, row.id);
  if (!s) return;
  if (s.status !== 'DISARMED' && !(await repo.updateScheduleIf(tx.db, row.id, s.version, { status: 'DISARMED', next_call_at: null }, tx.now()))) {
    throw new AppError('ConcurrentModification', `The schedule of ticket ${row.id} was changed at the same time; close it again.`);
  }
  for (const j of await repo.activeJobs(tx.db, row.id)) {
    if (j.status === 'BE_SCHEDULED') {
      await execRepo.updateJobIf(tx.db, j.id, { run: j.run, statuses: ['BE_SCHEDULED'] }, { status: 'PAUSE', message: `the ticket was closed by ${actor.nickName} before the job started` }, tx.now());
    } else {
      await execRepo.updateJobIf(tx.db, j.id, { run: j.run, statuses: ['RUNNING'] }, { pause_requested: 1 }, tx.now());
    }
    await execRepo.appendLog(tx.db, j.id, 'WARN', `the ticket was closed by ${actor.nickName}: the schedule is disarmed${j.status === 'RUNNING' ? ' and this run stops before its next batch' : ''}`, tx.now());
  }
}

/** Who may pause and resume a schedule. */
const PAUSERS: readonly Party[] = ['COMMITTER', 'ADMIN', 'DBA'];

async function controllable(tx: Deps, actor: Actor, orderId: number, verb: string): Promise<{ row: ticketRepo.TicketRow; s: ScheduleRow }> {
  const ticket = await visibleDataChange(tx, actor, orderId, ['DC_CRON_CLEAR']);
  const parties = await partiesOf(tx, actor, ticket.row);
  if (!PAUSERS.some((p) => parties.has(p))) throw noPermission(`You may not ${verb} the schedule of ticket ${orderId}: only the committer, an ADMIN or a DBA may.`);
  const s = await repo.findSchedule(tx.db, orderId);
  if (!s) throw new AppError('InvalidStatus', `Ticket ${orderId} is ${ticket.row.status}: its schedule is armed once it is approved.`);
  if (s.status === 'DISARMED') throw new AppError('InvalidStatus', `Ticket ${orderId} is ${ticket.row.status}: its schedule was disarmed when it was closed.`);
  return { row: ticket.row, s };
}

/** PauseDataCronClear: no run starts until ResumeDataCronClear; a run in progress goes on (PauseDataCorrectSQLJob pauses it). */
export async function pauseSchedule(deps: Deps, actor: Actor, orderId: number, requestId: string): Promise<void> {
  await inTransaction(deps, async (tx) => {
    const { row, s } = await controllable(tx, actor, orderId, 'pause');
    if (s.status === 'PAUSED') throw new AppError('InvalidStatus', `The schedule of ticket ${orderId} is already paused; ResumeDataCronClear arms it again.`);
    if (!(await repo.updateScheduleIf(tx.db, orderId, s.version, { status: 'PAUSED', next_call_at: null }, tx.now()))) {
      throw new AppError('ConcurrentModification', `The schedule of ticket ${orderId} was changed at the same time; try again.`);
    }
    await recordEvent(tx, { ticketId: orderId, tenantId: row.tenant_id, actor, action: 'CRON_CLEAR_PAUSE', fromStatus: row.status, toStatus: row.status, requestId, comment: `schedule ${s.cron_format} paused` });
  });
}

/** ResumeDataCronClear: armed again from its next call after now (the slots while paused do not run). */
export async function resumeSchedule(deps: Deps, actor: Actor, orderId: number, requestId: string): Promise<number | null> {
  return inTransaction(deps, async (tx) => {
    const { row, s } = await controllable(tx, actor, orderId, 'resume');
    if (s.status === 'ARMED') throw new AppError('InvalidStatus', `The schedule of ticket ${orderId} is not paused.`);
    const next = nextCall(s.cron_format, tx.now(), s.time_zone);
    if (!(await repo.updateScheduleIf(tx.db, orderId, s.version, { status: 'ARMED', next_call_at: next, last_message: null }, tx.now()))) {
      throw new AppError('ConcurrentModification', `The schedule of ticket ${orderId} was changed at the same time; try again.`);
    }
    if (next !== null) await enqueueTick(tx, orderId, next);
    await recordEvent(tx, {
      ticketId: orderId,
      tenantId: row.tenant_id,
      actor,
      action: 'CRON_CLEAR_RESUME',
      fromStatus: row.status,
      toStatus: row.status,
      requestId,
      comment: `schedule ${s.cron_format} resumed${next !== null ? `: next run at ${formatDmsTime(next, s.time_zone)}` : '; it fires no more'}`,
    });
    return next;
  });
}
