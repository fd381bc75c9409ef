/**
 * The frame every data-change precheck runs in (DC_COMMON and DC_CHUNK: precheck.ts; DC_CRON_CLEAR:
 * data-cron/precheck.ts; DC_BIG_FILE: data-imports/precheck.ts). It finds the precheck and its
 * ticket, and leaves alone one already settled by a duplicate job. It runs the type's `check`,
 * with the steps and a `set` that records a step as it goes: a closed ticket fails SQL_PARSE, and
 * an error fails the step that was running. Then one transaction settles it all: the steps, the
 * per-statement rows, the status, whose message is the first failing step's tip, the row estimate
 * and the ticket event.
 */
import type { Insertable } from 'kysely';
import { inTransaction, type Deps } from '../context.js';
import { recordEvent } from '../tickets/events.js';
import * as ticketRepo from '../tickets/ticket.repository.js';
import type { TicketRow } from '../tickets/ticket.repository.js';
import * as repo from './data-change.repository.js';
import type { DcPrecheckRow } from './data-change.repository.js';
import { CHECK_STEPS, type CheckStatus, type CheckStep, type DcPrecheckSqlTable } from './data-change.table.js';

export interface StepResult {
  status: CheckStatus;
  tip: string | null;
  /** ROW_CHECK: failed only because of EstimateAffectRows (SkipDataCorrectRowCheck settles it). */
  skippable?: boolean;
}

export type Steps = Map<CheckStep, StepResult>;

export interface CheckContext {
  deps: Deps;
  precheckId: number;
  ticket: TicketRow;
  steps: Steps;
  /** Records a step now (the detail shows progress while the check runs). */
  set(step: CheckStep, r: StepResult): Promise<void>;
}

/** What the type's check leaves to be stored, decided inside the settling transaction. */
export interface Settlement {
  /** Replaces the precheck's per-statement rows; null leaves them as they are. */
  rows: Insertable<DcPrecheckSqlTable>[] | null;
  estimate: number | null;
  /** The event's comment when the precheck passed. */
  passed: string;
}

export interface PrecheckType<R> {
  check(ctx: CheckContext): Promise<R>;
  /** Before the status is decided, with the precheck as it is now (a skip that arrived meanwhile). */
  adjust?(fresh: DcPrecheckRow, steps: Steps): void;
  /** Inside the transaction: what to store, and anything of the type's own (`result` is undefined when the check failed early). */
  settle(tx: Deps, result: R | undefined, outcome: { status: 'SUCCESS' | 'FAIL'; message: string | null }): Promise<Settlement>;
}

export async function runPrecheck<R>(deps: Deps, precheckId: number, type: PrecheckType<R>): Promise<void> {
  const precheck = await repo.findPrecheck(deps.db, precheckId);
  if (!precheck || precheck.status !== 'RUNNING') return;
  const ticket = await ticketRepo.findTicket(deps.db, precheck.tenant_id, precheck.ticket_id);
  if (!ticket) return;
  const steps: Steps = new Map(CHECK_STEPS.map((s) => [s, { status: 'WAITING', tip: null }]));
  const set = async (step: CheckStep, r: StepResult): Promise<void> => {
    steps.set(step, r);
    await repo.setStep(deps.db, precheckId, step, { status: r.status, userTip: r.tip, skippable: r.skippable ?? false });
  };
  let result: R | undefined;
  if (ticket.status === 'closed') {
    steps.set('SQL_PARSE', { status: 'FAIL', tip: 'The ticket was closed before its precheck ran.' });
  } else {
    try {
      result = await type.check({ deps, precheckId, ticket, steps, set });
    } catch (e) {
      const open = CHECK_STEPS.find((s) => steps.get(s)!.status === 'RUNNING') ?? CHECK_STEPS.find((s) => steps.get(s)!.status === 'WAITING') ?? 'SQL_PARSE';
      steps.set(open, { status: 'FAIL', tip: `The precheck could not run: ${(e as Error).message}` });
    }
  }

  await inTransaction(deps, async (tx) => {
    const fresh = await repo.findPrecheck(tx.db, precheckId);
    if (!fresh || fresh.status !== 'RUNNING') return;
    type.adjust?.(fresh, steps);
    for (const [step, r] of steps) await repo.setStep(tx.db, precheckId, step, { status: r.status, userTip: r.tip, skippable: r.skippable ?? false });
    const failed = CHECK_STEPS.find((s) => steps.get(s)!.status === 'FAIL');
    const message = failed ? steps.get(failed)!.tip : null;
    const status = failed ? 'FAIL' : 'SUCCESS';
    const s = await type.settle(tx, result, { status, message });
    if (s.rows !== null) await repo.replacePrecheckSql(tx.db, precheckId, s.rows);
    await repo.finishPrecheck(tx.db, precheckId, { status, message, estimatedRows: s.estimate }, tx.now());
    await recordEvent(tx, {
      ticketId: ticket.id,
      tenantId: ticket.tenant_id,
      actor: null,
      action: status === 'SUCCESS' ? 'PRECHECK_SUCCESS' : 'PRECHECK_FAIL',
      fromStatus: ticket.status,
      toStatus: ticket.status,
      comment: message ?? s.passed,
    });
  });
}
