/**
 * GetOrderAvailableActions (OpenDMS extension): what the calling user may do with a ticket now,
 * derived from the state machine (status.ts: TRANSITIONS, nextStatus, partiesAllowed) and the
 * caller's parties (partiesOf; EXECUTOR from executionParties), each mapped to the Action that does
 * it, so a client (the web console) shows exactly what the server would accept.
 */
import { AppError } from '../../errors.js';
import { executionParties } from '../approvals/executor.js';
import type { Deps } from '../context.js';
import * as dcRepo from '../data-changes/data-change.repository.js';
import { PAUSERS } from '../data-changes/execution.js';
import * as dcExecRepo from '../data-changes/execution.repository.js';
import { isDcFamily } from '../data-changes/family.js';
import { rollbackAvailability } from '../data-changes/rollback-order.js';
import { STOPPERS } from '../exports/execution.js';
import * as exportRepo from '../exports/export.repository.js';
import type { Actor } from '../identity/actor.js';
import { designActions } from '../schema-design/available.js';
import { nextStatus, partiesAllowed, type Party, type TicketAction, type TicketStatus } from './status.js';
import { getTenantPolicy } from './tenant-policy.js';
import { getVisibleTicket, ticketContext } from './tickets.js';

/** One action the caller may take: the state-machine action, the Action to call and its parameters. */
export interface AvailableAction {
  /** SUBMIT, APPROVE, REJECT, TRANSFER, ADD_NODE, CANCEL, CLOSE, EXECUTE, RESTART, PAUSE, SUSPEND, RESUME, DOWNLOAD; NDDL: PUBLISH, EDIT_DESIGN. */
  name: string;
  /** The state-machine action (status.ts) it takes; DOWNLOAD takes none. */
  transition: TicketAction | null;
  /** The Action to call. */
  api: string;
  /** Parameters the Action needs that the server already knows (OrderId, WorkflowInstanceId, ApprovalType, JobId). */
  params: Record<string, string | number>;
  /** false: allowed to this caller in this status, but blocked for now (reason says why: a precheck running or failed). */
  enabled: boolean;
  reason: string | undefined;
}

const can = (action: TicketAction, status: TicketStatus, parties: ReadonlySet<Party>): boolean => nextStatus(action, status).ok && partiesAllowed(action, parties);

export async function availableActions(deps: Deps, actor: Actor, orderId: number): Promise<{ status: TicketStatus; pluginType: string; actions: AvailableAction[] }> {
  const ticket = await getVisibleTicket(deps, actor, orderId);
  const { row } = ticket;
  const status = row.status as TicketStatus;
  const parties = await executionParties(deps, actor, row);
  const out: AvailableAction[] = [];
  const add = (name: string, transition: TicketAction | null, api: string, params: Record<string, string | number>, reason?: string) =>
    out.push({ name, transition, api, params: { OrderId: row.id, ...params }, enabled: reason === undefined, reason });

  if (row.plugin_type === 'NDDL') {
    // Schema designs: publish (which submits), edit the design, run a failed publish again.
    for (const a of await designActions(deps, actor, row.id, can('SUBMIT', status, parties))) add(a.name, a.transition, a.api, a.params);
  } else if (can('SUBMIT', status, parties)) {
    let reason: string | undefined;
    try {
      await ticket.type.assertSubmittable?.(deps, ticketContext(ticket));
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      reason = e.message;
    }
    add('SUBMIT', 'SUBMIT', 'SubmitOrderApproval', {}, reason);
  }
  const wf = row.workflow_instance_id;
  if (wf !== null) {
    const approval = (name: string, transition: TicketAction, type: string, reason?: string) => add(name, transition, 'ApproveOrder', { WorkflowInstanceId: wf, ApprovalType: type }, reason);
    if (can('APPROVE_NODE', status, parties) || can('APPROVE_FINAL', status, parties)) {
      const self = row.committer_id === actor.userId && !(await getTenantPolicy(deps, row.tenant_id)).allowSelfApproval;
      approval('APPROVE', 'APPROVE_FINAL', 'AGREE', self ? `The committer cannot approve their own ticket ${row.id} (the tenant does not allow self-approval).` : undefined);
    }
    if (can('REJECT', status, parties)) approval('REJECT', 'REJECT', 'REJECT');
    if (can('TRANSFER', status, parties)) approval('TRANSFER', 'TRANSFER', 'TRANSFER');
    if (can('ADD_NODE', status, parties)) approval('ADD_NODE', 'ADD_NODE', 'ADD_APPROVAL_NODE');
    if (can('CANCEL', status, parties)) approval('CANCEL', 'CANCEL', 'CANCEL');
  }

  const job = row.plugin_type === 'DATA_EXPORT' ? await exportRepo.findJobByTicket(deps.db, row.id) : undefined;
  if (can('START_EXECUTION', status, parties)) {
    if (row.plugin_type === 'DATA_EXPORT') {
      // A failed export runs again with RestartDataExportJob (ExecuteDataExport runs once per approval).
      if (status === 'fail' && job) add('RESTART', 'START_EXECUTION', 'RestartDataExportJob', { JobId: job.id });
      else if (status === 'approved') add('EXECUTE', 'START_EXECUTION', 'ExecuteDataExport', {});
    } else if (row.plugin_type.startsWith('DC_')) {
      add('EXECUTE', 'START_EXECUTION', 'ExecuteDataCorrect', {});
    }
  }
  await addJobControl(deps, row, job, parties, add);
  if (can('CLOSE', status, parties)) add('CLOSE', 'CLOSE', 'CloseOrder', {});
  else if (row.plugin_type === 'DC_CRON_CLEAR' && can('CLOSE_SCHEDULE', status, parties)) add('CLOSE', 'CLOSE_SCHEDULE', 'CloseOrder', {});

  // Data changes: the committer replaces the SQL before submission (ModifyDataCorrectExecSQL, control.ts: status new, no
  // precheck running); anyone who sees an executed change may file its rollback (CreateRollbackOrder, rollback-order.ts).
  if (row.plugin_type === 'DC_COMMON' || row.plugin_type === 'DC_CHUNK') {
    if (status === 'new' && can('EDIT', status, parties) && row.committer_id === actor.userId) {
      const running = (await dcRepo.latestPrecheck(deps.db, row.id))?.status === 'RUNNING';
      add('EDIT_SQL', 'EDIT', 'ModifyDataCorrectExecSQL', {}, running ? `The precheck of ticket ${row.id} is still running; change the SQL once it has finished.` : undefined);
    }
    const rollback = await rollbackAvailability(deps, row.id);
    if (rollback) add('ROLLBACK', null, 'CreateRollbackOrder', {}, rollback.reason);
  }
  if (job && job.status === 'EXPORT_SUCCESS' && job.file_key && !job.removed && job.purged_at === null) add('DOWNLOAD', null, 'GetDataExportDownloadURL', {});
  return { status, pluginType: row.plugin_type, actions: out };
}

type Add = (name: string, transition: TicketAction | null, api: string, params: Record<string, string | number>, reason?: string) => void;

/**
 * Stopping running work, with the checks of the Actions that do it:
 * - An export job waiting or running (exports/execution.ts stopExport: the committer, the
 *   executor, an ADMIN or a DBA): PAUSE (PauseDataExportJob, DMS "terminate") and SUSPEND
 *   (SuspendDataExportJob). Both end the job EXPORT_FAIL and RestartDataExportJob runs it again;
 *   DMS names them apart, so both are offered. Disabled once a stop was asked for.
 * - Data-change jobs (data-changes/execution.ts pauseJobs, same parties): PAUSE
 *   (PauseDataCorrectSQLJob Type ALL) while a job waits or runs; disabled when no such job would
 *   stop (a running job that runs all its statements in one transaction only checks before it
 *   starts, or a pause was already asked for). RESUME (RestartDataCorrectSQLJob Type ALL, the
 *   executor only, restartJobs) while the ticket is processing with a paused job.
 */
async function addJobControl(deps: Deps, row: { id: number; plugin_type: string; status: string }, job: exportRepo.ExportJobRow | undefined, parties: ReadonlySet<Party>, add: Add): Promise<void> {
  if (job && (job.status === 'WAITING_EXPORT' || job.status === 'DOING_EXPORT') && STOPPERS.some((p) => parties.has(p))) {
    const reason = job.stop_requested ? `Export job ${job.id} was already asked to stop; it ends within about a second.` : undefined;
    add('PAUSE', null, 'PauseDataExportJob', { JobId: job.id }, reason);
    add('SUSPEND', null, 'SuspendDataExportJob', { JobId: job.id }, reason);
    return;
  }
  if (!isDcFamily(row.plugin_type)) return;
  const task = await dcExecRepo.findTaskByTicket(deps.db, row.id);
  if (!task) return;
  const jobs = await dcExecRepo.listJobs(deps.db, task.id);
  const pausable = jobs.filter((j) => j.status === 'BE_SCHEDULED' || j.status === 'RUNNING');
  if (pausable.length > 0 && PAUSERS.some((p) => parties.has(p))) {
    const effective = pausable.some((j) => j.status === 'BE_SCHEDULED' || (j.transactional === 0 && j.pause_requested === 0));
    const reason = effective
      ? undefined
      : pausable.some((j) => j.pause_requested === 1)
        ? `The running SQL jobs of ticket ${row.id} were already asked to pause; they stop before their next statement.`
        : `The SQL jobs of ticket ${row.id} run all their statements in one transaction; they can only be paused before they start.`;
    add('PAUSE', null, 'PauseDataCorrectSQLJob', { Type: 'ALL' }, reason);
  }
  if (row.status === 'processing' && parties.has('EXECUTOR') && jobs.some((j) => j.status === 'PAUSE')) add('RESUME', null, 'RestartDataCorrectSQLJob', { Type: 'ALL' });
}
