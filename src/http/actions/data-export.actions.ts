import { exportDetail, exportPrecheckDetail } from '../../modules/exports/detail.js';
import { exportDownloadLink } from '../../modules/exports/downloads.js';
import { executeExport, removeExport, restartExport, stopExport } from '../../modules/exports/execution.js';
import { createTicket } from '../../modules/tickets/tickets.js';
import { userIds, serverUrl } from './common.js';
import { defineAction } from '../rpc/registry.js';
import { p } from '../rpc/schema.js';

const GROUP = 'Data export';

const JOB_PARAMS = {
  OrderId: p.long('Ticket id.').req(),
  JobId: p.long('Export job id (GetDataExportOrderDetail KeyInfo.JobId).').req(),
};

export const dataExportActions = [
  defineAction({
    name: 'CreateDataExportOrder',
    group: GROUP,
    summary: 'Files a DATA_EXPORT ticket (PascalCase PluginParam); its precheck starts at once.',
    coverage:
      'All parameters. PluginParam.InstanceId must be the instance of DbId (physical databases). Watermark is not supported (refused with NotSupported when given) and ParentId is accepted but not used. Response `CreateOrderResult.CreateOrderResult[]`.',
    acceptsRealLoginUser: true,
    params: {
      Comment: p.string('The business reason of the export.').req(),
      PluginParam: p.json('DbId, InstanceId, ExeSQL, Logic, Classify, AffectRows, IgnoreAffectRows, IgnoreAffectRowsReason.').req(),
      RelatedUserList: p.list('DMS user ids who may follow the ticket (JSON array or comma-separated).'),
      AttachmentKey: p.string('Key of an uploaded attachment.'),
      ParentId: p.long('Parent ticket id (accepted, not used).'),
    },
    response: '`CreateOrderResult.CreateOrderResult[]` (long)',
    handler: async (input, ctx) => {
      const id = await createTicket(ctx.deps, ctx.actor, {
        pluginType: 'DATA_EXPORT',
        comment: input.Comment,
        params: input.PluginParam,
        relatedUserIds: userIds(input.RelatedUserList, 'RelatedUserList'),
        attachmentKey: input.AttachmentKey,
        requestId: ctx.requestId,
      });
      return { CreateOrderResult: { CreateOrderResult: [id] } };
    },
  }),
  defineAction({
    name: 'GetDataExportOrderDetail',
    group: GROUP,
    summary: 'The state of an export ticket: KeyInfo (JobId, JobStatus, PreCheckId) and OrderDetail.',
    coverage:
      'All parameters and fields. ActualAffectRows: rows exported (while running: so far), before the export the precheck estimate. Adds `KeyInfo.RowsEstimated`, `KeyInfo.Message` (why a precheck or export failed) and `KeyInfo.FileSize` (OpenDMS).',
    params: { OrderId: p.long('Ticket id.').req().inBody() },
    response: '`DataExportOrderDetail{KeyInfo{JobId, JobStatus, PreCheckId}, OrderDetail{ActualAffectRows, Classify, Database, DbId, EnvType, ExeSQL, IgnoreAffectRows, IgnoreAffectRowsReason, Logic}}`',
    handler: async (input, ctx) => {
      const d = await exportDetail(ctx.deps, ctx.actor, input.OrderId);
      return {
        DataExportOrderDetail: {
          KeyInfo: {
            JobId: d.jobId ?? undefined,
            JobStatus: d.phase,
            PreCheckId: d.precheckId ?? undefined,
            RowsEstimated: d.rowsEstimated ?? undefined,
            Message: d.jobMessage ?? (d.phase === 'PRE_CHECK_FAIL' ? d.precheckMessage : null) ?? undefined,
            FileSize: d.fileBytes ?? undefined,
          },
          OrderDetail: {
            ActualAffectRows: d.actualAffectRows ?? undefined,
            Classify: d.params.classify ?? '',
            Database: d.database,
            DbId: d.params.dbId,
            EnvType: d.envType,
            ExeSQL: d.params.exeSQL,
            IgnoreAffectRows: d.params.ignoreAffectRows,
            IgnoreAffectRowsReason: d.params.ignoreAffectRowsReason ?? '',
            Logic: d.params.logic,
          },
        },
      };
    },
  }),
  defineAction({
    name: 'GetDataExportPreCheckDetail',
    group: GROUP,
    summary: 'The precheck of an export ticket: each statement with its estimated rows.',
    coverage:
      'All parameters and fields. A logical database gives one entry per member database and statement. Adds per entry `DbId`, `Exact` (counted rather than estimated), `CheckStatus` (PASS or FAIL) and `Message`, and `PreCheckResult.Status`/`Message` (OpenDMS).',
    params: { OrderId: p.long('Ticket id.').req() },
    response: '`PreCheckResult{IgnoreAffectRows, PreCheckDetailList.PreCheckDetailList[]{SQL, AffectRows}}`',
    handler: async (input, ctx) => {
      const d = await exportPrecheckDetail(ctx.deps, ctx.actor, input.OrderId);
      return {
        PreCheckResult: {
          IgnoreAffectRows: d.ignoreAffectRows,
          Status: d.status,
          Message: d.message ?? undefined,
          PreCheckDetailList: {
            PreCheckDetailList: d.statements.map((s) => ({
              SQL: s.sql,
              AffectRows: s.affectRows ?? undefined,
              DbId: s.dbId,
              Exact: s.exact,
              CheckStatus: s.ok ? 'PASS' : 'FAIL',
              Message: s.message ?? undefined,
            })),
          },
        },
      };
    },
  }),
  defineAction({
    name: 'ExecuteDataExport',
    group: GROUP,
    summary: "Starts the export of an approved ticket (by its executor, once per approval) as a background job.",
    coverage:
      'All parameters. ActionDetail keys fileType (SQL, XLSX, CSV default, JSON, TXT), encoding (UTF8 default, UTF8MB4, GB2312, ISO_8859_1, GBK, LATAIN1, CP1252), mode (FAST, NORMAL: both can be stopped), startTime (scheduled start); `transaction` is accepted and has no effect (an export always reads in one read-only transaction per statement). Extensions: password (AES-256 zip), csvBom, formulaEscape (default true), jsonLines, unmappable (error | replace). See docs/exports.md.',
    acceptsRealLoginUser: true,
    params: {
      OrderId: p.long('Ticket id.').req(),
      ActionDetail: p.json('Export options, a JSON object (see docs/exports.md).'),
    },
    response: 'common fields; adds `JobId` (OpenDMS)',
    handler: async (input, ctx) => {
      const jobId = await executeExport(ctx.deps, ctx.actor, input.OrderId, input.ActionDetail, ctx.requestId);
      return { JobId: jobId };
    },
  }),
  defineAction({
    name: 'GetDataExportDownloadURL',
    group: GROUP,
    summary: 'A signed, expiring URL of the export result (a zip served by OpenDMS, with range requests).',
    coverage:
      'All parameters and fields. The URL is `/api/exports/<token>` on this server, valid for OPENDMS_EXPORT_URL_TTL_SECONDS (default 3600) and only for this ticket\'s current result; every download is an audit event (ListOrderEvents EXPORT_DOWNLOAD).',
    acceptsRealLoginUser: true,
    params: { OrderId: p.long('Ticket id.').req() },
    response: '`DownloadURLResult{HasResult, TipMessage, URL}`',
    handler: async (input, ctx) => {
      const link = await exportDownloadLink(ctx.deps, ctx.actor, input.OrderId);
      return {
        DownloadURLResult: link.hasResult
          ? { HasResult: true, TipMessage: link.tip, URL: serverUrl(ctx, `/api/exports/${link.token}`) }
          : { HasResult: false, TipMessage: link.tip, URL: '' },
      };
    },
  }),
  defineAction({
    name: 'PauseDataExportJob',
    group: GROUP,
    summary: 'Terminates a waiting or running export (DMS: "terminate"); RestartDataExportJob runs it again.',
    coverage: 'All parameters. The committer, the executor, an ADMIN or a DBA may stop it; a running export stops within about a second and ends EXPORT_FAIL.',
    params: JOB_PARAMS,
    response: 'common fields',
    handler: async (input, ctx) => {
      await stopExport(ctx.deps, ctx.actor, input.OrderId, input.JobId, 'PAUSE', ctx.requestId);
      return {};
    },
  }),
  defineAction({
    name: 'SuspendDataExportJob',
    group: GROUP,
    summary: 'Suspends a running or scheduled export; RestartDataExportJob resumes it (from the start: an export is a read).',
    coverage: 'All parameters. Same rules as PauseDataExportJob; the message says suspended.',
    params: JOB_PARAMS,
    response: 'common fields',
    handler: async (input, ctx) => {
      await stopExport(ctx.deps, ctx.actor, input.OrderId, input.JobId, 'SUSPEND', ctx.requestId);
      return {};
    },
  }),
  defineAction({
    name: 'RestartDataExportJob',
    group: GROUP,
    summary: 'Runs a failed or stopped export again with its options.',
    coverage: 'All parameters. Only from EXPORT_FAIL, by the executor.',
    params: JOB_PARAMS,
    response: 'common fields',
    handler: async (input, ctx) => {
      await restartExport(ctx.deps, ctx.actor, input.OrderId, input.JobId, ctx.requestId);
      return {};
    },
  }),
  defineAction({
    name: 'RemoveDataExportJob',
    group: GROUP,
    summary: "Deletes a finished export job's result file (the record stays).",
    coverage: 'All parameters. Not while waiting or running; the committer, an ADMIN or a DBA.',
    params: JOB_PARAMS,
    response: 'common fields',
    handler: async (input, ctx) => {
      await removeExport(ctx.deps, ctx.actor, input.OrderId, input.JobId, ctx.requestId);
      return {};
    },
  }),
];
