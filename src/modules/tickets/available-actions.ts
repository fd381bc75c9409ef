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
import { rollbackAvailability } from '../data-changes/rollback-order.js';
import * as exportRepo from '../exports/export.repository.js';
import type { Actor } from '../identity/actor.js';
import { designActions } from '../schema-design/available.js';
import { nextStatus, partiesAllowed, type Party, type TicketAction, type TicketStatus } from './status.js';
import { getTenantPolicy } from './tenant-policy.js';
import { getVisibleTicket, ticketContext } from './tickets.js';

/** One action the caller may take: the state-machine action, the Action to call and its parameters. */
export interface AvailableAction {
  /** SUBMIT, APPROVE, REJECT, TRANSFER, ADD_NODE, CANCEL, CLOSE, EXECUTE, RESTART, DOWNLOAD; NDDL: PUBLISH, EDIT_DESIGN. */
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
