import { availableActions } from '../../modules/tickets/available-actions.js';
import { defineAction } from '../rpc/registry.js';
import { p } from '../rpc/schema.js';

/** GetOrderAvailableActions: what the caller may do with a ticket now (the console shows only these). */
export const availableActionActions = [
  defineAction({
    name: 'GetOrderAvailableActions',
    group: 'Tickets',
    extension: true,
    summary: 'The actions the calling user may take on a visible ticket now, from the state machine and their parties, each with the Action to call and the parameters the server knows.',
    coverage:
      'Names: SUBMIT (SubmitOrderApproval; Enabled=false with the reason while the precheck runs or after it failed), APPROVE / REJECT / TRANSFER / ADD_NODE / CANCEL (ApproveOrder with its ApprovalType), EXECUTE (ExecuteDataExport, or ExecuteDataCorrect for DC_* types), RESTART (RestartDataExportJob after a failed export), CLOSE (CloseOrder), DOWNLOAD (GetDataExportDownloadURL, once an export succeeded). PAUSE (PauseDataExportJob, DMS "terminate") and SUSPEND (SuspendDataExportJob), with `JobId`, while an export job waits or runs, to the committer, the executor, an ADMIN or a DBA (Enabled=false once a stop was asked for). Data changes (DC_COMMON, DC_CHUNK): EDIT_SQL (ModifyDataCorrectExecSQL; the committer before submission, Enabled=false while the precheck runs), ROLLBACK (CreateRollbackOrder, once executed; Enabled=false with the reason while a job runs, when nothing changed, or when a statement cannot be undone from its backup). Every data-change type (DC_*; a cleanup schedule: its latest run): PAUSE (PauseDataCorrectSQLJob, `Type` ALL) while a SQL job waits or runs, to the committer, the executor, an ADMIN or a DBA (Enabled=false when no job would stop: a running job that runs all its statements in one transaction, or a pause already asked for); RESUME (RestartDataCorrectSQLJob, `Type` ALL) to the executor while the ticket is processing with a paused job. Schema designs (NDDL) have no SUBMIT: PUBLISH (CreatePublishGroupTask; `DbId` given for the design stage, the base; for a later stage the caller adds the target), EDIT_DESIGN (AddTableDesignChange and the other design Actions may be called now), RESTART (RestartPublishGroupTask with the failed publish\'s TaskId).',
    params: { OrderId: p.long('Ticket id.').req() },
    response: '`OrderId`, `StatusCode`, `PluginType`, `Actions.Action[]{Name, Transition, ApiAction, Params{…}, Enabled, Reason}`',
    handler: async (input, ctx) => {
      const r = await availableActions(ctx.deps, ctx.actor, input.OrderId);
      return {
        OrderId: input.OrderId,
        StatusCode: r.status,
        PluginType: r.pluginType,
        Actions: {
          Action: r.actions.map((a) => ({ Name: a.name, Transition: a.transition ?? undefined, ApiAction: a.api, Params: a.params, Enabled: a.enabled, Reason: a.reason })),
        },
      };
    },
  }),
];
